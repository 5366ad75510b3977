"""``steelman judge``, ``train`` and ``eval`` through the real CLI entry point, in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from steelman.cli import main

FIXTURES = Path(__file__).parent.parent / "fixtures"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_judge_prints_level_scores_evidence_and_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # an insult judged an attack with a wide margin on every CPU (attack 0.998, DH0 0.97), so
    # the evidence line is there whatever the kernels; the check is the report's shape
    code, out, _ = run(
        ["judge", "You are an idiot and a troll, shut up.", "--parent", "The study found 12%."],
        capsys,
    )
    assert code == 0
    assert "DH6 Refuting the central point" in out  # the level table
    assert "Because:" in out and "Suggestion:" in out


def test_judge_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["judge", "You are an idiot.", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["level"] in {"DH0", "DH1", "DH2", "DH3", "DH4", "DH5", "DH6", None}
    assert set(data["scores"]) == {f"DH{i}" for i in range(7)}


def test_judge_empty_text_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["judge", "   "], capsys)
    assert code == 1
    assert err.strip().startswith("error:") and "empty" in err
    assert len(err.strip().splitlines()) == 1


def test_train_and_eval_on_a_small_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "model"
    argv = ["train", str(FIXTURES / "labelled"), "--out", str(out_dir), "--version", "0.0.2"]
    code, out, err = run([*argv, "--sets", "wikitactics,cmv", "--steps", "2"], capsys)
    assert code == 0, err
    assert (out_dir / "config.json").exists()
    assert "ROC-AUC on the dev splits" in out and "confusion" in out and "Textbook" in out
    argv = ["eval", str(FIXTURES / "labelled"), "--model", str(out_dir), "--sets", "wikitactics"]
    code, out, err = run([*argv, "--json"], capsys)
    assert code == 0, err
    metrics = json.loads(out)
    assert 0.0 <= metrics["dev"]["roc_auc"]["attack"]["wikitactics"]["roc_auc"] <= 1.0
    assert len(metrics["dev"]["levels"]["confusion"]) == 8  # seven levels and "none"
    card = json.loads((out_dir / "config.json").read_text())["metrics"]["dev"]
    assert metrics["dev"]["levels"] == card["levels"]  # eval reproduces what train measured


def test_train_on_a_folder_without_data_says_what_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["train", str(tmp_path), "--out", str(tmp_path / "m")], capsys)
    assert code == 1
    assert "labelled data not found" in err and "wikitactics" in err
    assert len(err.strip().splitlines()) == 1
