"""What the judge says about one reply: :class:`Judgement` and its :class:`Evidence`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from steelman.levels import level as _level

__all__ = ["Evidence", "Judgement"]


@dataclass(frozen=True)
class Evidence:
    """A span of the reply (``reply[start:end] == text``) and why it pushed the judgement."""

    start: int
    end: int
    text: str
    reason: str
    points_to: str  # a level code ("DH1") or an act code ("question")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Judgement:
    """The judge's reading of one reply.

    - ``level``: "DH0".."DH6" for a disagreement, ``None`` when the reply is not one (a question,
      a clarification, ...).
    - ``scores``: probability of each level *if* the reply is a disagreement (sums to 1).
    - ``disagreement``: probability that the reply disagrees at all.
    - ``attack``: probability that it attacks the person rather than the argument (DH0 or DH1).
    - ``acts``: probability of each non-disagreement act (independent; they can co-occur);
      ``act_labels`` the acts it decided on (see :mod:`steelman.judge.decide`).
    - ``because``: the spans of the reply that put it there, strongest first.
    - ``suggestion``: one concrete way to climb higher.
    - ``model``: the model's name and version.
    """

    level: str | None
    scores: dict[str, float]
    disagreement: float
    attack: float
    acts: dict[str, float]
    because: tuple[Evidence, ...]
    suggestion: str
    model: dict[str, str]
    act_labels: tuple[str, ...] = ()  # the acts the judge decided on (tuned thresholds)
    top_level: str = field(default="DH3")  # most likely level, even when not a disagreement
    # the other heads as probabilities: toxicity, insult, identity_attack, threat, profanity,
    # reasons (gives reasons: an argument of high rated quality)
    attributes: dict[str, float] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``"DH1 Ad hominem"``, or ``"not a disagreement"``."""
        return _level(self.level).label if self.level else "not a disagreement"

    @property
    def is_attack(self) -> bool:
        return self.level in ("DH0", "DH1")

    def main_acts(self, threshold: float | None = None) -> list[str]:
        """The acts performed, most likely first: the judge's decisions (``act_labels``), or
        those at or above ``threshold`` when one is given."""
        if threshold is None:
            picked = [(self.acts.get(a, 0.0), a) for a in self.act_labels]
        else:
            picked = [(p, a) for a, p in self.acts.items() if p >= threshold]
        return [a for _, a in sorted(picked, reverse=True)]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape written by ``steelman score`` under the ``"steelman"`` key."""
        return {
            "level": self.level,
            "label": self.label,
            "scores": dict(self.scores),
            "disagreement": self.disagreement,
            "attack": self.attack,
            "acts": dict(self.acts),
            "act_labels": list(self.act_labels),
            "top_level": self.top_level,
            "attributes": dict(self.attributes),
            "because": [e.to_dict() for e in self.because],
            "suggestion": self.suggestion,
            "model": dict(self.model),
        }
