"""The threshold advisor: the hold threshold that keeps the review load within what the site's
owner chooses ("hold at most 5% of comments"), what it would have caught, and the whole curve.

The load is the share of the site's comments held; what it catches is the share of the replies
its moderators rejected that it would have held, and its precision the share of held decided
replies that they rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from html import escape

import numpy as np

__all__ = ["Advice", "CurvePoint", "advise", "curve_svg"]


@dataclass(frozen=True)
class CurvePoint:
    threshold: float
    load: float  # share of comments held
    caught: float  # share of rejected replies held (recall)
    precision: float  # share of held decided replies that were rejected


@dataclass(frozen=True)
class Advice:
    target_load: float
    threshold: float
    load: float
    caught: float
    precision: float
    comments: int  # how many comments the load was measured over
    decisions: int
    load_source: str  # what the load was measured over, in words
    curve: tuple[CurvePoint, ...] = field(default=())

    def summary(self) -> str:
        return (
            f"hold at {self.threshold:.3f}: {self.load:.1%} of {self.comments} {self.load_source}"
            f" held (at most {self.target_load:.1%} asked), catching {self.caught:.1%} of the"
            f" {self.decisions} decided replies' rejections at {self.precision:.1%} precision"
        )

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["curve"] = [asdict(p) for p in self.curve]
        return d


def _point(t: float, load_scores: np.ndarray, scores: np.ndarray, y: np.ndarray) -> CurvePoint:
    held = scores >= t
    return CurvePoint(
        threshold=float(t),
        load=float(np.mean(load_scores >= t)) if len(load_scores) else 0.0,
        caught=float(np.sum(held & y) / max(int(y.sum()), 1)),
        precision=float(np.sum(held & y) / max(int(held.sum()), 1)),
    )


def advise(
    scores: Sequence[float] | np.ndarray,
    rejected: Sequence[bool] | np.ndarray,
    load_scores: Sequence[float] | np.ndarray,
    target_load: float,
    *,
    load_source: str = "comments",
    points: int = 41,
) -> Advice:
    """The lowest threshold whose load over ``load_scores`` is at most ``target_load`` (a share,
    0 to 1), with what it catches among the decided replies (``scores``, ``rejected``)."""
    if not 0.0 <= target_load <= 1.0:
        raise ValueError(f"the review load is a share between 0 and 1, not {target_load}")
    s = np.asarray(scores, np.float64)
    y = np.asarray(rejected, dtype=bool)
    load = np.asarray(load_scores, np.float64)
    candidates = np.unique(np.concatenate([load, s, [1.0 + 1e-9]]))
    # the load falls as the threshold rises: the first candidate within the budget
    loads = 1.0 - np.searchsorted(np.sort(load), candidates, side="left") / max(len(load), 1)
    ok = np.flatnonzero(loads <= target_load + 1e-12)
    best = float(candidates[ok[0]]) if len(ok) else float(candidates[-1])
    grid = np.unique(np.concatenate([np.quantile(load, np.linspace(0, 1, points)), [best]]))
    curve = tuple(_point(t, load, s, y) for t in grid) if len(load) else ()
    chosen = _point(best, load, s, y)
    return Advice(
        target_load=target_load,
        threshold=best,
        load=chosen.load,
        caught=chosen.caught,
        precision=chosen.precision,
        comments=len(load),
        decisions=len(s),
        load_source=load_source,
        curve=curve,
    )


def curve_svg(advice: Advice, *, width: int = 420, height: int = 260) -> str:
    """The curve (share held against share of rejections caught) as an inline SVG, with the
    advised threshold marked. Only numbers and fixed words go in: nothing from users."""
    pad = 40
    w, h = width - 2 * pad, height - 2 * pad

    def xy(p: CurvePoint) -> tuple[float, float]:
        return pad + p.load * w, pad + (1.0 - p.caught) * h

    pts = sorted(advice.curve, key=lambda p: (p.load, p.caught))
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(p) for p in pts))
    mark = CurvePoint(advice.threshold, advice.load, advice.caught, advice.precision)
    mx, my = xy(mark)
    tx = pad + advice.target_load * w
    title = escape(advice.summary())
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" class="advisor-curve"><title>{title}</title>'
        f'<rect x="{pad}" y="{pad}" width="{w}" height="{h}" fill="none" stroke="#999"/>'
        f'<line x1="{tx:.1f}" y1="{pad}" x2="{tx:.1f}" y2="{pad + h}" stroke="#c60"'
        ' stroke-dasharray="4 3"/>'
        f'<polyline points="{path}" fill="none" stroke="#036" stroke-width="2"/>'
        f'<circle cx="{mx:.1f}" cy="{my:.1f}" r="5" fill="#c60"/>'
        f'<text x="{pad + w / 2}" y="{height - 8}" text-anchor="middle" font-size="12">'
        "share of comments held</text>"
        f'<text x="12" y="{pad + h / 2}" font-size="12" transform="rotate(-90 12 {pad + h / 2})"'
        ' text-anchor="middle">share of rejections caught</text>'
        f'<text x="{pad}" y="{pad + h + 14}" font-size="10">0%</text>'
        f'<text x="{pad + w}" y="{pad + h + 14}" font-size="10" text-anchor="end">100%</text>'
        "</svg>"
    )
