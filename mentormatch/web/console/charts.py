"""Dashboard charts, drawn on the server as SVG by pygal.

Each chart is an SVG document embedded as ``<img src="data:image/svg+xml;...">``
(the CSP allows ``data:`` images): it works without JavaScript, pygal's
tooltip script is switched off, and its own stylesheet stays inside the
image, where the page's CSP does not reach. Rendering one chart costs tens of
milliseconds, so results are cached by the figures they show: the same
figures give the same bytes without drawing again. Each chart carries its
figures as a table too (``columns`` and ``rows``), which the page offers under
the picture for people who cannot see it or want the exact numbers.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache

import pygal
from pygal.style import Style

from mentormatch.services.agreements.cadence import LABELS
from mentormatch.services.console.outcome_report import OutcomeReport, survey_cells
from mentormatch.services.console.stats import Dashboard

STYLE = Style(
    background="white", plot_background="white", foreground="#1f2937", foreground_strong="#111827",
    foreground_subtle="#6b7280", opacity=".9", opacity_hover="1", font_family="system-ui, sans-serif",
    label_font_size=13, major_label_font_size=13, legend_font_size=14, value_font_size=12,
    colors=("#0f766e", "#b45309", "#b91c1c", "#6b7280"),
)
COMMON = dict(style=STYLE, js=[], disable_xml_declaration=True, no_prefix=True, explicit_size=False,
              legend_at_bottom=True, print_zeroes=False, margin=12)


@dataclass(frozen=True)
class Chart:
    title: str
    src: str  # a data: URI
    alt: str
    width: int
    height: int
    columns: tuple[str, ...] = ()  # the data table's headings: the first names each row
    rows: tuple[tuple, ...] = ()  # the same figures the picture draws


def _uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@lru_cache(maxsize=32)
def _supply_demand(rows: tuple[tuple[str, int, int], ...]) -> str:
    chart = pygal.HorizontalBar(width=760, height=520, **COMMON)
    rows = rows[::-1]  # pygal draws the first label at the bottom
    chart.x_labels = [label for label, _, _ in rows]
    chart.add("Free mentor places", [free for _, free, _ in rows])
    chart.add("Unmatched mentees", [want for _, _, want in rows])
    return _uri(chart.render(is_unicode=True))


@lru_cache(maxsize=32)
def _weekly(rows: tuple[tuple[str, int, int], ...]) -> str:
    chart = pygal.Bar(width=760, height=360, x_label_rotation=0, **COMMON)
    chart.x_labels = [week for week, _, _ in rows]
    chart.add("Matches started", [n for _, n, _ in rows])
    chart.add("Pairs made active", [n for _, _, n in rows])
    return _uri(chart.render(is_unicode=True))


@lru_cache(maxsize=32)
def _cadence(rows: tuple[tuple[str, int], ...]) -> str:
    chart = pygal.Pie(width=520, height=360, inner_radius=.45, **COMMON)
    for label, n in rows:
        chart.add(label, n)
    return _uri(chart.render(is_unicode=True))


def charts_for(board: Dashboard) -> list[Chart]:
    """The three dashboard pictures, with a text alternative for each."""
    supply = tuple((s.label, s.free_places, s.mentees_waiting) for s in board.specialties)
    short = [s for s in board.specialties if s.mentees_waiting > s.free_places]
    weeks = tuple((start.strftime("%d %b"), proposed, active) for start, proposed, active in board.weeks)
    cadence = tuple((LABELS.get(state, "No agreed terms yet"), n) for state, n in board.cadence.items())
    return [
        Chart("Supply and demand per specialty", _supply_demand(supply),
              "Free mentor places against unmatched mentees per specialty; "
              + (f"short of places in {', '.join(s.label for s in short)}." if short
                 else "every specialty has enough places."), 760, 520,
              ("Specialty", "Free mentor places", "Unmatched mentees wanting it"), supply),
        Chart("Matches per week", _weekly(weeks),
              f"Matches started and pairs made active in each of the last {len(weeks)} weeks; "
              f"{sum(w[1] for w in weeks)} started, {sum(w[2] for w in weeks)} became active.", 760, 360,
              ("Week starting", "Matches started", "Pairs made active"), weeks),
        Chart("Cadence adherence", _cadence(cadence),
              "Active pairs by meeting cadence: " + ", ".join(f"{label} {n}" for label, n in cadence) + ".",
              520, 360, ("Cadence", "Active pairs"), cadence),
    ]


# --- the outcome report's charts (services.console.outcome_report) ---------------------------

# Outcomes: completed in the house's teal, ended early in red, still running in grey.
RETENTION_STYLE = Style(**{**STYLE.to_dict(), "colors": ("#0f766e", "#b91c1c", "#6b7280")})


def _whole_numbers(chart, top: int) -> None:
    """Counts of people or pairs: axis labels 0, 1, 2 ... rather than 0.2 steps, for small counts."""
    if top <= 10:
        chart.y_labels = list(range(0, max(top, 1) + 1))


@lru_cache(maxsize=32)
def _enrolments(rows: tuple[tuple[str, int, int], ...]) -> str:
    chart = pygal.Bar(width=760, height=360, x_label_rotation=0, **COMMON)
    _whole_numbers(chart, max((max(a, b) for _, a, b in rows), default=0))
    chart.x_labels = [month for month, _, _ in rows]
    chart.add("New mentees", [n for _, n, _ in rows])
    chart.add("New mentors", [n for _, _, n in rows])
    return _uri(chart.render(is_unicode=True))


@lru_cache(maxsize=32)
def _counts_bar(rows: tuple[tuple[str, int], ...], series: str) -> str:
    chart = pygal.Bar(width=520, height=360, x_label_rotation=0, show_legend=False, **COMMON)
    _whole_numbers(chart, max((n for _, n in rows), default=0))
    chart.x_labels = [label for label, _ in rows]
    chart.add(series, [n for _, n in rows])
    return _uri(chart.render(is_unicode=True))


@lru_cache(maxsize=32)
def _retention(rows: tuple[tuple[str, int], ...]) -> str:
    chart = pygal.Pie(width=520, height=360, inner_radius=.45, **{**COMMON, "style": RETENTION_STYLE})
    for label, n in rows:
        chart.add(label, n)
    return _uri(chart.render(is_unicode=True))


@lru_cache(maxsize=32)
def _survey(rows: tuple[tuple[str, float | None], ...]) -> str:
    chart = pygal.Line(width=760, height=360, range=(1, 5), include_x_axis=False, allow_interruptions=True, dots_size=5,
                       show_legend=False, **COMMON)
    chart.x_labels = [month for month, _ in rows]
    chart.add("Mean survey score", [mean for _, mean in rows])  # None: a hidden month, drawn as a gap
    return _uri(chart.render(is_unicode=True))


def outcome_charts(report: OutcomeReport) -> list[Chart]:
    """The outcome report's pictures, each with its data table and text alternative (the survey scores' once
    someone has answered: the page says there are none yet)."""
    enrolments = report.enrolments
    retention = (("Completed", report.completed), ("Ended early", report.ended_early),
                 ("Still running", report.still_active))
    bands = report.adherence_bands
    survey = tuple((s.month, None if s.hidden else round(s.mean, 2)) for s in report.survey)
    survey_rows = tuple((s.month, *survey_cells(s)) for s in report.survey)
    shown = [f"{month} {mean:.2f}" for month, mean in survey if mean is not None]
    charts = [
        Chart("New enrolments per month", _enrolments(enrolments),
              f"New mentees and mentors in each month since the first enrolment; "
              f"{sum(r[1] for r in enrolments)} mentees and {sum(r[2] for r in enrolments)} mentors in all.",
              760, 360, ("Month", "New mentees", "New mentors"), enrolments),
        Chart("Agreements completed and ended early", _retention(retention),
              "Agreements by outcome: " + ", ".join(f"{label} {n}" for label, n in retention) + ".",
              520, 360, ("Outcome", "Agreements"), retention),
        Chart("Pairs by meeting adherence", _counts_bar(bands, "Pairs"),
              "Pairs with agreed terms by the share of their expected meetings logged: "
              + ", ".join(f"{label} {n}" for label, n in bands) + ".",
              520, 360, ("Meetings logged of those expected", "Pairs"), bands),
    ]
    if report.survey:
        charts.append(Chart(
            "Survey scores per month", _survey(survey),
            "Mean answer to the scale questions (1 to 5) per month; months with too few respondents are hidden. "
            + (("Shown: " + ", ".join(shown) + ".") if shown else "No month has enough respondents yet."),
            760, 360, ("Month", "Respondents", "Mean score (1 to 5)"), survey_rows))
    return charts
