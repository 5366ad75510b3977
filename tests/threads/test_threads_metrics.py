"""ROC-AUC and its bootstrap interval."""

from __future__ import annotations

import math

import numpy as np
from sklearn.metrics import roc_auc_score

from steelman.threads.metrics import bootstrap_auc, roc_auc


def test_roc_auc_matches_sklearn_with_ties() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 50)
    s = rng.integers(0, 5, 50).astype(float)  # many ties
    assert roc_auc(y, s) == roc_auc_score(y, s)
    assert math.isnan(roc_auc(np.ones(4), np.arange(4)))


def test_bootstrap_interval_brackets_the_estimate_and_is_reproducible() -> None:
    rng = np.random.default_rng(1)
    y = np.array([0] * 8 + [1] * 9)
    good = y + rng.normal(scale=1.0, size=17)
    noise = rng.normal(size=17)
    a = bootstrap_auc(y, {"good": good, "noise": noise}, resamples=300, seed=3)
    b = bootstrap_auc(y, {"good": good, "noise": noise}, resamples=300, seed=3)
    assert a == b
    for v in a.values():
        assert v.low <= v.auc <= v.high and v.resamples == 300
    assert a["good"].auc > a["noise"].auc
    assert a["good"].high - a["good"].low > 0.05  # 17 rows: a wide interval
    assert "95% CI" in str(a["good"])
