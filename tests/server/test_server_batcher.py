"""The micro-batcher: gathers concurrent requests, isolates bad replies, survives cancellation."""

from __future__ import annotations

import asyncio
import threading

import pytest
from serverkit import RuleJudge, SlowJudge

from steelman.errors import TextError
from steelman.server.judging import JudgeUnavailable, MicroBatcher


def test_concurrent_submissions_share_one_call() -> None:
    judge = RuleJudge()
    batcher = MicroBatcher(judge, window_ms=100, max_batch=8)
    futures = [batcher.submit(f"No {i}", None) for i in range(8)]
    assert [f.result(5).level for f in futures] == ["DH3"] * 8
    assert judge.calls == [8]
    batcher.stop()


def test_max_batch_caps_a_call() -> None:
    judge = RuleJudge()
    batcher = MicroBatcher(judge, window_ms=100, max_batch=3)
    assert len(batcher.judge_many([f"No {i}" for i in range(7)], [None] * 7)) == 7
    assert max(judge.calls) <= 3 and sum(judge.calls) == 7
    batcher.stop()


def test_one_unjudgeable_reply_does_not_fail_the_others() -> None:
    class Picky(RuleJudge):
        def judge_batch(self, texts: list[str], parents: list[str | None]) -> list:  # type: ignore[type-arg]
            if any("reject me" in t for t in texts):
                if len(texts) > 1:
                    raise TextError("one of these is too long")
                raise TextError("too long")
            return super().judge_batch(texts, parents)

    batcher = MicroBatcher(Picky(), window_ms=100)
    good, bad = batcher.submit("No.", None), batcher.submit("reject me", None)
    assert good.result(5).level == "DH3"
    with pytest.raises(TextError):
        bad.result(5)
    with pytest.raises(TextError):
        batcher.submit("   ", None)
    batcher.stop()


def test_timeout_is_unavailable_and_the_worker_survives_cancelled_callers() -> None:
    batcher = MicroBatcher(SlowJudge(0.3), window_ms=0, timeout_s=0.05)
    with pytest.raises(JudgeUnavailable):
        batcher.judge_one("No.", None)

    async def give_up() -> None:
        with pytest.raises(JudgeUnavailable):
            await batcher.ajudge_many(["No."] * 3, [None] * 3)  # cancels its futures

    asyncio.run(give_up())
    batcher.timeout = 5
    assert batcher.judge_one("No, because.", None).level == "DH4"  # the worker is still alive
    assert any(t.name == "steelman-judge" for t in threading.enumerate())
    batcher.stop()


def test_a_reply_checked_then_posted_is_judged_once() -> None:
    judge = RuleJudge()
    batcher = MicroBatcher(judge, window_ms=0, cache_size=2)
    first = batcher.judge_one("No, because.", "parent")
    assert batcher.judge_one("No, because.", "parent") is first
    batcher.judge_one("No, because.", "another parent")  # the parent is part of the key
    assert sum(judge.calls) == 2
    batcher.judge_one("Third.", None)  # evicts the oldest
    batcher.judge_one("No, because.", "parent")
    assert sum(judge.calls) == 4
    batcher.stop()
    uncached = MicroBatcher(RuleJudge(), window_ms=0, cache_size=0)
    uncached.judge_one("No.", None)
    uncached.judge_one("No.", None)
    assert sum(uncached.judge.calls) == 2  # type: ignore[attr-defined]
    uncached.stop()


def test_overload_is_refused_at_once_not_after_a_timeout() -> None:
    import time

    judge = RuleJudge()
    batcher = MicroBatcher(judge, window_ms=0, timeout_s=1.0, cache_size=0)
    assert batcher.rate is None
    batcher.judge_one("No.", None)
    assert batcher.rate is not None and batcher.rate > 0  # measured on real calls
    batcher.rate = 2.0  # as if the judge managed 2 replies/s
    started = time.perf_counter()
    with pytest.raises(JudgeUnavailable, match="busy"):
        asyncio.run(batcher.ajudge_many([f"No {i}." for i in range(8)], [None] * 8))
    assert time.perf_counter() - started < 0.5
    assert sum(judge.calls) == 1  # the refused work was never queued
    assert len(batcher.judge_many(["A.", "B."], [None, None])) == 2  # within the limit
    batcher.stop()
