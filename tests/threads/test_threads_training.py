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
from steelman.threads.corpora import CachedJudge, load_cga, seen_elsewhere
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
    assert set(metrics["cga"]) == {"wiki", "cmv"}
    for corpus in metrics["cga"].values():
        assert corpus["conversations"] == 40 and corpus["derailed"] == 20
        assert corpus["groups"] == 20  # two conversations share each first comment
        assert (
            set(corpus["auc"])
            == set(corpus["accuracy"])
            == {
                "escalation model",
                "without trajectory features",
                "without text cues (judge outputs only)",
                "highest attack probability alone",
                "highest toxicity alone",
                "thread length alone",
            }
        )
        assert corpus["accuracy"]["escalation model"]["value"] > 0.9  # insults come first here
        iv = corpus["auc"]["escalation model"]
        assert iv["low"] <= iv["value"] <= iv["high"]
    wt = metrics["wikitactics"]
    assert (wt["train"]["conversations"], wt["val"]["conversations"]) == (30, 12)
    assert wt["train"]["judge_in_sample"] and not wt["val"]["judge_in_sample"]
    assert wt["val"]["auc"]["escalation model"]["value"] > 0.9  # insults mark escalation here too
    card = (tmp_path / "m" / "README.md").read_text()
    digest = hashlib.sha256((data_dir / "cga" / "cmv.jsonl").read_bytes()).hexdigest()
    assert digest in card and model.version in card and "ROC-AUC" in card
    assert "Cross-fitting" in card and "judge in-sample" in card
    loaded = EscalationModel.load(tmp_path / "m")
    assert loaded.info["training_data"]["cga/cmv.jsonl"] == digest
    assert loaded.info["metrics"] == metrics
    assert not {"log_participants", "top2_share", "alternation"} & set(loaded.features)


def test_training_never_reads_the_comment_it_predicts(data_dir: Path) -> None:
    judge = KeywordJudge()
    train_escalation(data_dir, judge, None, resamples=10, cv_repeats=1)
    seen = judge.texts_seen
    assert "i think the lead is fine." in seen and "you are a liar." in seen
    assert "you moron." not in seen and "thanks." not in seen  # each record's `last`


def test_training_is_reproducible(data_dir: Path, tmp_path: Path) -> None:
    train_escalation(data_dir, KeywordJudge(), tmp_path / "a", resamples=20, cv_repeats=1)
    train_escalation(data_dir, KeywordJudge(), tmp_path / "b", resamples=20, cv_repeats=1)
    for name in ("config.json", "README.md"):
        assert (tmp_path / "a" / name).read_text() == (tmp_path / "b" / name).read_text()
    a, b = EscalationModel.load(tmp_path / "a"), EscalationModel.load(tmp_path / "b")
    assert np.array_equal(a.coef, b.coef) and a.intercept == b.intercept


def test_a_judgement_cache_spares_the_second_run_the_judge(data_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "judged.jsonl"
    first, second = KeywordJudge(), KeywordJudge()
    m1, _ = train_escalation(data_dir, first, None, resamples=10, cv_repeats=1, cache=cache)
    m2, _ = train_escalation(data_dir, second, None, resamples=10, cv_repeats=1, cache=cache)
    assert first.calls and not second.calls
    assert np.array_equal(m1.coef, m2.coef) and m1.info == m2.info


def test_missing_split_and_missing_label_are_record_errors(data_dir: Path, tmp_path: Path) -> None:
    (data_dir / "wikitactics" / "val.json").unlink()
    with pytest.raises(RecordError, match=r"val\.json"):
        train_escalation(data_dir, KeywordJudge(), None)
    (data_dir / "cga" / "cmv.jsonl").unlink()
    with pytest.raises(RecordError, match=r"cga/cmv\.jsonl"):
        train_escalation(data_dir, KeywordJudge(), None)
    bad = tmp_path / "bad.json"
    conv = conversation(0, True)
    del conv["escalation_label"]
    bad.write_text(json.dumps([conv]))
    with pytest.raises(RecordError, match="escalation_label"):
        load_wikitactics_threads(bad)


@pytest.mark.parametrize(
    "line",
    ['{"id": "x", "context": ["a"]}', '{"id": "x", "context": [], "derails": true}', "not json"],
)
def test_a_bad_cga_record_is_a_record_error(tmp_path: Path, line: str) -> None:
    path = tmp_path / "wiki.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(RecordError, match="line 1"):
        load_cga(path, "wiki")


def test_conversations_the_judge_trained_on_are_left_out(data_dir: Path) -> None:
    long = "This Article Suffers Relentlessly From Editors Pushing Their Own Point Of View"
    cga = data_dir / "cga" / "cmv.jsonl"
    rows = [json.loads(line) for line in cga.read_text().splitlines()]
    rows[0]["context"][0] = long.lower() + " ."  # lower-cased and re-spaced, as CGA is
    cga.write_text("".join(json.dumps(r) + "\n" for r in rows))
    (data_dir / "cmv-attacks").mkdir()
    (data_dir / "cmv-attacks" / "dev.jsonl").write_text(json.dumps({"reply": long}) + "\n")
    convs = load_cga(cga, "cmv")
    assert seen_elsewhere(convs, data_dir) == {rows[0]["id"]}
    _, metrics = train_escalation(data_dir, KeywordJudge(), None, resamples=10, cv_repeats=1)
    assert metrics["cga"]["cmv"]["left_out"] == 1 and metrics["cga"]["wiki"]["left_out"] == 0
    assert metrics["cga"]["cmv"]["conversations"] == 39


def test_a_retrained_judge_does_not_read_another_judges_answers(tmp_path: Path) -> None:
    class Retrained(KeywordJudge):
        def __init__(self, sha: str) -> None:
            super().__init__()
            self.model = type("M", (), {"config": {"files": {"heads.npz": sha}}})()

    cache = tmp_path / "judged.jsonl"
    first, again, other = Retrained("aa"), Retrained("aa"), Retrained("bb")
    for judge in (first, again, other):
        CachedJudge(judge, cache).judge_batch(["You idiot."], [None])
    assert first.calls and not again.calls and other.calls
