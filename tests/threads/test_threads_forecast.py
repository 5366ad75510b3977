"""The forecast from the comments so far: its trajectory, what moved it, never the future."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from threadkit import KeywordJudge, make_thread

from steelman.data.formats import Thread
from steelman.threads import EscalationModel, analyse_thread
from steelman.threads.forecast import (
    Forecast,
    advance,
    forecast,
    judgement_from_dict,
    trajectory,
)
from steelman.threads.report import Reply, Rise


def _replies(thread: Thread, judge: KeywordJudge) -> tuple[Reply, ...]:
    return analyse_thread(thread, judge, risk=False).replies


def test_the_trajectory_reads_each_prefix_and_nothing_after_it(
    heated: Thread, keyword_judge: KeywordJudge, tiny_model: EscalationModel
) -> None:
    replies = _replies(heated, keyword_judge)
    path = trajectory(replies, tiny_model)
    assert len(path) == len(replies) + 1
    assert np.all((path > 0) & (path < 1))
    # rewrite every reply after the third: the first four entries cannot change
    calm = [dataclasses.replace(r, judgement=replies[1].judgement) for r in replies[3:]]
    other = trajectory([*replies[:3], *calm], tiny_model)
    assert np.array_equal(path[:4], other[:4])
    assert not np.array_equal(path, other)


def test_the_movers_are_the_replies_that_raised_the_risk_most(
    heated: Thread, keyword_judge: KeywordJudge, tiny_model: EscalationModel
) -> None:
    replies = _replies(heated, keyword_judge)
    ahead = forecast(replies, tiny_model)
    path = trajectory(replies, tiny_model)
    assert ahead.risk == pytest.approx(path[-1]) and ahead.replies == len(replies)
    rises = np.diff(path)
    assert ahead.rose_most is not None
    assert ahead.rose_most.index == int(np.argmax(rises))
    assert ahead.rose_most.comment_id == "c5"  # "You are a liar": the first attack
    assert all(m.delta > 0 for m in ahead.movers)
    assert [m.delta for m in ahead.movers] == sorted((m.delta for m in ahead.movers), reverse=True)
    report = analyse_thread(heated, keyword_judge, tiny_model)
    assert report.rise == ahead.rose_most and report.risk == pytest.approx(ahead.risk)


def test_advancing_by_one_reply_matches_the_whole_forecast(
    heated: Thread, keyword_judge: KeywordJudge, tiny_model: EscalationModel
) -> None:
    replies = _replies(heated, keyword_judge)
    running = forecast([], tiny_model)
    for k in range(1, len(replies) + 1):
        running = advance(running, replies[:k], tiny_model)
        whole = forecast(replies[:k], tiny_model)
        assert running.risk == pytest.approx(whole.risk)
        assert [m.comment_id for m in running.movers] == [m.comment_id for m in whole.movers]
    # a previous forecast that does not cover all but the last reply is recomputed whole
    stale = Forecast(0.99, 2)
    assert advance(stale, replies, tiny_model) == forecast(replies, tiny_model)


def test_a_window_searches_only_the_latest_replies(
    heated: Thread, keyword_judge: KeywordJudge, tiny_model: EscalationModel
) -> None:
    replies = _replies(heated, keyword_judge)
    whole, late = forecast(replies, tiny_model), forecast(replies, tiny_model, window=2)
    assert late.risk == pytest.approx(whole.risk) and late.replies == whole.replies
    assert {m.index for m in late.movers} <= {len(replies) - 2, len(replies) - 1}
    path = trajectory(replies, tiny_model)
    assert np.allclose(trajectory(replies, tiny_model, start=4), path[4:])


def test_a_calm_thread_has_no_mover(
    keyword_judge: KeywordJudge, tiny_model: EscalationModel
) -> None:
    calm = make_thread([("a", None, "x", "Steel."), ("b", "a", "y", "No, because rust.")], "calm")
    assert forecast(_replies(calm, keyword_judge), tiny_model).movers == ()


def test_a_judgement_survives_its_json(heated: Thread, keyword_judge: KeywordJudge) -> None:
    for r in _replies(heated, keyword_judge):
        assert r.judgement is not None
        back = judgement_from_dict(r.judgement.to_dict())
        assert dataclasses.replace(back, because=r.judgement.because) == r.judgement


def test_a_rise_round_trips() -> None:
    rise = Rise(3, "c4", "ann", 0.25, 0.5)
    assert Rise.from_dict(rise.to_dict()) == rise and rise.delta == 0.25
