"""Forecasting from the comments so far: the risk after each comment, and the ones that moved it.

The escalation model reads a thread's features (:func:`~steelman.threads.features.
thread_features`) and gives the probability that the discussion turns to personal attacks. Read
after each comment in reply order, those probabilities are the thread's *trajectory*; the comments
where the risk rose most are the reason a moderator is shown. Nothing here sees a comment that has
not been posted: the forecast after comment ``k`` reads comments ``0..k`` only.

- :func:`trajectory`: the risk before any comment, then after each one.
- :func:`forecast`: the risk now and the comments that raised it most (:class:`Rise`).
- :func:`advance`: the same after one new comment, from the previous :class:`Forecast` (what the
  server does as comments arrive: one feature computation, not one per comment).
- :func:`judgement_from_dict`: a :class:`~steelman.judge.result.Judgement` back from its JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from steelman.judge.result import Judgement
from steelman.threads.escalation import EscalationModel
from steelman.threads.features import thread_features
from steelman.threads.report import Reply, Rise

__all__ = ["MOVERS", "Forecast", "Rise", "advance", "forecast", "judgement_from_dict", "trajectory"]

MOVERS = 3  # the comments kept as the reason for a forecast


@dataclass(frozen=True)
class Forecast:
    """The risk after the thread's replies so far, and the comments that raised it most
    (largest rise first; only rises above zero)."""

    risk: float
    replies: int  # how many replies (judged or not) it has read
    movers: tuple[Rise, ...] = ()

    @property
    def rose_most(self) -> Rise | None:
        return self.movers[0] if self.movers else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "risk": round(self.risk, 4),
            "replies": self.replies,
            "movers": [m.to_dict() for m in self.movers],
        }


def trajectory(replies: Sequence[Reply], model: EscalationModel, *, start: int = 0) -> np.ndarray:
    """The risk before any reply (entry 0), then after each reply (entry ``k + 1`` after reply
    ``k``): ``len(replies) + 1`` probabilities, each read from the replies up to that point.
    With ``start``, only from the risk before reply ``start`` on (``len(replies) + 1 - start``)."""
    rows = [thread_features(replies[:k]) for k in range(start, len(replies) + 1)]
    return model.predict_matrix(np.stack([model.vector(f) for f in rows]))


def _top(rises: Sequence[Rise], top: int) -> tuple[Rise, ...]:
    up = [r for r in rises if r.delta > 0]
    return tuple(sorted(up, key=lambda r: (-r.delta, r.index))[:top])


def _rise(reply: Reply, before: float, after: float) -> Rise:
    return Rise(reply.index, reply.comment_id, reply.author, float(before), float(after))


def forecast(
    replies: Sequence[Reply],
    model: EscalationModel,
    *,
    top: int = MOVERS,
    window: int | None = None,
) -> Forecast:
    """The risk after every reply so far and the ``top`` replies that raised it most (among
    the last ``window`` replies when given: the cost grows with the square of the replies
    searched)."""
    start = 0 if window is None else max(0, len(replies) - window)
    path = trajectory(replies, model, start=start)
    rises = [_rise(r, path[k], path[k + 1]) for k, r in enumerate(replies[start:])]
    return Forecast(float(path[-1]), len(replies), _top(rises, top))


def advance(
    previous: Forecast, replies: Sequence[Reply], model: EscalationModel, *, top: int = MOVERS
) -> Forecast:
    """The forecast after the last of ``replies``, given ``previous``, the forecast after all
    the others (``previous.replies == len(replies) - 1``); anything else is recomputed whole."""
    if not replies or previous.replies != len(replies) - 1:
        return forecast(replies, model, top=top)
    after = model.predict_proba(thread_features(replies))
    new = _rise(replies[-1], previous.risk, after)
    return Forecast(after, len(replies), _top([*previous.movers, new], top))


def judgement_from_dict(d: Mapping[str, Any]) -> Judgement:
    """The parts of a judgement the forecast reads, from :meth:`Judgement.to_dict`'s shape (as
    the server stores it). Evidence spans are not restored."""
    return Judgement(
        level=d.get("level"),
        scores={str(k): float(v) for k, v in (d.get("scores") or {}).items()},
        disagreement=float(d.get("disagreement", 0.0)),
        attack=float(d.get("attack", 0.0)),
        acts={str(k): float(v) for k, v in (d.get("acts") or {}).items()},
        because=(),
        suggestion=str(d.get("suggestion", "")),
        model={str(k): str(v) for k, v in (d.get("model") or {}).items()},
        act_labels=tuple(d.get("act_labels") or ()),
        top_level=str(d.get("top_level") or d.get("level") or "DH3"),
        attributes={str(k): float(v) for k, v in (d.get("attributes") or {}).items()},
    )
