"""L2-regularised logistic regression in numpy (Newton's method), on standardised features.

Small on purpose: a few hundred features and up to tens of thousands of rows, fitted in well under
a second per fit. Follows scikit-learn's estimator habits: ``fit`` returns ``self``, learned state
ends in ``_``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Logistic", "sigmoid"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), np.float64)


class Logistic:
    """``P(y=1 | x) = sigmoid(x_std @ coef_ + intercept_)``, with ``x_std = (x - mean_) /
    scale_``; the penalty ``l2 / 2 * |coef_|^2`` on the standardised weights, against the summed
    (not averaged) loss (the intercept is free). ``weight`` scales each row's loss."""

    def __init__(self, l2: float = 1.0, *, max_iter: int = 50, tol: float = 1e-6) -> None:
        self.l2 = l2
        self.max_iter = max_iter
        self.tol = tol
        self.mean_ = np.zeros(0)
        self.scale_ = np.ones(0)
        self.coef_ = np.zeros(0)
        self.intercept_ = 0.0

    def standardise(self, x: np.ndarray) -> np.ndarray:
        return np.asarray((x - self.mean_) / self.scale_, np.float64)

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        weight: np.ndarray | None = None,
        *,
        start: Logistic | None = None,
    ) -> Logistic:
        """Fit on ``x`` ``(n, d)`` and 0/1 ``y``; ``start`` (a fit on the same features) warms
        the solver up."""
        x = np.asarray(x, np.float64)
        y = np.asarray(y, np.float64)
        w = np.ones(len(y)) if weight is None else np.asarray(weight, np.float64)
        self.mean_ = x.mean(axis=0)
        self.scale_ = x.std(axis=0)
        self.scale_[self.scale_ < 1e-9] = 1.0
        z = self.standardise(x)
        n, d = z.shape
        a = np.hstack([z, np.ones((n, 1))])
        beta = np.zeros(d + 1)
        if start is not None and len(start.coef_) == d:
            beta[:d], beta[d] = start.coef_, start.intercept_
        else:
            prior = np.clip(np.average(y, weights=w), 1e-3, 1 - 1e-3)
            beta[d] = np.log(prior / (1 - prior))
        penalty = np.full(d + 1, float(self.l2))
        penalty[d] = 0.0
        for _ in range(self.max_iter):
            p = sigmoid(a @ beta)
            grad = a.T @ (w * (p - y)) + penalty * beta
            h = (a * (w * p * (1 - p))[:, None]).T @ a
            h[np.diag_indices_from(h)] += penalty + 1e-9
            step = np.linalg.solve(h, grad)
            beta -= step
            if np.max(np.abs(step)) < self.tol:
                break
        self.coef_, self.intercept_ = beta[:d], float(beta[d])
        return self

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.standardise(np.asarray(x, np.float64)) @ self.coef_, np.float64) + (
            self.intercept_
        )

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """P(y=1) for each row of ``x``."""
        return sigmoid(self.decision_function(x))
