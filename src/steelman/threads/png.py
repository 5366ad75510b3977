"""A PNG of the thread's pyramid (:func:`render_png`), drawn with Pillow (``steelman[png]``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from steelman.errors import MissingDependency
from steelman.threads._io import atomic_output
from steelman.threads.layout import (
    LEGEND,
    NONE_COLOUR,
    PLAIN,
    TURN_COLOUR,
    pyramid_bands,
    risk_words,
)
from steelman.threads.report import ThreadReport

__all__ = ["render_png"]

WIDTH, HEIGHT = 1600, 1020


def _fonts() -> dict[int, Any]:
    from PIL import ImageFont

    return {size: ImageFont.load_default(size=size) for size in (18, 20, 24, 34)}


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_png(report: ThreadReport, path: str | Path) -> Path:
    """Draw Graham's pyramid for ``report`` into a PNG file at ``path`` (written atomically)."""
    try:
        from PIL import Image, ImageDraw
    except ImportError as exc:
        raise MissingDependency("pillow", "png", "Drawing the pyramid as PNG") from exc
    font = _fonts()
    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(img)
    title = _shorten(f"How people disagreed in thread {report.thread_id}", 70)
    draw.text((40, 28), title, fill="#222", font=font[34])
    draw.text(
        (40, 80),
        "Graham's hierarchy of disagreement: insults at the bottom, refuting the main point"
        " at the top. Higher is better.",
        fill="#444",
        font=font[20],
    )
    for i, (colour, text) in enumerate(LEGEND):
        lx, ly = 40 + (i % 2) * 620, 122 + (i // 2) * 30
        draw.rectangle((lx, ly + 2, lx + 18, ly + 20), fill=colour)
        draw.text((lx + 26, ly), text, fill="#333", font=font[18])
    draw.rectangle((1240, 124, 1258, 142), outline=TURN_COLOUR, width=4)
    draw.text((1266, 122), "purple outline: turning point", fill="#333", font=font[18])
    draw.text((1266, 152), "(the first attack on a person)", fill="#333", font=font[18])
    left, top, pw, ph = 40, 200, 420.0, 630.0
    bar_x, bar_w = left + pw + 660, 160.0
    for b in pyramid_bands(report, pw, ph):
        pts = [(px + left, py + top) for px, py in b.polygon]
        fill = b.colour if b.count else _faded(b.colour)
        draw.polygon(pts, fill=fill, outline="white")
        if b.turning:
            draw.line([*pts, pts[0]], fill=TURN_COLOUR, width=6)
        y = b.label_y + top
        dark = b.count and b.level.rank in (0, 1, 6)
        draw.text(
            (b.label_x + left, y),
            b.level.code,
            fill="white" if dark else "#222",
            font=font[24],
            anchor="mm",
        )
        draw.text((left + pw + 30, y - 14), b.level.label, fill="#222", font=font[24], anchor="lm")
        draw.text(
            (left + pw + 30, y + 16), PLAIN[b.level.code], fill="#555", font=font[18], anchor="lm"
        )
        if b.count:
            draw.rectangle((bar_x, y - 12, bar_x + max(bar_w * b.bar, 3), y + 12), fill=b.colour)
        label = f"{b.count} ({b.share:.0%})" + ("  <- turning point" if b.turning else "")
        draw.text(
            (bar_x + bar_w * b.bar + 10, y),
            label,
            fill=TURN_COLOUR if b.turning else "#222",
            font=font[20],
            anchor="lm",
        )
    sh = report.shape
    foot = top + ph + 40
    draw.rectangle((left, foot, left + 18, foot + 18), fill=NONE_COLOUR)
    acts = ", ".join(f"{code.replace('_', ' ')} {n}" for code, n in sh.acts.items() if n)
    draw.text(
        (left + 28, foot - 2),
        _shorten(
            f"Not a disagreement: {sh.none} {'reply' if sh.none == 1 else 'replies'}."
            + (f" Other moves seen in replies: {acts}" if acts else ""),
            150,
        ),
        fill="#333",
        font=font[20],
    )
    tp = report.turning_point
    turn = (
        f"Turning point: reply #{tp.index} by {_shorten(tp.author, 30)} ({tp.level}):"
        f" \u201c{_shorten(tp.quote, 80)}\u201d"
        if tp
        else "No reply attacked the person."
    )
    draw.text((left, foot + 40), turn, fill=TURN_COLOUR if tp else "#333", font=font[20])
    if report.risk is not None:
        risk = (
            f"Escalation risk (forecast that it turns to attacks): {report.risk:.0%}"
            f" ({risk_words(report.risk)})"
        )
        draw.text((left, foot + 80), risk, fill="#222", font=font[20])
    path = Path(path)
    with atomic_output(path) as tmp:
        img.save(tmp, format="PNG")
    return path


def _faded(colour: str) -> str:
    """The colour mixed 75% towards white (an empty rung)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(c + (255 - c) * 3 // 4 for c in (r, g, b)))
