"""Grouping a comment stream into threads, in memory or spilled to SQLite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from threadkit import KeywordJudge

from steelman.data.comments import Comment
from steelman.errors import InputError
from steelman.threads import iter_threads
from steelman.threads.grouping import pick_thread


def _interleaved() -> list[Comment]:
    out = []
    for i in range(6):
        for t in ("t1", "t2", "t3"):
            parent = f"{t}-{i - 1}" if i else None
            when = datetime(2024, 1, 1, i, tzinfo=UTC)
            out.append(
                Comment(
                    f"{t}-{i}", parent, f"u{i % 2}", f"{t} says {i}", t, when, extra={"score": i}
                )
            )
    return out


def _shape(threads: list) -> list[tuple[str, list[str], list[str | None]]]:  # type: ignore[type-arg]
    return [
        (
            t.id,
            [c.id for c in t.comments],
            [getattr(t.parent_of(c.id), "id", None) for c in t.comments],
        )
        for t in threads
    ]


def test_spilled_grouping_equals_in_memory(tmp_path: object) -> None:
    memory = list(iter_threads(_interleaved()))
    spilled = list(iter_threads(_interleaved(), spill_after=4))
    assert [t.id for t in memory] == ["t1", "t2", "t3"]
    assert _shape(spilled) == _shape(memory)
    first = spilled[0].comments[2]
    assert first.created == datetime(2024, 1, 1, 2, tzinfo=UTC)
    assert first.extra == {"score": 2} and first.author == "u0"


def test_pick_thread_picks_the_only_one_or_by_id() -> None:
    comments = _interleaved()
    only = [c for c in comments if c.thread == "t2"]
    assert pick_thread(only).id == "t2"
    picked = pick_thread(comments, "t3")
    assert picked.id == "t3" and len(picked.comments) == 6
    assert picked.parent_of("t3-1") is not None
    with pytest.raises(InputError, match=r"3 threads \(t1, t2, t3\)"):
        pick_thread(comments)
    with pytest.raises(InputError, match="did you mean 't1'"):
        pick_thread(comments, "t11")
    with pytest.raises(InputError, match="no comments"):
        pick_thread([])


def test_grouped_threads_feed_the_analysis(keyword_judge: KeywordJudge) -> None:
    from steelman.threads import analyse_threads

    reports = list(
        analyse_threads(iter_threads(_interleaved(), spill_after=2), keyword_judge, risk=False)
    )
    assert [len(r.replies) for r in reports] == [6, 6, 6]
    assert len(keyword_judge.calls) == 1
