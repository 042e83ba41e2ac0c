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
