"""Fitting a site layer: the design matrix, folds grouped by thread, the penalty chosen inside
each training split, and out-of-fold predictions for an honest comparison.

No reply's thread is ever split between training and testing: replies in one thread share
authors and wording, and a layer that saw a thread's other replies would look better than it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from steelman.site.features import probabilities
from steelman.site.logistic import Logistic
from steelman.threads.metrics import roc_auc

__all__ = [
    "L2_GRID",
    "Examples",
    "choose_l2",
    "cross_validate",
    "design",
    "fit_choosing",
    "fit_layer",
    "grouped_folds",
    "reads_pooled",
]

# Penalties tried (on standardised features, against the summed loss): strong ones win with a
# hundred decisions, weak ones with ten thousand.
L2_GRID = (3.0, 30.0, 300.0, 3000.0)


@dataclass(frozen=True)
class Examples:
    """Decided replies as a layer reads them."""

    judgements: Sequence[Mapping[str, Any]]  # the bundled judge's judgement of each (dicts)
    pooled: np.ndarray  # (n, dim) pooled encodings; (n, 0) for a judge without them
    rejected: np.ndarray  # (n,) bool: the site's moderators rejected it
    groups: np.ndarray  # (n,) the thread of each (folds never split one)
    weights: np.ndarray  # (n,) how much each decision counts

    def __len__(self) -> int:
        return len(self.rejected)

    def take(self, idx: np.ndarray) -> Examples:
        return Examples(
            [self.judgements[i] for i in idx],
            self.pooled[idx],
            self.rejected[idx],
            self.groups[idx],
            self.weights[idx],
        )


def design(
    judgements: Sequence[Mapping[str, Any]], pooled: np.ndarray, names: Sequence[str]
) -> np.ndarray:
    """The layer's input: the named probabilities as log-odds, then the pooled encoding."""
    return np.hstack([probabilities(judgements, names), np.asarray(pooled, np.float64)])


def grouped_folds(groups: np.ndarray, k: int, seed: int = 0) -> list[np.ndarray]:
    """``k`` test folds (row indices), whole groups each, of about equal size: the groups are
    shuffled, then each goes to the fold with the fewest rows so far."""
    names, inverse, counts = np.unique(groups, return_inverse=True, return_counts=True)
    order = np.random.default_rng(seed).permutation(len(names))
    order = order[np.argsort(-counts[order], kind="stable")]  # big threads first, ties shuffled
    sizes = np.zeros(k, dtype=np.int64)
    fold_of = np.empty(len(names), dtype=np.int64)
    for g in order:
        f = int(np.argmin(sizes))
        fold_of[g] = f
        sizes[f] += counts[g]
    row_fold = fold_of[inverse]
    return [np.flatnonzero(row_fold == f) for f in range(k)]


def _auc_or_zero(y: np.ndarray, p: np.ndarray) -> float:
    a = roc_auc(y, p)
    return 0.0 if np.isnan(a) else a


def _l2_aucs(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, groups: np.ndarray, seed: int
) -> list[float]:
    """ROC-AUC of each penalty of :data:`L2_GRID` over 3 thread-grouped folds of these rows."""
    folds = grouped_folds(groups, 3, seed)
    scores = np.zeros((len(L2_GRID), len(y)))
    for test in folds:
        train = np.setdiff1d(np.arange(len(y)), test)
        if y[train].all() or not y[train].any():
            continue
        prev: Logistic | None = None
        for l2 in sorted(L2_GRID, reverse=True):
            prev = Logistic(l2).fit(x[train], y[train], w[train], start=prev)
            scores[L2_GRID.index(l2), test] = prev.decision_function(x[test])
    return [_auc_or_zero(y, s) for s in scores]


def choose_l2(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, groups: np.ndarray, *, seed: int = 0
) -> float:
    """The penalty from :data:`L2_GRID` with the best ROC-AUC over 3 thread-grouped folds of the
    training rows alone (strongest on ties)."""
    aucs = _l2_aucs(x, y, w, groups, seed)
    best = max(aucs)
    return max(l2 for l2, a in zip(L2_GRID, aucs, strict=True) if a >= best - 1e-9)


def reads_pooled(x: np.ndarray, ex: Examples, n_probabilities: int, *, seed: int = 0) -> bool:
    """Whether the layer should read the pooled encoding (``x``'s columns after the first
    ``n_probabilities``) as well as the judge's probabilities: only when that ranks the training
    rows better over 3 thread-grouped folds (its best penalty against theirs). With a hundred
    decisions the encoding's hundreds of numbers are often too many."""
    if x.shape[1] == n_probabilities:
        return False
    y, w, g = ex.rejected, ex.weights, ex.groups
    alone = max(_l2_aucs(x[:, :n_probabilities], y, w, g, seed))
    return max(_l2_aucs(x, y, w, g, seed)) > alone + 1e-9


def fit_layer(x: np.ndarray, ex: Examples, *, seed: int = 0) -> Logistic:
    """A head on ``x`` (the design of ``ex``), its penalty chosen on ``ex`` alone."""
    y = ex.rejected.astype(np.float64)
    l2 = choose_l2(x, ex.rejected, ex.weights, ex.groups, seed=seed)
    return Logistic(l2).fit(x, y, ex.weights)


def fit_choosing(ex: Examples, names: Sequence[str], *, seed: int = 0) -> tuple[Logistic, bool]:
    """A head on ``ex`` with its design chosen (:func:`reads_pooled`) and its penalty chosen,
    both on ``ex`` alone; and whether it reads the pooled encoding."""
    x = design(ex.judgements, ex.pooled, names)
    pooled = reads_pooled(x, ex, len(names), seed=seed)
    return fit_layer(x if pooled else x[:, : len(names)], ex, seed=seed), pooled


def cross_validate(
    ex: Examples, names: Sequence[str], *, k: int = 5, seed: int = 0
) -> tuple[np.ndarray, list[float]]:
    """Out-of-fold P(rejected) for every row (each from a layer that never saw its thread, its
    design and penalty chosen inside the training split) and the penalty of each fold."""
    x = design(ex.judgements, ex.pooled, names)
    out = np.zeros(len(ex))
    chosen = []
    for test in grouped_folds(ex.groups, k, seed):
        train = np.setdiff1d(np.arange(len(ex)), test)
        head, pooled = fit_choosing(ex.take(train), names, seed=seed)
        chosen.append(head.l2)
        out[test] = head.predict_proba(x[test] if pooled else x[test][:, : len(names)])
    return out, chosen
