"""Training the escalation model: a directory with its card, reproducible, clear errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from threadkit import KeywordJudge, conversation

from steelman.errors import RecordError
from steelman.threads import EscalationModel, train_escalation
from steelman.threads.training import load_wikitactics_threads


def test_train_writes_a_model_directory_with_its_card(data_dir: Path, tmp_path: Path) -> None:
    model, metrics = train_escalation(
        data_dir, KeywordJudge(), tmp_path / "m", resamples=50, cv_repeats=1
    )
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == [
        "README.md",
        "config.json",
        "weights.npz",
    ]
    assert metrics["train_conversations"] == 30 and metrics["val_conversations"] == 12
    assert set(metrics["val"]) == {"escalation model", "attack share alone", "thread length alone"}
    assert metrics["val"]["escalation model"]["auc"] > 0.9  # insults mark escalation here
    card = (tmp_path / "m" / "README.md").read_text()
    digest = hashlib.sha256((data_dir / "wikitactics" / "train.json").read_bytes()).hexdigest()
    assert digest in card and model.version in card and "val AUC" in card
    loaded = EscalationModel.load(tmp_path / "m")
    assert loaded.info["training_data"]["train.json"] == digest
    assert loaded.info["metrics"] == metrics


def test_training_is_reproducible(data_dir: Path, tmp_path: Path) -> None:
    train_escalation(data_dir, KeywordJudge(), tmp_path / "a", resamples=20, cv_repeats=1)
    train_escalation(data_dir, KeywordJudge(), tmp_path / "b", resamples=20, cv_repeats=1)
    for name in ("config.json", "README.md"):
        assert (tmp_path / "a" / name).read_text() == (tmp_path / "b" / name).read_text()
    a, b = EscalationModel.load(tmp_path / "a"), EscalationModel.load(tmp_path / "b")
    assert np.array_equal(a.coef, b.coef) and a.intercept == b.intercept


def test_missing_split_and_missing_label_are_record_errors(data_dir: Path, tmp_path: Path) -> None:
    (data_dir / "wikitactics" / "val.json").unlink()
    with pytest.raises(RecordError, match=r"val\.json"):
        train_escalation(data_dir, KeywordJudge(), None)
    bad = tmp_path / "bad.json"
    conv = conversation(0, True)
    del conv["escalation_label"]
    bad.write_text(json.dumps([conv]))
    with pytest.raises(RecordError, match="escalation_label"):
        load_wikitactics_threads(bad)
