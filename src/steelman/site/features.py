"""What a site layer reads of a reply: the bundled judge's probabilities and its pooled encoding.

The probabilities come from a judgement dict (:meth:`steelman.judge.Judgement.to_dict`'s shape, as
the server stores it): the level scores, the disagreement and attack probabilities, the acts and
the attribute heads, each as a log-odds. The pooled vector is the encoder's mean token state
(:meth:`steelman.judge.Judge.pooled`). The encoder itself is never trained here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["BASELINE", "SITE_ATTRIBUTE", "baseline_scores", "probabilities", "probability_names"]

# The attribute a site layer adds to a judgement: P(this site's moderators reject the reply).
SITE_ATTRIBUTE = "site_reject"
# The bundled judge's own score for "a moderator rejects it": what the queue ordered by before.
BASELINE = "attack"
_EPS = 1e-4


def _flat(j: Mapping[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for group in ("scores", "acts", "attributes"):
        for k, v in (j.get(group) or {}).items():
            if k != SITE_ATTRIBUTE and isinstance(v, int | float):
                out[f"{group}.{k}"] = float(v)
    for k in ("disagreement", "attack"):
        if isinstance(j.get(k), int | float):
            out[k] = float(j[k])
    return out


def probability_names(judgements: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """Every probability the judgements hold, in a fixed order (a layer keeps its own list)."""
    names: set[str] = set()
    for j in judgements:
        names.update(_flat(j))
    return tuple(sorted(names))


def probabilities(judgements: Sequence[Mapping[str, Any]], names: Sequence[str]) -> np.ndarray:
    """``(n, len(names))`` log-odds of the named probabilities (0.5 where one is missing)."""
    out = np.zeros((len(judgements), len(names)), dtype=np.float64)
    index = {name: i for i, name in enumerate(names)}
    for r, j in enumerate(judgements):
        for name, p in _flat(j).items():
            i = index.get(name)
            if i is not None:
                q = min(max(p, _EPS), 1.0 - _EPS)
                out[r, i] = np.log(q / (1.0 - q))
    return out


def baseline_scores(judgements: Sequence[Mapping[str, Any]]) -> np.ndarray:
    """The bundled judge's score for each reply: its attack probability (the queue's order
    without a site layer)."""
    return np.array([float(j.get(BASELINE, 0.0)) for j in judgements], dtype=np.float64)
