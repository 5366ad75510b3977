"""The bundled judge against a site layer on held-out decisions: ROC-AUC for "a moderator
rejects it", precision and recall at the hold threshold, each with a bootstrap interval drawn by
thread, and the gain with its own (paired) interval."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from steelman.threads.metrics import roc_auc

__all__ = ["Comparison", "Interval", "compare", "precision_recall"]


@dataclass(frozen=True)
class Interval:
    """A figure and its percentile bootstrap interval."""

    value: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.value:.3f} ({self.low:.3f}-{self.high:.3f})"

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Comparison:
    """Both scores on the same held-out decisions (same resamples for every figure)."""

    n: int
    rejected: int
    threshold: float
    auc_bundled: Interval
    auc_adapted: Interval
    gain: Interval  # adapted minus bundled ROC-AUC
    precision_bundled: Interval
    recall_bundled: Interval
    precision_adapted: Interval
    recall_adapted: Interval
    level: float
    resamples: int

    @property
    def better(self) -> bool:
        """The gain's interval lies above zero."""
        return self.gain.low > 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            out[k] = {kk: round(vv, 4) for kk, vv in v.items()} if isinstance(v, dict) else v
        return out


def precision_recall(y: np.ndarray, score: np.ndarray, threshold: float) -> tuple[float, float]:
    """Precision and recall of holding every reply scored at or above ``threshold`` (precision
    is 0 when nothing is held)."""
    held = score >= threshold
    caught = float(np.sum(held & y))
    return caught / max(int(held.sum()), 1), caught / max(int(y.sum()), 1)


def _figures(y: np.ndarray, base: np.ndarray, site: np.ndarray, t: float) -> np.ndarray:
    a_b, a_s = roc_auc(y, base), roc_auc(y, site)
    return np.array(
        [a_b, a_s, a_s - a_b, *precision_recall(y, base, t), *precision_recall(y, site, t)]
    )


def compare(
    rejected: np.ndarray,
    bundled: np.ndarray,
    adapted: np.ndarray,
    groups: np.ndarray,
    *,
    threshold: float = 0.5,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> Comparison:
    """Compare two scores of the same held-out rows; the bootstrap draws whole threads."""
    y = np.asarray(rejected, dtype=bool)
    bundled = np.asarray(bundled, np.float64)
    adapted = np.asarray(adapted, np.float64)
    point = _figures(y, bundled, adapted, threshold)
    names, inverse = np.unique(groups, return_inverse=True)
    members = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[members], np.arange(len(names) + 1))
    rng = np.random.default_rng(seed)
    draws: list[np.ndarray] = []
    tries = 0
    while len(draws) < resamples and tries < resamples * 20:
        tries += 1
        pick = rng.integers(0, len(names), len(names))
        idx = np.concatenate([members[starts[g] : starts[g + 1]] for g in pick])
        if y[idx].any() and not y[idx].all():
            draws.append(_figures(y[idx], bundled[idx], adapted[idx], threshold))
    boot = np.array(draws) if draws else point[None, :]
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(boot, [tail, 1.0 - tail], axis=0)
    iv = [
        Interval(float(p), float(lo), float(hi)) for p, lo, hi in zip(point, low, high, strict=True)
    ]
    return Comparison(
        n=len(y),
        rejected=int(y.sum()),
        threshold=threshold,
        auc_bundled=iv[0],
        auc_adapted=iv[1],
        gain=iv[2],
        precision_bundled=iv[3],
        recall_bundled=iv[4],
        precision_adapted=iv[5],
        recall_adapted=iv[6],
        level=level,
        resamples=len(draws),
    )
