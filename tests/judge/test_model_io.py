"""Model directories: the tiny fine-tune end to end, hashes checked on load, broken directories."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from steelman import Judge, ModelError
from steelman.judge import JudgeModel
from steelman.judge.model import FILES, bundled_model_dir

SAMPLES = [
    ("You are a clueless troll.", "The census counts residents."),
    ("That is wrong because the census counts residents, not citizens.", "Rents fell 12%."),
    ("Which source is that?", None),
]


def test_tiny_training_writes_a_complete_model_directory(tiny_model_dir: Path) -> None:
    names = {p.name for p in tiny_model_dir.iterdir()}
    assert {"config.json", "README.md", *FILES} <= names
    config = json.loads((tiny_model_dir / "config.json").read_text())
    assert config["format"] == "steelman-judge/3" and config["version"] == "0.0.1-test"
    assert config["training"]["steps"] == 4
    assert set(config["files"]) == set(FILES)
    dev = config["metrics"]["dev"]
    assert "wikitactics" in dev["roc_auc"]["attack"] and "levels" in dev
    card = (tiny_model_dir / "README.md").read_text()
    assert "ROC-AUC" in card and "wikitactics" in card


def test_heads_hold_no_pickled_objects(tiny_model_dir: Path) -> None:
    with np.load(tiny_model_dir / "heads.npz", allow_pickle=False) as npz:
        # numbers as float32, the pair head's words as UTF-8 bytes
        assert all(npz[k].dtype == np.float32 for k in npz.files if k != "lex_words")
        assert npz["lex_words"].dtype == np.uint8
    with zipfile.ZipFile(tiny_model_dir / "heads.npz") as zf:
        assert all(name.endswith(".npy") for name in zf.namelist())


def test_copied_directory_gives_identical_judgements(tiny_judge: Judge, tmp_path: Path) -> None:
    texts = [t for t, _ in SAMPLES]
    parents = [p for _, p in SAMPLES]
    shutil.copytree(tiny_judge.model.path, tmp_path / "copy")
    again = Judge.load(tmp_path / "copy")
    assert again.judge_batch(texts, parents) == tiny_judge.judge_batch(texts, parents)


def test_bundled_model_is_small_versioned_and_measured() -> None:
    path = bundled_model_dir()
    size = sum(p.stat().st_size for p in path.iterdir())
    assert size < 40 * 1024 * 1024
    config = json.loads((path / "config.json").read_text())
    assert config["format"] == "steelman-judge/3" and config["version"].startswith("3.")
    assert config["metrics"]["dev"]["roc_auc"]["attack"]["wikitactics"]["roc_auc"] > 0.7


def test_missing_model_directory_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"no config\.json"):
        JudgeModel.load(tmp_path / "nothing")


@pytest.mark.parametrize("name", FILES)
def test_a_changed_file_fails_its_hash(tiny_model_dir: Path, tmp_path: Path, name: str) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model_dir, broken)
    data = bytearray((broken / name).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (broken / name).write_bytes(bytes(data))
    with pytest.raises(ModelError, match=f"{name} does not match its sha256"):
        JudgeModel.load(broken)


def test_unknown_format_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(tiny_model_dir, other)
    config = json.loads((other / "config.json").read_text())
    config["format"] = "steelman-judge/99"
    (other / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match="retrain it with `steelman train`"):
        JudgeModel.load(other)
