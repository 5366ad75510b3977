"""Evaluation metrics in plain numpy (no scikit-learn needed at run time)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "confusion",
    "expected_calibration_error",
    "f1_per_class",
    "macro_f1",
    "roc_auc",
    "within_one",
]


def roc_auc(y: Sequence[bool] | np.ndarray, score: Sequence[float] | np.ndarray) -> float:
    """Area under the ROC curve (ties count half); NaN when only one class is present."""
    yy = np.asarray(y, dtype=bool)
    s = np.asarray(score, dtype=np.float64)
    pos, neg = int(yy.sum()), int((~yy).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[yy].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def f1_per_class(
    y: Sequence[int] | np.ndarray, pred: Sequence[int] | np.ndarray, labels: Sequence[int]
) -> list[tuple[float, float, float, int]]:
    """(precision, recall, F1, support) for each label."""
    yy, pp = np.asarray(y), np.asarray(pred)
    out = []
    for c in labels:
        tp = float(np.sum((pp == c) & (yy == c)))
        npred, ntrue = float(np.sum(pp == c)), int(np.sum(yy == c))
        prec = tp / npred if npred else 0.0
        rec = tp / ntrue if ntrue else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out.append((prec, rec, f1, ntrue))
    return out


def macro_f1(
    y: Sequence[int] | np.ndarray, pred: Sequence[int] | np.ndarray, labels: Sequence[int]
) -> float:
    """Mean F1 over the labels that occur in ``y`` (absent labels would only add noise)."""
    rows = [r for r in f1_per_class(y, pred, labels) if r[3] > 0]
    return float(np.mean([r[2] for r in rows])) if rows else float("nan")


def within_one(y: Sequence[int] | np.ndarray, pred: Sequence[int] | np.ndarray) -> float:
    """Share of predictions at most one level away from the truth."""
    yy, pp = np.asarray(y), np.asarray(pred)
    return float(np.mean(np.abs(yy - pp) <= 1)) if len(yy) else float("nan")


def confusion(
    y: Sequence[int] | np.ndarray, pred: Sequence[int] | np.ndarray, k: int
) -> np.ndarray:
    """Counts: rows are the truth, columns the prediction."""
    m = np.zeros((k, k), dtype=np.int64)
    for a, b in zip(np.asarray(y).tolist(), np.asarray(pred).tolist(), strict=True):
        m[int(a), int(b)] += 1
    return m


def expected_calibration_error(
    y: Sequence[bool] | np.ndarray, p: Sequence[float] | np.ndarray, bins: int = 10
) -> float:
    """ECE of binary probabilities over equal-width bins."""
    yy = np.asarray(y, dtype=np.float64)
    pp = np.asarray(p, dtype=np.float64)
    if not len(pp):
        return float("nan")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(pp, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            total += sel.mean() * abs(pp[sel].mean() - yy[sel].mean())
    return float(total)
