"""Cut a reply into plain and highlighted pieces from the judge's ``because`` spans.

Templates render the pieces with autoescaping on; nothing here builds HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from steelman.levels import LEVELS

__all__ = ["Piece", "pieces", "pyramid_rows"]


@dataclass(frozen=True)
class Piece:
    text: str
    reason: str = ""
    points_to: str = ""

    @property
    def marked(self) -> bool:
        return bool(self.reason or self.points_to)


def pieces(text: str, because: list[dict[str, Any]]) -> list[Piece]:
    """``text`` split at the evidence spans (overlaps dropped, out-of-range spans ignored)."""
    out: list[Piece] = []
    at = 0
    for e in sorted(because, key=lambda e: (e["start"], -e["end"])):
        start, end = int(e["start"]), int(e["end"])
        if start < at or end > len(text) or start >= end:
            continue
        if start > at:
            out.append(Piece(text[at:start]))
        out.append(Piece(text[start:end], str(e.get("reason", "")), str(e.get("points_to", ""))))
        at = end
    if at < len(text):
        out.append(Piece(text[at:]))
    return out


def pyramid_rows(current: str | None, counts: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """The seven rungs from DH6 at the top to DH0, marking ``current`` (and counts, if given)."""
    return [
        {
            "code": lv.code,
            "name": lv.name,
            "definition": lv.definition,
            "current": lv.code == current,
            "count": (counts or {}).get(lv.code, 0),
        }
        for lv in reversed(LEVELS)
    ]
