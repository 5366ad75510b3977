"""The escalation model: numpy at run time, a directory that round-trips, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from threadkit import KeywordJudge, make_thread

from steelman import Judge
from steelman.data.formats import Thread
from steelman.errors import ModelError
from steelman.threads import FEATURE_NAMES, EscalationModel, analyse_thread
from steelman.threads.fitting import calibrate, fit_escalation, oof_logits
from steelman.threads.training import VERSION


def _fitted() -> EscalationModel:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 3))
    y = (x[:, 0] - x[:, 2] + rng.normal(scale=0.5, size=80) > 0).astype(int)
    return fit_escalation(x, y, ["attack_share", "log_comments", "act_concession"], 1.0)


def test_numpy_model_matches_sklearn() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    x = rng.normal(loc=3.0, scale=2.0, size=(60, 2))
    y = (x[:, 0] > 3.0).astype(int)
    model = fit_escalation(x, y, ["attack_share", "mean_rank"], 0.5)
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    ref = LogisticRegression(C=0.5, max_iter=5000).fit(z, y).predict_proba(z)[:, 1]
    np.testing.assert_allclose(model.predict_matrix(x), ref, rtol=1e-6)


def test_save_load_gives_identical_predictions(tmp_path: Path) -> None:
    model = _fitted()
    model.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["config.json", "weights.npz"]
    loaded = EscalationModel.load(tmp_path / "m")
    x = np.random.default_rng(2).normal(size=(20, 3))
    assert np.array_equal(loaded.predict_matrix(x), model.predict_matrix(x))
    assert loaded.features == model.features and loaded.version == model.version
    with np.load(tmp_path / "m" / "weights.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["coef", "intercept", "mean", "scale"]


def test_one_feature_dict_in_one_float_out_a_list_in_a_list_out() -> None:
    model = _fitted()
    feats = {"attack_share": 0.5, "log_comments": 2.0, "act_concession": 0.1}
    one = model.predict_proba(feats)
    assert isinstance(one, float) and 0.0 <= one <= 1.0
    many = model.predict_proba([feats, {**feats, "attack_share": 3.0}])
    assert isinstance(many, list) and many[0] == pytest.approx(one) and many[1] > one
    assert model.predict_proba([]) == []


def test_risk_is_a_probability_and_grows_with_attacks(
    keyword_judge: KeywordJudge, tiny_model: EscalationModel, heated: Thread
) -> None:
    calm = make_thread([("a", None, "x", "Steel."), ("b", "a", "y", "No, because rust.")])
    hot = analyse_thread(heated, keyword_judge, tiny_model).risk
    cool = analyse_thread(calm, keyword_judge, tiny_model).risk
    assert hot is not None and cool is not None
    assert 0.0 <= cool < hot <= 1.0


def test_missing_model_dir_says_how_to_train(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="train-escalation"):
        EscalationModel.load(tmp_path)


def test_wrong_format_and_bad_weights_are_model_errors(tmp_path: Path) -> None:
    path = _fitted().save(tmp_path / "m")
    config = json.loads((path / "config.json").read_text())
    (path / "config.json").write_text(json.dumps({**config, "format": 99}))
    with pytest.raises(ModelError, match="format 99"):
        EscalationModel.load(path)
    (path / "config.json").write_text(json.dumps(config))
    (path / "weights.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="unreadable"):
        EscalationModel.load(path)


def test_unknown_features_and_shapes_are_refused() -> None:
    with pytest.raises(ModelError, match="unknown features"):
        EscalationModel(("nope",), np.zeros(1), np.ones(1), np.zeros(1), 0.0)
    with pytest.raises(ModelError, match="shape"):
        EscalationModel(("attack_share",), np.zeros(2), np.ones(1), np.zeros(1), 0.0)
    with pytest.raises(ModelError, match="missing"):
        _fitted().predict_proba({"attack_share": 1.0})


def test_bundled_model_loads_and_uses_known_features() -> None:
    model = EscalationModel.load()
    assert set(model.features) <= set(FEATURE_NAMES)
    assert model.version == VERSION
    assert model.info["training_data"]["cga/wiki.jsonl"]
    # fitted on the bundled judge's outputs: refit whenever the judge changes
    assert model.info["judge"]["version"] == Judge.load().info["version"]
    for corpus in ("wiki", "cmv"):
        figures = model.info["metrics"]["cga"][corpus]
        assert figures["auc"]["escalation model"]["value"] > 0.5
        assert figures["accuracy"]["escalation model"]["value"] > 0.5
    assert not model.info["metrics"]["wikitactics"]["val"]["judge_in_sample"]


def test_calibration_keeps_the_ranking_and_spreads_the_probabilities() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(120, 2))
    y = (x[:, 0] + rng.normal(scale=0.3, size=120) > 0).astype(int)
    shrunk = fit_escalation(x, y, ["attack_share", "mean_rank"], 0.001)  # heavily regularised
    logits = oof_logits(x, y, ["attack_share", "mean_rank"], 0.001, seed=0)
    calibrated = calibrate(shrunk, logits, y)
    before, after = shrunk.predict_matrix(x), calibrated.predict_matrix(x)
    assert np.array_equal(np.argsort(before), np.argsort(after))
    assert after.std() > 2 * before.std()
    assert calibrate(shrunk, -logits, y) is shrunk  # backwards out of fold: left alone
