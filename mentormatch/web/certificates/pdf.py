"""A certificate as a PDF, drawn with ReportLab.

ReportLab is a pure-Python wheel: it installs anywhere pip does, with no
system libraries (WeasyPrint needs Pango, Cairo and friends from the
operating system). The text is set in DejaVu Sans when the system has it (wide
script coverage for participants' names), else in Bitstream Vera, which
ReportLab ships.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

FONTS = (  # (regular, bold): the first pair whose files exist
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")),
    (Path(reportlab.__file__).parent / "fonts" / "Vera.ttf", Path(reportlab.__file__).parent / "fonts" / "VeraBd.ttf"),
)
INK, MUTED = HexColor("#1b2a3a"), HexColor("#4a5a6a")


def _fonts() -> tuple[str, str]:
    if "CertificateSans" not in pdfmetrics.getRegisteredFontNames():
        regular, bold = next(pair for pair in FONTS if all(p.exists() for p in pair))
        pdfmetrics.registerFont(TTFont("CertificateSans", str(regular)))
        pdfmetrics.registerFont(TTFont("CertificateSans-Bold", str(bold)))
        # So that <b> inside a paragraph picks the bold face.
        registerFontFamily("CertificateSans", normal="CertificateSans", bold="CertificateSans-Bold",
                           italic="CertificateSans", boldItalic="CertificateSans-Bold")
    return "CertificateSans", "CertificateSans-Bold"


def _style(name: str, font: str, size: float, color=INK, space: float = 6) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.3, alignment=TA_CENTER,
                          textColor=color, spaceAfter=space)


def _border(canvas, doc) -> None:
    width, height = doc.pagesize
    canvas.saveState()
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(2)
    canvas.rect(0.4 * inch, 0.4 * inch, width - 0.8 * inch, height - 0.8 * inch)
    canvas.setLineWidth(0.5)
    canvas.rect(0.5 * inch, 0.5 * inch, width - 1.0 * inch, height - 1.0 * inch)
    canvas.restoreState()


def certificate_pdf(shown: dict[str, str], role_label: str, dates: str, hours: str, issued_on: str,
                    verify_url: str) -> bytes:
    """The certificate's PDF: every field it shows, the number and the verification address."""
    regular, bold = _fonts()
    e = escape
    story = [
        Paragraph(e(shown["provider_name"]), _style("provider", bold, 16, MUTED, 14)),
        Paragraph("Certificate of Continuing Education", _style("title", bold, 26, space=18)),
        Paragraph("This certifies that", _style("lead", regular, 12, MUTED)),
        Paragraph(e(shown["participant_name"]), _style("name", bold, 24, space=10)),
        Paragraph(f"took part as {e(role_label.lower())} in the mentoring activity", _style("lead2", regular, 12, MUTED)),
        Paragraph(f"\u201c{e(shown['activity_title'])}\u201d", _style("activity", bold, 16, space=8)),
        Paragraph(f"from {e(dates)}", _style("dates", regular, 12)),
        Paragraph(f"Contact hours awarded: <b>{e(hours)}</b>", _style("hours", regular, 14, space=10)),
        Paragraph(f"Provider: {e(shown['provider_name'])}", _style("provider2", regular, 11, MUTED, 22)),
        Paragraph(f"<b>{e(shown['signer_name'])}</b>", _style("signer", regular, 12, space=0)),
        Paragraph(e(shown["signer_title"]), _style("signer_title", regular, 11, MUTED, 2)),
        Paragraph(f"Signed for the provider · issued {e(issued_on)}", _style("issued", regular, 9, MUTED, 16)),
        Paragraph(f"Certificate number {e(shown['number'])}", _style("number", bold, 10, space=2)),
        Paragraph(f"Verify it at {e(verify_url)}", _style("verify", regular, 9, MUTED, 0)),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(letter), leftMargin=0.9 * inch, rightMargin=0.9 * inch,
                            topMargin=0.8 * inch, bottomMargin=0.7 * inch,
                            title=f"CE certificate {shown['number']}", author=shown["provider_name"],
                            subject=shown["activity_title"], creator="MentorMatch")
    doc.build([story[0], Spacer(1, 4), *story[1:]], onFirstPage=_border)
    return buffer.getvalue()
