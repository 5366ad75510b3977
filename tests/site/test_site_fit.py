"""The layer's maths on synthetic features: logistic regression, folds by thread, the comparison
with intervals, and adapt's refusals."""

from __future__ import annotations

import numpy as np
import pytest

from steelman.site.adapt import AdaptOptions, evaluate_examples
from steelman.site.evaluate import compare, precision_recall
from steelman.site.fit import Examples, design, grouped_folds, reads_pooled
from steelman.site.logistic import Logistic
from steelman.threads.metrics import roc_auc


def _synthetic(n: int, *, signal: float, seed: int = 0, dim: int = 16) -> Examples:
    """Decisions whose rejection follows pooled dimension 3 (not the judge's attack), with
    the attack probability pure noise; threads of 5."""
    rng = np.random.default_rng(seed)
    pooled = rng.normal(size=(n, dim))
    logit = signal * pooled[:, 3] - 0.5
    rejected = rng.random(n) < 1 / (1 + np.exp(-logit))
    attack = rng.uniform(0.01, 0.99, n)
    judgements = [
        {"attack": float(a), "disagreement": 0.5, "scores": {"DH0": float(a) / 2}} for a in attack
    ]
    groups = np.array([f"t{i // 5}" for i in range(n)])
    return Examples(judgements, pooled, rejected, groups, np.ones(n))


def test_logistic_learns_a_rule_and_fit_returns_self() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(600, 5))
    y = (x[:, 0] - 2 * x[:, 2] + rng.normal(scale=0.3, size=600)) > 0
    model = Logistic(1.0)
    assert model.fit(x[:400], y[:400]) is model
    assert roc_auc(y[400:], model.predict_proba(x[400:])) > 0.95
    assert model.coef_[0] > 0 > model.coef_[2]
    # a stronger penalty shrinks the weights
    assert np.abs(Logistic(1e4).fit(x, y).coef_).sum() < np.abs(model.coef_).sum()


def test_folds_keep_threads_whole_and_cover_every_row() -> None:
    groups = np.array([f"t{i % 37}" for i in range(500)])
    folds = grouped_folds(groups, 5, seed=3)
    assert sorted(np.concatenate(folds).tolist()) == list(range(500))
    seen: dict[str, int] = {}
    for f, rows in enumerate(folds):
        for g in set(groups[rows]):
            assert seen.setdefault(g, f) == f, f"thread {g} split between folds"
    sizes = [len(f) for f in folds]
    assert max(sizes) - min(sizes) <= 20


def test_compare_gives_intervals_around_the_figures() -> None:
    rng = np.random.default_rng(2)
    y = rng.random(400) < 0.3
    good = y + rng.normal(scale=0.5, size=400)
    noise = rng.random(400)
    groups = np.array([f"t{i // 4}" for i in range(400)])
    c = compare(y, noise, good, groups, threshold=0.5, resamples=300)
    assert c.better and c.gain.low > 0
    for iv in (c.auc_bundled, c.auc_adapted, c.gain, c.recall_adapted):
        assert iv.low <= iv.value <= iv.high
    assert c.auc_adapted.value == pytest.approx(roc_auc(y, good))
    p, r = precision_recall(y, good, 0.5)
    assert (c.precision_adapted.value, c.recall_adapted.value) == (p, r)
    # the other way round, no gain
    assert not compare(y, good, noise, groups, resamples=200).better


def test_adapt_refuses_too_few_decisions_and_says_how_many_more() -> None:
    ex = _synthetic(60, signal=3.0)
    c, why, more, *_ = evaluate_examples(ex, AdaptOptions())
    assert c is None and more is not None and more >= 40
    assert "too few decisions: 60" in why and f"about {more} more" in why


def test_adapt_refuses_when_the_layer_is_not_better() -> None:
    ex = _synthetic(300, signal=0.0, seed=4)  # rejections follow nothing it can see
    c, why, _, *_ = evaluate_examples(ex, AdaptOptions(resamples=300))
    assert c is not None and not c.better
    assert "not clearly better" in why and "interval" in why


def test_adapt_accepts_a_layer_that_learns_the_sites_rule() -> None:
    ex = _synthetic(300, signal=3.0, seed=5)
    c, why, _, names, l2s, oof = evaluate_examples(ex, AdaptOptions(resamples=300))
    assert why == "" and c is not None and c.better
    assert c.auc_adapted.value > 0.8 > c.auc_bundled.value + 0.2
    assert len(l2s) == 5 and len(oof) == 300 and "attack" in names


def test_the_pooled_encoding_is_read_only_when_it_ranks_better() -> None:
    """Inner grouped cross-validation decides: an encoding that carries the site's rule is read,
    one that is noise beside a probability that carries it is not."""
    ex = _synthetic(400, signal=3.0)
    names = ("attack", "disagreement")
    assert reads_pooled(design(ex.judgements, ex.pooled, names), ex, len(names))
    rng = np.random.default_rng(5)
    noise = Examples(
        [
            {"attack": 0.9 if r else 0.1 + 0.05 * rng.random(), "disagreement": 0.5, "scores": {}}
            for r in ex.rejected
        ],
        rng.normal(size=ex.pooled.shape),
        ex.rejected,
        ex.groups,
        ex.weights,
    )
    assert not reads_pooled(design(noise.judgements, noise.pooled, names), noise, len(names))
