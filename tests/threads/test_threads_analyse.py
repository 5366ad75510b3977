"""Thread shape, participants, timeline and turning point, with a keyword stand-in judge."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from threadkit import KeywordJudge, make_thread

from steelman.data.comments import Comment
from steelman.data.formats import Thread, build_threads
from steelman.threads import analyse_thread, analyse_threads
from steelman.threads.analyse import ANONYMOUS


def test_shape_counts_levels_acts_and_skipped(heated: Thread, keyword_judge: KeywordJudge) -> None:
    report = analyse_thread(heated, keyword_judge, risk=False)
    assert report.shape.levels == {
        "DH0": 1,
        "DH1": 1,
        "DH2": 0,
        "DH3": 1,
        "DH4": 1,
        "DH5": 1,
        "DH6": 1,
    }
    assert report.shape.none == 1  # the question
    assert report.shape.acts["question"] == 1
    assert report.shape.skipped == 0
    assert report.shape.judged == 7
    assert report.attack_share == pytest.approx(2 / 7)
    assert report.mean_rank == pytest.approx((3 + 4 + 5 + 1 + 6 + 0) / 6)
    assert report.risk is None


def test_participants_profile_and_pull(heated: Thread, keyword_judge: KeywordJudge) -> None:
    report = analyse_thread(heated, keyword_judge, risk=False)
    by = {p.author: p for p in report.participants}
    assert [p.author for p in report.participants] == ["ann", "bob"]  # most active first
    ann, bob = by["ann"], by["bob"]
    assert ann.comments == 4 and bob.comments == 3
    assert ann.levels["DH0"] == 1 and ann.levels["DH1"] == 1 and ann.none == 1
    assert ann.attack_share == pytest.approx(2 / 4)
    assert ann.mean_rank == pytest.approx((3 + 1 + 0) / 3)
    assert ann.pull == "down"
    assert bob.mean_rank == pytest.approx(5.0)
    assert bob.attack_share == 0.0
    assert bob.pull == "up"
    assert bob.delta == pytest.approx(5.0 - report.mean_rank)  # type: ignore[operator]


def test_turning_point_is_first_attack_quoted(heated: Thread, keyword_judge: KeywordJudge) -> None:
    report = analyse_thread(heated, keyword_judge, risk=False)
    tp = report.turning_point
    assert tp is not None
    assert (tp.index, tp.comment_id, tp.author, tp.level) == (4, "c5", "ann", "DH1")
    assert tp.quote == "You are a liar with an agenda."
    assert [r.level for r in report.replies] == ["DH3", "DH4", None, "DH5", "DH1", "DH6", "DH0"]


def test_no_turning_point_in_a_calm_thread(keyword_judge: KeywordJudge) -> None:
    calm = make_thread([("a", None, "x", "Steel lasts."), ("b", "a", "y", "No, because rust.")])
    assert analyse_thread(calm, keyword_judge, risk=False).turning_point is None


def test_long_turning_reply_is_shortened(keyword_judge: KeywordJudge) -> None:
    t = make_thread([("a", None, "x", "Fine."), ("b", "a", "y", "You idiot " + "blah " * 200)])
    tp = analyse_thread(t, keyword_judge, risk=False).turning_point
    assert tp is not None and len(tp.quote) == 400 and tp.quote.endswith("…")


def test_one_judge_call_each_comment_once_with_its_parent(
    heated: Thread, keyword_judge: KeywordJudge
) -> None:
    analyse_thread(heated, keyword_judge, risk=False)
    assert len(keyword_judge.calls) == 1
    texts, parents = keyword_judge.calls[0]
    assert len(texts) == len(set(texts)) == 7  # each comment once, though most are parents too
    assert parents[0] is None
    assert parents[1] == texts[0] and parents[6] == texts[5]


def test_deleted_comments_are_kept_but_not_judged(keyword_judge: KeywordJudge) -> None:
    t = make_thread(
        [
            ("a", None, "x", "Steel lasts."),
            ("b", "a", None, "[deleted]"),
            ("c", "b", "y", "You idiot."),
            ("d", "c", "z", "   "),
        ]
    )
    report = analyse_thread(t, keyword_judge, risk=False)
    texts, parents = keyword_judge.calls[0]
    assert texts == ["Steel lasts.", "You idiot."]
    assert parents == [None, None]  # a deleted parent gives no context
    assert report.shape.skipped == 2
    assert [r.skipped for r in report.replies] == [None, "no text", None, "no text"]
    assert ANONYMOUS not in {p.author for p in report.participants}
    assert report.turning_point is not None and report.turning_point.index == 2


def test_reply_order_follows_timestamps(keyword_judge: KeywordJudge) -> None:
    def at(minute: int) -> datetime:
        return datetime(2024, 1, 1, 12, minute, tzinfo=UTC)

    comments = [
        Comment("a", None, "x", "Steel lasts.", "t", at(0)),
        Comment("b", "a", "y", "You idiot.", "t", at(5)),
        Comment("c", "a", "z", "No, because rust.", "t", at(1).replace(tzinfo=None)),
    ]  # a naive time is read as UTC, as the reply tree does
    report = analyse_thread(build_threads(comments)["t"], keyword_judge, risk=False)
    assert [r.comment_id for r in report.replies] == ["a", "c", "b"]
    assert report.turning_point is not None and report.turning_point.index == 2


def test_many_threads_are_batched_and_kept_in_order(keyword_judge: KeywordJudge) -> None:
    threads = [
        make_thread(
            [(f"{i}a", None, "x", f"Point {i}."), (f"{i}b", f"{i}a", "y", "You idiot.")],
            thread=f"t{i}",
        )
        for i in range(10)
    ]
    reports = list(analyse_threads(threads, keyword_judge, risk=False, batch_comments=6))
    assert [r.thread_id for r in reports] == [f"t{i}" for i in range(10)]
    assert [len(texts) for texts, _ in keyword_judge.calls] == [6, 6, 6, 2]
    assert all(r.shape.levels["DH0"] == 1 for r in reports)


def test_empty_thread_has_an_empty_report(keyword_judge: KeywordJudge) -> None:
    report = analyse_thread(Thread("empty", []), keyword_judge, risk=False)
    assert report.shape.judged == 0 and report.mean_rank is None
    assert report.participants == () and keyword_judge.calls == []
    assert report.to_dict()["comments"] == 0


def test_report_to_dict_is_json_ready(heated: Thread, keyword_judge: KeywordJudge) -> None:
    import json

    d = analyse_thread(heated, keyword_judge, risk=False).to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["turning_point"]["id"] == "c5"
    assert d["timeline"][4] == "DH1"
    assert d["models"]["judge"] == {"name": "keyword-judge", "version": "test"}
