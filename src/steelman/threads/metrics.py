"""ROC-AUC with a bootstrap interval, in numpy, for the escalation model and its baselines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["AucInterval", "bootstrap_auc", "roc_auc"]


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve: the chance that a random positive outranks a random negative
    (ties count half). ``nan`` when ``y`` holds a single class."""
    y = np.asarray(y).astype(bool)
    score = np.asarray(score, dtype=np.float64)
    pos, neg = score[y], score[~y]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


@dataclass(frozen=True)
class AucInterval:
    """An AUC and its percentile bootstrap interval."""

    auc: float
    low: float
    high: float
    level: float
    resamples: int

    def __str__(self) -> str:
        pct = round(self.level * 100)
        return f"{self.auc:.3f} ({pct}% CI {self.low:.3f}-{self.high:.3f})"

    def to_dict(self) -> dict[str, float | int]:
        return {
            "auc": round(self.auc, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
            "level": self.level,
            "resamples": self.resamples,
        }


def bootstrap_auc(
    y: np.ndarray,
    scores: Mapping[str, np.ndarray],
    *,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, AucInterval]:
    """AUC of each named score with a percentile bootstrap interval.

    Every score is evaluated on the SAME resamples (drawn with replacement; a resample holding a
    single class is drawn again), so the intervals of a model and its baselines are comparable.
    """
    y = np.asarray(y).astype(bool)
    rng = np.random.default_rng(seed)
    n = len(y)
    draws: list[np.ndarray] = []
    while len(draws) < resamples:
        idx = rng.integers(0, n, n)
        if y[idx].any() and not y[idx].all():
            draws.append(idx)
    out = {}
    tail = (1.0 - level) / 2.0
    for name, s in scores.items():
        s = np.asarray(s, dtype=np.float64)
        boot = np.array([roc_auc(y[i], s[i]) for i in draws])
        low, high = np.quantile(boot, [tail, 1.0 - tail])
        out[name] = AucInterval(roc_auc(y, s), float(low), float(high), level, resamples)
    return out
