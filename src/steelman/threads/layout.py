"""Colours, words and geometry shared by every picture of a thread (SVG, PNG, terminal)."""

from __future__ import annotations

from dataclasses import dataclass

from steelman.levels import LEVELS, Level
from steelman.threads.report import ThreadReport

__all__ = [
    "COLOURS",
    "LEGEND",
    "NONE_COLOUR",
    "PLAIN",
    "TURN_COLOUR",
    "Band",
    "pyramid_bands",
    "risk_words",
]

COLOURS: dict[str, str] = {
    "DH0": "#b2182b",
    "DH1": "#e34a33",
    "DH2": "#fc8d59",
    "DH3": "#fdd049",
    "DH4": "#b8e186",
    "DH5": "#66bd63",
    "DH6": "#1a9850",
}
NONE_COLOUR = "#9e9e9e"
TURN_COLOUR = "#6a1b9a"
_TAPER = len(LEVELS) + 1.2  # the top rung keeps some width for its label

# One plain-language line per level, for readers who have never heard of Graham's hierarchy.
PLAIN: dict[str, str] = {
    "DH0": "Calls the other person names, insults them",
    "DH1": "Attacks the person (their motives, character or authority), not the argument",
    "DH2": "Complains about how it was said, not what was said",
    "DH3": "Simply says the opposite, with no reasons",
    "DH4": "Disagrees and gives a reason or evidence",
    "DH5": "Quotes the mistake and explains why it is wrong",
    "DH6": "Shows the main point of the other argument is wrong",
}

LEGEND: tuple[tuple[str, str], ...] = (
    (COLOURS["DH0"], "red: attacks the person (DH0-DH1)"),
    (COLOURS["DH3"], "orange/yellow: weak disagreement (DH2-DH3)"),
    (COLOURS["DH5"], "green: argues with the point itself (DH4-DH6)"),
    (NONE_COLOUR, "grey: not a disagreement (questions, clarifications, ...)"),
)


@dataclass(frozen=True)
class Band:
    """One rung of the pyramid in a ``width`` x ``height`` box (y grows downwards)."""

    level: Level
    count: int
    share: float  # of the judged replies
    polygon: tuple[tuple[float, float], ...]
    label_x: float
    label_y: float
    bar: float  # 0..1: count relative to the busiest rung
    turning: bool  # the turning point sits on this rung

    @property
    def colour(self) -> str:
        return COLOURS[self.level.code]


def pyramid_bands(report: ThreadReport, width: float, height: float) -> list[Band]:
    """The seven rungs, DH0 at the bottom, as trapezoids that narrow towards DH6 at the top."""
    counts = report.shape.levels
    judged = max(report.shape.judged, 1)
    busiest = max(max(counts.values()), 1)
    rung = height / len(LEVELS)
    cx = width / 2.0
    turning = report.turning_point.level if report.turning_point else None
    bands = []
    for lv in LEVELS:
        bottom = height - lv.rank * rung
        top = bottom - rung
        half_bottom = width / 2.0 * (1.0 - lv.rank / _TAPER)
        half_top = width / 2.0 * (1.0 - (lv.rank + 1) / _TAPER)
        poly = (
            (cx - half_bottom, bottom),
            (cx + half_bottom, bottom),
            (cx + half_top, top + 2.0),
            (cx - half_top, top + 2.0),
        )
        n = counts[lv.code]
        bands.append(
            Band(lv, n, n / judged, poly, cx, (top + bottom) / 2.0, n / busiest, lv.code == turning)
        )
    return bands


def risk_words(risk: float | None) -> str:
    """A plain reading of an escalation probability."""
    if risk is None:
        return "not estimated"
    if risk >= 0.7:
        return "high"
    if risk >= 0.4:
        return "medium"
    return "low"
