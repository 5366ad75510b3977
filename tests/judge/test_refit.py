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


def _arguana(path: Path, debates: int = 12) -> None:
    """Debates of three points, each with its own counter (which names what the point is about)
    and another point's counter."""
    topics = [
        ("rents", "landlords", "tenants"),
        ("buses", "fares", "routes"),
        ("schools", "teachers", "homework"),
        ("reactors", "waste", "uranium"),
    ]
    rows = []
    for d in range(debates):
        words = topics[d % len(topics)]
        points = [
            f"Debate {d} point {k}: {w} matter most here, and {w} decide the question."
            for k, w in enumerate(words)
        ]
        counters = [
            f"The {w} argument fails: {w} are not what decides it in debate {d}." for w in words
        ]
        for k, point in enumerate(points):
            other = counters[(k + 1) % 3]
            for reply, answers in ((counters[k], 1), (other, 0)):
                rows.append(
                    {
                        "id": f"{d}-{k}-{answers}",
                        "debate": f"debate-{d}",
                        "topic": f"motion {d}",
                        "parent": point,
                        "parent_claim": point.split(":")[0],
                        "reply": reply,
                        "answers_parent": answers,
                        "split": "dev" if d % 4 == 3 else "train",
                    }
                )
    path.mkdir(parents=True)
    (path / "pairs.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")


def test_refit_from_a_model_keeps_its_encoder_and_refits_the_attributes(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "labelled", data)
    _toxic_spans(data / "toxic-spans")
    _arguana(data / "arguana")
    out = tmp_path / "refit"
    argv = ["train", str(data), "--refit-from", str(tiny_model_dir), "--out", str(out)]
    sets = "wikitactics,cmv,toxic-spans,arguana"
    code = main([*argv, "--version", "0.0.2-refit", "--sets", sets])
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
    # the pair head: chosen by grouped cross-validation, measured on the held-out debates
    pair = after["training"]["refit"]["pair_head"]
    assert pair["chosen"] in pair["designs"]
    assert pair["designs"][pair["chosen"]]["grouped_cv_roc_auc"]["arguana"] > 0.7
    tilt = after["training"]["refit"]["level_tilt"]
    assert set(tilt["by_beta"]) == {"0.0", "0.25", "0.5", "1.0", "2.0", "4.0"}
    assert metrics["dev"]["answers"]["arguana"]["answers_roc_auc"] > 0.7
    card = (out / "README.md").read_text()
    assert "0.0.2-refit" in card and "## CPUs and kernels" in card
    # the refit heads answer: a profane post scores above an insulting one, as labelled
    judge = Judge.load(out)
    profane, insult = judge(["You damn it again, as always.", "You fool it again, as always."])
    assert profane.attributes["profanity"] > insult.attributes["profanity"]


def test_domain_balanced_weights_count_every_set_alike() -> None:
    from steelman.judge.refit import domain_balanced

    domains = ["a"] * 8 + ["b"] * 2 + ["pairs"] * 30
    y = np.array([1, 0, 0, 0, 0, 0, 0, 0] + [1, 0] + [1] * 30)
    w = domain_balanced(domains, y)
    assert w.mean() == pytest.approx(1.0)
    totals = {d: w[np.asarray(domains) == d].sum() for d in ("a", "b", "pairs")}
    assert totals["a"] == pytest.approx(totals["b"]) == pytest.approx(totals["pairs"])
    a = np.asarray(domains) == "a"
    assert w[a & (y == 1)].sum() == pytest.approx(w[a & (y == 0)].sum())  # each answer half


def test_choose_c_within_domains_ignores_a_one_sided_set() -> None:
    """A set whose answers are all 1 is told apart from the rest by anything at all; with
    ``domains`` it cannot make a penalty win."""
    from steelman.judge.refit import choose_c

    rng = np.random.default_rng(0)
    n = 300
    x = rng.normal(size=(n, 3))
    y = (x[:, 0] + rng.normal(scale=0.5, size=n) > 0).astype(float)
    domains = ["both"] * n
    x_one = rng.normal(size=(100, 3)) + np.array([0.0, 5.0, 0.0])  # a set apart, all 1
    xs = np.vstack([x, x_one])
    ys = np.concatenate([y, np.ones(100)])
    groups = [str(i) for i in range(n + 100)]
    _, within = choose_c(xs, ys, groups, (0.01, 1.0), domains=[*domains, *["one"] * 100])
    _, pooled = choose_c(xs, ys, groups, (0.01, 1.0))
    assert all(0.8 < v < 0.97 for v in within.values())  # the "both" set's own ranking
    assert all(pooled[c] > within[c] for c in within)  # inflated by the set apart
