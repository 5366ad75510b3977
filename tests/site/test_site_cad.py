"""The simulated community (CAD: identity-directed abuse removed, abuse aimed at a person left
up): with 300 decisions the layer learns the rule on held-out comments of that site, where the
bundled judge's attack probability does not. Real judge, a few hundred texts, cached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from datakit import shared_data
from steelman.site.evaluate import compare
from steelman.site.features import baseline_scores, probability_names
from steelman.site.fit import Examples, design, fit_layer
from steelman.site.simulate import JudgedCache, read_cad, simulated_community


@pytest.mark.slow
def test_a_layer_learns_the_communitys_rule(judge: Any, pytestconfig: pytest.Config) -> None:
    cad = shared_data("cad")
    history = simulated_community(read_cad(cad / "train.jsonl"), 300, seed=0)
    heldout = simulated_community(read_cad(cad / "dev.jsonl"), 240, seed=1, prefix="h")
    cache_dir = (
        pytestconfig.cache.mkdir("site-cad")
        if pytestconfig.cache is not None
        else Path(pytestconfig.rootpath) / ".pytest_cache" / "site-cad"
    )

    def judged(texts: list[str]) -> tuple[list[dict[str, Any]], np.ndarray]:
        return [j.to_dict() for j in judge.judge_batch(texts, [None] * len(texts))], judge.pooled(
            texts
        )

    cache = JudgedCache(cache_dir, f"{judge.info['name']} {judge.info['version']}", judged)

    def examples(c: Any) -> Examples:
        js, pooled = cache.get(c.texts)
        return Examples(js, pooled.astype(np.float64), c.rejected, c.groups, np.ones(len(c)))

    train, test = examples(history), examples(heldout)
    assert 0.2 < test.rejected.mean() < 0.4  # the mix: 30% identity-directed abuse
    names = probability_names(train.judgements)
    head = fit_layer(design(train.judgements, train.pooled, names), train)
    p = head.predict_proba(design(test.judgements, test.pooled, names))
    c = compare(test.rejected, baseline_scores(test.judgements), p, test.groups, resamples=500)
    # the judge ranks attacks on people highest: this site leaves those up
    person = np.array([cat == "person" for cat in heldout.categories])
    identity = test.rejected
    assert np.mean(baseline_scores(test.judgements)[person]) > np.mean(
        baseline_scores(test.judgements)[identity]
    )
    assert np.mean(p[identity]) > np.mean(p[person])  # the layer learnt the rule
    assert c.gain.value >= 0.05 and c.gain.low > 0, str(c.gain)
