"""A participant's certificates, each as a print view and a PDF, and /verify/<number> for anyone."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template, url_for
from flask_login import current_user, login_required

from mentormatch.extensions import limiter
from mentormatch.models import CeCertificate
from mentormatch.services import certificates
from mentormatch.web.certificates.pdf import certificate_pdf
from mentormatch.web.certificates.printing import printable

bp = Blueprint("certificates", __name__)
ROLE_LABELS = dict(certificates.ROLES)
# Light: a person checking certificates by hand never meets it; a script guessing numbers does.
VERIFY_RATE_LIMIT = "30 per minute; 300 per day"


def verify_url(number: str) -> str:
    """The address printed on the certificate: BASE_URL + /verify/<number>."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for("certificates.verify", number=number)


def _day(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def presented(shown: dict[str, str]) -> dict[str, str]:
    """The shown fields in words: dates, hours, role."""
    start, end = _day(shown["period_start"]), _day(shown["period_end"])
    return {**shown, "role_label": ROLE_LABELS.get(shown["role"], shown["role"].title()),
            "dates": start if start == end else f"{start} to {end}",
            "hours": certificates.hours_text(shown["contact_hours"]), "issued": _day(shown["issued_on"]),
            "verify_url": verify_url(shown["number"])}


def certificate_or_404(number: str) -> CeCertificate:
    """The certificate if the current user holds it or coordinates the program that issued it, else 404."""
    found = certificates.by_number(number)
    if found is None or not certificates.readable_by(found, current_user):
        abort(404)
    return found


@bp.route("/certificates/")
@login_required
def mine():
    own = certificates.certificates_of(current_user)
    return render_template("certificates/mine.html",
                           certificates=[presented(certificates.shown_fields(c)) for c in own])


@bp.route("/certificates/<number>")
@login_required
def show(number: str):
    certificate = certificate_or_404(number)
    return printable("certificates/show.html", c=presented(certificates.shown_fields(certificate)),
                     genuine=certificates.is_genuine(certificate))


@bp.route("/certificates/<number>.pdf")
@login_required
def pdf(number: str):
    certificate = certificate_or_404(number)
    if not certificates.is_genuine(certificate):
        abort(409, description="This certificate does not verify: its record was changed after it was issued. "
                               "Ask the program's coordinators.")
    c = presented(certificates.shown_fields(certificate))
    body = certificate_pdf(c, c["role_label"], c["dates"], c["hours"], c["issued"], c["verify_url"])
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="ce-certificate-{certificate.number}.pdf"'})


@bp.route("/verify/<number>")
@limiter.limit(lambda: current_app.config.get("VERIFY_RATE_LIMIT", VERIFY_RATE_LIMIT))
def verify(number: str):
    """Public, no login: valid (the fields it shows, nothing more), altered, or unknown."""
    result = certificates.verify(number)
    if not result.found:
        return printable("certificates/verify.html", status=404, result=result, c=None)
    if not result.valid:
        # Not 200: a script that checks the status alone must not read an altered record as valid.
        return printable("certificates/verify.html", status=409, result=result, c=None)
    return printable("certificates/verify.html", result=result, c=presented(result.fields))
