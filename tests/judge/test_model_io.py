"""Training on the small fixture, save -> load round trips, and broken model directories."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from steelman import Judge, ModelError
from steelman.judge import JudgeModel
from steelman.judge.model import bundled_model_dir

SAMPLES = [
    ("You are a clueless troll.", "The census counts residents."),
    ("That is wrong because the census counts residents, not citizens.", "Rents fell 12%."),
    ("Which source is that?", None),
]


def test_tiny_training_writes_a_complete_model_directory(tiny_model_dir: Path) -> None:
    names = {p.name for p in tiny_model_dir.iterdir()}
    assert {"config.json", "vocab.json", "weights.npz", "README.md"} <= names
    config = json.loads((tiny_model_dir / "config.json").read_text())
    assert config["version"] == "0.0.1-test"
    heads = {h["name"]: h for h in config["heads"]}
    assert set(heads) >= {"domain", "attack", "disagreement", "level"}
    # two sources (WikiTactics, CMV): the attack head gets per-source experts and a domain meta
    assert "tfidf@cmv" in heads["attack"]["experts"] and heads["attack"]["domain_meta"]
    assert heads["level"]["params"].keys() == {"smoothing", "attack_override"}
    assert "wikitactics-val" in config["metrics"]
    card = (tiny_model_dir / "README.md").read_text()
    assert "sha256" in card and "wikitactics/train.json" in card


def test_weights_hold_no_pickled_objects(tiny_model_dir: Path) -> None:
    with np.load(tiny_model_dir / "weights.npz", allow_pickle=False) as npz:
        assert all(npz[k].dtype != object for k in npz.files)
    with zipfile.ZipFile(tiny_model_dir / "weights.npz") as zf:
        assert all(name.endswith(".npy") for name in zf.namelist())


def test_save_then_load_gives_identical_predictions(
    tiny_judge: Judge, tmp_path: Path, encoder: object
) -> None:
    texts = [t for t, _ in SAMPLES]
    parents = [p for _, p in SAMPLES]
    before = [j.to_dict() for j in tiny_judge.judge_batch(texts, parents)]
    tiny_judge.model.save(tmp_path / "copy")
    again = Judge.load(tmp_path / "copy", encoder=encoder)  # type: ignore[arg-type]
    assert [j.to_dict() for j in again.judge_batch(texts, parents)] == before


def test_bundled_model_round_trips(judge: Judge, tmp_path: Path, encoder: object) -> None:
    texts = [t for t, _ in SAMPLES]
    parents = [p for _, p in SAMPLES]
    judge.model.save(tmp_path / "bundled")
    again = Judge.load(tmp_path / "bundled", encoder=encoder)  # type: ignore[arg-type]
    assert again.judge_batch(texts, parents) == judge.judge_batch(texts, parents)


def test_bundled_model_is_small_and_versioned() -> None:
    path = bundled_model_dir()
    size = sum(p.stat().st_size for p in path.iterdir())
    assert size < 30 * 1024 * 1024
    config = json.loads((path / "config.json").read_text())
    assert config["format"] == "steelman-judge/1" and config["version"]
    assert config["metrics"]["wikitactics-val"]["attack_auc"] > 0.7


def test_missing_model_directory_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="steelman train"):
        JudgeModel.load(tmp_path / "nothing")


def test_corrupt_weights_are_reported(tiny_model_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model_dir, broken)
    (broken / "weights.npz").write_bytes(b"not a zip file")
    with pytest.raises(ModelError, match="corrupt"):
        JudgeModel.load(broken)


def test_unknown_format_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(tiny_model_dir, other)
    config = json.loads((other / "config.json").read_text())
    config["format"] = "steelman-judge/99"
    (other / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="unsupported model format"):
        JudgeModel.load(other)
