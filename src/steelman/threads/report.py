"""What the thread analysis says about one discussion: :class:`ThreadReport` and its parts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from steelman.judge.result import Judgement
from steelman.levels import ACTS, LEVELS

__all__ = [
    "LEVEL_CODES",
    "Participant",
    "Reply",
    "Rise",
    "Shape",
    "ThreadReport",
    "TurningPoint",
]

LEVEL_CODES: tuple[str, ...] = tuple(lv.code for lv in LEVELS)
QUOTE_CHARS = 400


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(float(x), digits)


@dataclass(frozen=True)
class Reply:
    """One comment of the thread in reply order, with the judge's reading of it.

    ``judgement`` is ``None`` when the comment was not judged (deleted, or no text); ``skipped``
    then says why.
    """

    index: int
    comment_id: str
    author: str
    parent_id: str | None
    text: str
    judgement: Judgement | None
    skipped: str | None = None

    @property
    def level(self) -> str | None:
        return self.judgement.level if self.judgement else None

    @property
    def rank(self) -> int | None:
        lv = self.level
        return int(lv[2:]) if lv else None

    @property
    def is_attack(self) -> bool:
        return self.judgement is not None and self.judgement.is_attack

    @property
    def acts(self) -> list[str]:
        """The non-disagreement acts the judge decided on, most likely first."""
        j = self.judgement
        return sorted(j.act_labels, key=lambda a: -j.acts.get(a, 0.0)) if j else []

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "id": self.comment_id,
            "author": self.author,
            "parent_id": self.parent_id,
            "text": self.text,
            "level": self.level,
            "acts": self.acts,
            "skipped": self.skipped,
            "judgement": self.judgement.to_dict() if self.judgement else None,
        }


@dataclass(frozen=True)
class Shape:
    """How many replies sit at each level, how many are not disagreement, and the acts seen."""

    levels: dict[str, int]  # "DH0".."DH6" -> count, every code present
    none: int  # judged, but not a disagreement
    acts: dict[str, int]  # act code -> replies where the judge decided on it, every act present
    skipped: int  # deleted or empty comments, not judged

    @property
    def judged(self) -> int:
        return sum(self.levels.values()) + self.none

    @property
    def attacks(self) -> int:
        return self.levels["DH0"] + self.levels["DH1"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "levels": dict(self.levels),
            "none": self.none,
            "acts": dict(self.acts),
            "skipped": self.skipped,
        }


def empty_counts() -> tuple[dict[str, int], dict[str, int]]:
    """Zeroed level and act counters, in hierarchy and act-table order."""
    return {c: 0 for c in LEVEL_CODES}, {a.code: 0 for a in ACTS}


@dataclass(frozen=True)
class Participant:
    """One author's level profile and whether they pull the discussion down or up.

    ``pull`` is ``"down"`` when they attack the person more often than the thread does or argue
    clearly lower than its mean, ``"up"`` when they argue clearly higher without attacking, and
    ``"level"`` otherwise (see :func:`steelman.threads.analyse.participants`).
    """

    author: str
    comments: int
    levels: dict[str, int]
    none: int
    mean_rank: float | None  # over their disagreements
    attack_share: float  # attacks / judged comments
    delta: float | None  # mean_rank - the thread's mean rank
    pull: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "author": self.author,
            "comments": self.comments,
            "levels": dict(self.levels),
            "none": self.none,
            "mean_rank": _round(self.mean_rank),
            "attack_share": _round(self.attack_share),
            "delta": _round(self.delta),
            "pull": self.pull,
        }


@dataclass(frozen=True)
class TurningPoint:
    """The first reply (in reply order) that fell to name-calling or ad hominem."""

    index: int
    comment_id: str
    author: str
    level: str
    quote: str  # the reply, shortened to QUOTE_CHARS

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "id": self.comment_id,
            "author": self.author,
            "level": self.level,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class Rise:
    """One comment and the risk just before it and just after it."""

    index: int  # the reply's place in reply order
    comment_id: str
    author: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "id": self.comment_id,
            "author": self.author,
            "before": round(self.before, 4),
            "after": round(self.after, 4),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Rise:
        return cls(
            int(d["index"]), str(d["id"]), str(d["author"]), float(d["before"]), float(d["after"])
        )


@dataclass(frozen=True)
class ThreadReport:
    """The judged thread: shape, participants, timeline, turning point and escalation risk.

    ``risk`` is the escalation model's forecast from the comments so far: the probability that
    the discussion turns to personal attacks (``None`` when no model was applied); ``features``
    are its inputs, and ``rise`` the comment after which the forecast rose most (``None`` when
    no comment raised it).
    """

    thread_id: str
    replies: tuple[Reply, ...]
    shape: Shape
    participants: tuple[Participant, ...]
    mean_rank: float | None
    attack_share: float
    turning_point: TurningPoint | None
    features: dict[str, float]
    risk: float | None = None
    models: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    rise: Rise | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the shape written by ``steelman thread --json``)."""
        return {
            "thread": self.thread_id,
            "risk": _round(self.risk),
            "risk_rose_most": self.rise.to_dict() if self.rise else None,
            "comments": len(self.replies),
            "shape": self.shape.to_dict(),
            "mean_rank": _round(self.mean_rank),
            "attack_share": _round(self.attack_share),
            "participants": [p.to_dict() for p in self.participants],
            "turning_point": self.turning_point.to_dict() if self.turning_point else None,
            "timeline": [r.level for r in self.replies],
            "features": {k: _round(v) for k, v in self.features.items()},
            "replies": [r.to_dict() for r in self.replies],
            "models": {k: dict(v) for k, v in self.models.items()},
            "problems": list(self.problems),
        }
