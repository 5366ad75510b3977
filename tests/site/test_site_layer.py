"""A site layer's directory round-trips, refuses tampering, and the advisor meets the load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from steelman.errors import ModelError
from steelman.site.advisor import advise, curve_svg
from steelman.site.fit import Examples, design, fit_layer
from steelman.site.layer import SiteLayer


def _layer(tmp_path: Path) -> tuple[SiteLayer, list[dict[str, float]], np.ndarray]:
    rng = np.random.default_rng(0)
    pooled = rng.normal(size=(200, 8))
    judgements = [{"attack": float(p), "disagreement": 0.4} for p in rng.uniform(0, 1, 200)]
    y = pooled[:, 1] > 0.3
    ex = Examples(judgements, pooled, y, np.array([str(i // 4) for i in range(200)]), np.ones(200))
    names = ("attack", "disagreement")
    head = fit_layer(design(judgements, pooled, names), ex)
    layer = SiteLayer("site-1", 1, {"name": "j", "version": "1"}, names, 8, head)
    layer.save(tmp_path / "site-1", "# card\n")
    return layer, judgements, pooled


def test_save_load_gives_the_same_predictions(tmp_path: Path) -> None:
    layer, judgements, pooled = _layer(tmp_path)
    again = SiteLayer.load(tmp_path / "site-1")
    assert np.allclose(
        layer.predict_proba(judgements, pooled), again.predict_proba(judgements, pooled)
    )
    assert (again.name, again.version, again.pooled_dim) == ("site-1", 1, 8)
    config = json.loads((tmp_path / "site-1" / "config.json").read_text())
    assert set(config["files"]) == {"weights.npz"}
    # plain arrays: readable with pickle refused
    with np.load(tmp_path / "site-1" / "weights.npz", allow_pickle=False) as z:
        assert set(z.files) == {"mean", "scale", "coef", "intercept"}


def test_a_changed_weights_file_is_refused(tmp_path: Path) -> None:
    _layer(tmp_path)
    weights = tmp_path / "site-1" / "weights.npz"
    np.savez(weights, mean=np.zeros(10), scale=np.ones(10), coef=np.ones(10), intercept=[0.0])
    with pytest.raises(ModelError, match="does not match its sha256"):
        SiteLayer.load(tmp_path / "site-1")


def test_a_layer_is_never_overwritten_and_wants_its_encodings(tmp_path: Path) -> None:
    layer, judgements, _ = _layer(tmp_path)
    with pytest.raises(ModelError, match="never overwritten"):
        layer.save(tmp_path / "site-1", "")
    with pytest.raises(ModelError, match="pooled encodings of width 8"):
        layer.predict_proba(judgements, None)


def test_the_advisor_holds_at_most_the_load_asked() -> None:
    rng = np.random.default_rng(3)
    load = rng.uniform(0, 1, 1000)
    scores = rng.uniform(0, 1, 300)
    rejected = scores + rng.normal(scale=0.2, size=300) > 0.7
    for target in (0.01, 0.05, 0.2, 0.5):
        a = advise(scores, rejected, load, target)
        assert a.load <= target + 1e-12
        # the next threshold down would hold more than asked
        lower = load[load < a.threshold]
        if len(lower):
            assert np.mean(load >= lower.max()) > target
    small, big = advise(scores, rejected, load, 0.05), advise(scores, rejected, load, 0.5)
    assert small.caught < big.caught and small.threshold > big.threshold
    caught = [p.caught for p in sorted(big.curve, key=lambda p: p.threshold)]
    assert caught == sorted(caught, reverse=True)
    svg = curve_svg(big)
    assert svg.startswith("<svg") and "<circle" in svg and "<script" not in svg
