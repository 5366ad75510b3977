"""Inline SVG charts of a thread: the pyramid, the timeline and a participant's profile bar.

Every piece of text that comes from a user (authors, comment text) is escaped here.
"""

from __future__ import annotations

from html import escape

from steelman.levels import LEVELS
from steelman.threads.layout import COLOURS, NONE_COLOUR, PLAIN, TURN_COLOUR, pyramid_bands
from steelman.threads.report import LEVEL_CODES, Participant, ThreadReport

__all__ = ["profile_svg", "pyramid_svg", "timeline_svg"]

_FONT = "font-family='system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif'"


def _text(
    x: float,
    y: float,
    body: str,
    *,
    size: int = 13,
    anchor: str = "start",
    weight: str = "normal",
    fill: str = "#222",
) -> str:
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}'"
        f" font-weight='{weight}' fill='{fill}' dominant-baseline='middle'>{escape(body)}</text>"
    )


def pyramid_svg(report: ThreadReport) -> str:
    """Graham's pyramid, DH0 at the bottom: each rung says in plain words what it means and how
    many replies sat there; the bar beside it is that count."""
    pw, ph, left = 300.0, 385.0, 10.0
    width, height = 1110, int(ph) + 20
    parts = [
        f"<svg viewBox='0 0 {width} {height}' {_FONT}"
        f" role='img' aria-label='Pyramid of disagreement levels'>"
    ]
    text_x = left + pw + 20
    bar_x, bar_w = text_x + 475, 80.0
    for b in pyramid_bands(report, pw, ph):
        pts = " ".join(f"{x + left:.1f},{y + 10:.1f}" for x, y in b.polygon)
        opacity = "1" if b.count else "0.25"
        stroke = f" stroke='{TURN_COLOUR}' stroke-width='4'" if b.turning else " stroke='#fff'"
        parts.append(
            f"<polygon points='{pts}' fill='{b.colour}' fill-opacity='{opacity}'"
            f"{stroke}><title>{escape(b.level.label)}: {b.count}</title></polygon>"
        )
        y = b.label_y + 10
        dark = b.level.rank <= 1 or b.level.rank == 6
        parts.append(
            _text(
                b.label_x + left,
                y,
                b.level.code,
                size=14,
                anchor="middle",
                weight="bold",
                fill="#fff" if dark and b.count else "#222",
            )
        )
        parts.append(_text(text_x, y - 9, b.level.label, size=14, weight="bold"))
        parts.append(_text(text_x, y + 9, PLAIN[b.level.code], size=12, fill="#444"))
        parts.append(
            f"<rect x='{bar_x:.1f}' y='{y - 8:.1f}' width='{bar_w * b.bar:.1f}'"
            f" height='16' fill='{b.colour}'/>"
        )
        label = f"{b.count}  ({b.share:.0%})" + ("  ← turning point" if b.turning else "")
        parts.append(
            _text(
                bar_x + bar_w * b.bar + 6,
                y,
                label,
                size=13,
                weight="bold" if b.turning else "normal",
            )
        )
    parts.append("</svg>")
    return "".join(parts)


def timeline_svg(report: ThreadReport) -> str:
    """Level by reply order: one dot per reply, the attack zone shaded, the turning point ringed."""
    replies = report.replies
    width, height, left, right, top, row = 1060, 300, 215, 20, 15, 32.0
    n = max(len(replies), 1)
    step = (width - left - right) / max(n - 1, 1)

    def y_of(rank: int | None) -> float:  # DH6 at the top, "not a disagreement" at the bottom
        return top + (6 - rank) * row if rank is not None else top + 7.4 * row

    def x_of(i: int) -> float:
        return left + i * step if n > 1 else left + (width - left - right) / 2

    parts = [
        f"<svg viewBox='0 0 {width} {height}' {_FONT}"
        " role='img' aria-label='Level of each reply in order'>",
        f"<rect x='{left - 10}' y='{y_of(1) - row / 2:.1f}' width='{width - left - right + 20}'"
        f" height='{2 * row:.1f}' fill='#fde0dd'/>",
        _text(left - 14, y_of(0) + row / 2 + 2, "attacks", size=11, anchor="end", fill="#b2182b"),
    ]
    for lv in LEVELS:
        y = y_of(lv.rank)
        parts.append(
            f"<line x1='{left - 10}' x2='{width - right + 10}' y1='{y:.1f}' y2='{y:.1f}'"
            " stroke='#ddd'/>"
        )
        parts.append(_text(left - 14, y, lv.label, size=11, anchor="end"))
    parts.append(
        _text(left - 14, y_of(None), "not a disagreement", size=11, anchor="end", fill="#666")
    )
    points = [(x_of(r.index), y_of(r.rank)) for r in replies if r.rank is not None]
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f"<polyline points='{path}' fill='none' stroke='#888' stroke-width='1.2'/>")
    radius = 5.0 if n <= 80 else 3.0
    for r in replies:
        if r.judgement is None:
            continue
        colour = COLOURS[r.level] if r.level else NONE_COLOUR
        tip = f"#{r.index} {r.author}: {r.judgement.label}"
        parts.append(
            f"<circle cx='{x_of(r.index):.1f}' cy='{y_of(r.rank):.1f}' r='{radius}'"
            f" fill='{colour}'><title>{escape(tip)}</title></circle>"
        )
    tp = report.turning_point
    if tp is not None:
        x, y = x_of(tp.index), y_of(int(tp.level[2:]))
        parts.append(
            f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{top - 8}' y2='{y_of(None) + 10:.1f}'"
            f" stroke='{TURN_COLOUR}' stroke-dasharray='4 3'/>"
        )
        parts.append(
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{radius + 5}' fill='none'"
            f" stroke='{TURN_COLOUR}' stroke-width='3'/>"
        )
        anchor = "start" if x < width - 200 else "end"
        dx = 10 if anchor == "start" else -10
        parts.append(
            _text(
                x + dx,
                top - 2,
                f"turning point: reply #{tp.index}",
                size=12,
                anchor=anchor,
                weight="bold",
                fill=TURN_COLOUR,
            )
        )
    axis_y = height - 12
    parts.append(_text(left, axis_y, "first reply", size=11, fill="#666"))
    parts.append(
        _text(width - right, axis_y, f"reply #{n - 1}", size=11, anchor="end", fill="#666")
    )
    parts.append("</svg>")
    return "".join(parts)


def profile_svg(p: Participant, width: int = 220) -> str:
    """A participant's replies as one stacked bar, DH0 (red) on the left to DH6 (green)."""
    total = max(sum(p.levels.values()) + p.none, 1)
    x = 0.0
    parts = [
        f"<svg width='{width}' height='16'"
        f" viewBox='0 0 {width} 16' role='img' aria-label='Level profile'>"
    ]
    for code, n in [*((c, p.levels[c]) for c in LEVEL_CODES), ("none", p.none)]:
        if not n:
            continue
        w = width * n / total
        colour = COLOURS.get(code, NONE_COLOUR)
        name = code if code != "none" else "not a disagreement"
        parts.append(
            f"<rect x='{x:.1f}' y='0' width='{w:.1f}' height='16' fill='{colour}'>"
            f"<title>{name}: {n}</title></rect>"
        )
        x += w
    parts.append("</svg>")
    return "".join(parts)
