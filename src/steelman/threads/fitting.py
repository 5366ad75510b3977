"""Fitting the escalation model with scikit-learn (train time only): fit, cross-validate,
calibrate. The result is always a plain :class:`~steelman.threads.escalation.EscalationModel`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from steelman.errors import MissingDependency
from steelman.threads.escalation import EscalationModel
from steelman.threads.metrics import roc_auc

__all__ = ["calibrate", "cv_aucs", "fit_escalation", "oof_logits"]

FOLDS = 5


def fit_escalation(
    x: np.ndarray, y: np.ndarray, features: Sequence[str], c: float, **info: Any
) -> EscalationModel:
    """Standardise ``x`` and fit an L2 logistic regression; return it as a numpy model."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise MissingDependency("scikit-learn", "train", "Training the escalation model") from exc
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    lr = LogisticRegression(C=c, max_iter=5000)
    lr.fit((x - mean) / scale, y)
    return EscalationModel(
        features=tuple(features),
        mean=mean,
        scale=scale,
        coef=lr.coef_[0].astype(np.float64),
        intercept=float(lr.intercept_[0]),
        info=dict(info),
    )


def _folds(
    x: np.ndarray, y: np.ndarray, seed: int, groups: np.ndarray | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified 5-fold splits; with ``groups``, no group is on both sides of a split."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    if groups is None:
        split = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
        return list(split.split(x, y))
    grouped = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    return list(grouped.split(x, y, groups))


def cv_aucs(
    x: np.ndarray,
    y: np.ndarray,
    features: Sequence[str],
    c: float,
    *,
    repeats: int,
    seed: int,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """The AUC on each held-out fold of ``repeats`` x stratified 5-fold cross-validation
    (one row per conversation, so a conversation is never split across folds; with ``groups``,
    neither is a group of conversations)."""
    aucs = []
    for rep in range(repeats):
        for tr, te in _folds(x, y, seed + rep, groups):
            model = fit_escalation(x[tr], y[tr], features, c)
            aucs.append(roc_auc(y[te], model.predict_matrix(x[te])))
    return np.array(aucs)


def oof_logits(
    x: np.ndarray,
    y: np.ndarray,
    features: Sequence[str],
    c: float,
    *,
    seed: int,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Out-of-fold logits of one 5-fold pass: each row scored by a model that never saw it
    (nor, with ``groups``, any conversation of its group)."""
    z = np.zeros(len(y))
    for tr, te in _folds(x, y, seed, groups):
        model = fit_escalation(x[tr], y[tr], features, c)
        p = np.clip(model.predict_matrix(x[te]), 1e-12, 1 - 1e-12)
        z[te] = np.log(p / (1 - p))
    return z


def calibrate(model: EscalationModel, logits: np.ndarray, y: np.ndarray) -> EscalationModel:
    """Platt scaling: fit ``sigmoid(a * z + b)`` to out-of-fold logits and fold ``a``, ``b``
    into the model's weights. The ranking (and so the AUC) is unchanged when ``a > 0``; a model
    that ranks backwards out of fold (``a <= 0``) is returned as it is."""
    from sklearn.linear_model import LogisticRegression

    platt = LogisticRegression(C=1e4, max_iter=5000).fit(logits[:, None], y)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    if a <= 0:
        return model
    return dataclasses.replace(model, coef=model.coef * a, intercept=model.intercept * a + b)
