"""ROC-AUC and accuracy with bootstrap intervals, in numpy, for the escalation model and its
baselines."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["AucInterval", "accuracy", "bootstrap_accuracy", "bootstrap_auc", "roc_auc"]


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve: the chance that a random positive outranks a random negative
    (ties count half). ``nan`` when ``y`` holds a single class."""
    y = np.asarray(y).astype(bool)
    score = np.asarray(score, dtype=np.float64)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    # the Mann-Whitney U from mid-ranks (tied scores share the mean of their ranks): O(n log n)
    _, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    mid = np.cumsum(counts) - (counts - 1) / 2.0
    ranks = mid[inverse]
    u = ranks[y].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def accuracy(y: np.ndarray, prob: np.ndarray, threshold: float = 0.5) -> float:
    """Share of rows where ``prob >= threshold`` agrees with ``y``."""
    y = np.asarray(y).astype(bool)
    return float(np.mean((np.asarray(prob, dtype=np.float64) >= threshold) == y))


@dataclass(frozen=True)
class AucInterval:
    """A figure (an AUC, or an accuracy) and its percentile bootstrap interval."""

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
    return _bootstrap(y, scores, roc_auc, resamples=resamples, level=level, seed=seed)


def bootstrap_accuracy(
    y: np.ndarray,
    probs: Mapping[str, np.ndarray],
    *,
    threshold: float = 0.5,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, AucInterval]:
    """Accuracy of each named probability at ``threshold``, with a percentile bootstrap interval
    drawn exactly as :func:`bootstrap_auc` draws (same ``seed``: same resamples)."""

    def acc(yy: np.ndarray, p: np.ndarray) -> float:
        return accuracy(yy, p, threshold)

    return _bootstrap(y, probs, acc, resamples=resamples, level=level, seed=seed)


def _bootstrap(
    y: np.ndarray,
    scores: Mapping[str, np.ndarray],
    metric: Callable[[np.ndarray, np.ndarray], float],
    *,
    resamples: int,
    level: float,
    seed: int,
) -> dict[str, AucInterval]:
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
        boot = np.array([metric(y[i], s[i]) for i in draws])
        low, high = np.quantile(boot, [tail, 1.0 - tail])
        out[name] = AucInterval(metric(y, s), float(low), float(high), level, resamples)
    return out
