"""``steelman train --refit-from``: the heads refit on a model's frozen encoder, the attribute
heads unweighted with their penalty chosen by grouped cross-validation, measured and written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from steelman.cli import main
from steelman.data.corpus import BINARY_TASKS
from steelman.judge import Judge

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _toxic_spans(path: Path, n: int = 90) -> None:
    """Posts rated with typed spans: profane, threatening or insulting, by two of three raters."""
    rows = []
    for i in range(n):
        kind = ("Profane/Obscene", "Threat", "Insult")[i % 3]
        word = {"Profane/Obscene": "damn", "Threat": "hurt", "Insult": "fool"}[kind]
        text = f"Post {i}: you {word} it again, {'and again ' * (i % 4)}as always."
        at = text.index(word)
        span = {"start": at, "end": at + len(word), "type": kind}
        ratings = [{"rater": str(r), "spans": [span] if r < 2 else []} for r in range(3)]
        rows.append({"id": str(1000 + i), "text": text, "ratings": ratings})
    path.mkdir(parents=True)
    (path / "comments.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")


def test_refit_from_a_model_keeps_its_encoder_and_refits_the_attributes(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "labelled", data)
    _toxic_spans(data / "toxic-spans")
    out = tmp_path / "refit"
    argv = ["train", str(data), "--refit-from", str(tiny_model_dir), "--out", str(out)]
    code = main([*argv, "--version", "0.0.2-refit", "--sets", "wikitactics,cmv,toxic-spans"])
    assert code in (0, None), capsys.readouterr().err
    assert "model written to" in capsys.readouterr().out
    before = json.loads((tiny_model_dir / "config.json").read_text())
    after = json.loads((out / "config.json").read_text())
    assert after["version"] == "0.0.2-refit"
    assert after["training"]["refit_from"] == f"{before['name']} {before['version']}"
    assert after["files"]["encoder.onnx"] == before["files"]["encoder.onnx"]  # the same encoder
    refit: dict[str, Any] = after["training"]["refit"]["attributes"]
    assert set(refit) == {"threat", "profanity"}  # identity attack has no positive here
    for fig in refit.values():
        assert fig["C"] in (0.01, 0.1, 1.0) and fig["positives"] >= 10
        assert set(fig["grouped_cv_roc_auc"]) == {"0.01", "0.1", "1.0"}
    with np.load(out / "heads.npz") as z:
        rows = {BINARY_TASKS[int(r)] for r in z["refit_rows"]}
    assert {"threat", "profanity", "disagreement"} <= rows
    metrics = after["metrics"]
    assert metrics["kernels"] in ("int8", "float") and len(metrics["by_kernels"]) == 1
    assert "profanity" in metrics["dev"]["roc_auc"]  # measured on the dev split it never saw
    card = (out / "README.md").read_text()
    assert "0.0.2-refit" in card and "## CPUs and kernels" in card
    # the refit heads answer: a profane post scores above an insulting one, as labelled
    judge = Judge.load(out)
    profane, insult = judge(["You damn it again, as always.", "You fool it again, as always."])
    assert profane.attributes["profanity"] > insult.attributes["profanity"]
