"""The thread analysis with the real bundled judge and escalation model (slow)."""

from __future__ import annotations

from typing import Any

import pytest
from threadkit import make_thread

from steelman.threads import analyse_thread, analyse_threads

pytestmark = pytest.mark.slow

INSULTS = [
    ("1", None, "ann", "The new bridge should be built in steel, it lasts longer."),
    ("2", "1", "bob", "You are an idiot. Nobody asked for your stupid opinion."),
    ("3", "2", "ann", "Shut up, you moron. You clearly can't read."),
    ("4", "3", "bob", "You're a pathetic liar and a troll, get lost."),
    ("5", "4", "ann", "Another brainless comment from the village idiot."),
]
CALM = [
    ("1", None, "ann", "The new bridge should be built in steel, it lasts longer."),
    (
        "2",
        "1",
        "bob",
        "Concrete needs less maintenance; the 2019 audit found upkeep costs"
        " 30% lower over fifty years.",
    ),
    ("3", "2", "ann", "Good point. Does the audit include the cost of rebar corrosion?"),
    (
        "4",
        "3",
        "cy",
        "It does, in table 4: corrosion is included and concrete still comes out cheaper.",
    ),
    ("5", "4", "ann", "Thanks, I did not know that. I agree concrete is the better choice."),
]


def test_insults_score_higher_risk_than_a_calm_thread(judge: Any) -> None:
    hot = analyse_thread(make_thread(INSULTS), judge)
    calm = analyse_thread(make_thread(CALM), judge)
    assert hot.risk is not None and calm.risk is not None
    assert 0.0 <= calm.risk < hot.risk <= 1.0
    assert hot.shape.attacks >= 3 and calm.shape.attacks == 0
    assert hot.turning_point is not None and hot.turning_point.comment_id == "2"
    assert calm.turning_point is None


def test_each_comment_is_embedded_once(judge: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every comment but the last is also a parent; the encoder still sees each text once."""
    judge_calls: list[int] = []
    encoded: list[str] = []
    real_judge, real_encode = judge.judge_batch, judge.model.network.encode

    def judge_spy(texts: list[str], parents: list[str | None]) -> Any:
        judge_calls.append(len(texts))
        return real_judge(texts, parents)

    def encode_spy(texts: list[str], **kwargs: Any) -> Any:
        encoded.extend(texts)
        return real_encode(texts, **kwargs)

    monkeypatch.setattr(judge, "judge_batch", judge_spy)
    monkeypatch.setattr(judge.model.network, "encode", encode_spy)

    def fresh(rows: list[tuple[str, str | None, str, str]]) -> list[Any]:
        # texts no earlier test has shown the judge, which remembers embeddings across calls
        return [(cid, parent, who, f"{text} (embedding test)") for cid, parent, who, text in rows]

    threads = [make_thread(fresh(INSULTS), "hot"), make_thread(fresh(CALM), "calm")]
    reports = list(analyse_threads(threads, judge, batch_comments=100))
    assert judge_calls == [10]
    assert len(encoded) == len(set(encoded)) == 9  # both threads open with the same comment
    assert [r.thread_id for r in reports] == ["hot", "calm"]


def test_the_forecast_rises_on_the_first_insult_and_never_reads_ahead(judge: Any) -> None:
    rows = [
        ("1", None, "ann", CALM[0][3]),
        ("2", "1", "bob", CALM[1][3]),
        ("3", "2", "ann", INSULTS[1][3]),
        ("4", "3", "bob", INSULTS[2][3]),
    ]
    report = analyse_thread(make_thread(rows), judge)
    assert report.rise is not None and report.rise.comment_id in ("3", "4")
    assert report.rise.after > report.rise.before
    first_two = analyse_thread(make_thread(rows[:2]), judge)
    assert first_two.risk is not None and report.risk is not None
    assert first_two.risk < report.risk


def test_the_bundled_forecast_ranks_derailing_cga_conversations_higher(judge: Any) -> None:
    """On 60 conversations of each CGA corpus (in the model's training data: a sanity check of
    the shipped model and judge together, not a measure of quality; the card has those)."""

    import numpy as np

    from datakit import shared_data
    from steelman.threads import forecast
    from steelman.threads.corpora import load_cga
    from steelman.threads.escalation import load_bundled_escalation
    from steelman.threads.metrics import roc_auc

    data = shared_data("cga")
    model = load_bundled_escalation()
    for corpus in ("wiki", "cmv"):
        convs = load_cga(data / f"{corpus}.jsonl", corpus)[:60]
        reports = list(analyse_threads([c.thread() for c in convs], judge, risk=False))
        risks = [forecast(r.replies, model).risk for r in reports]
        y = [c.derails for c in convs]
        assert roc_auc(np.array(y), np.array(risks)) > 0.55, corpus
