"""Reply trees: order, depth, parents, children, and the nasty cases reported in problems."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from steelman.data.comments import Comment
from steelman.data.formats import Thread, build_threads, read_comments

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "formats"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def c(cid: str, parent: str | None, minutes: int | None = None, thread: str = "t") -> Comment:
    created = None if minutes is None else T0 + timedelta(minutes=minutes)
    return Comment(id=cid, parent_id=parent, author=None, text=cid, thread=thread, created=created)


def ids(thread: Thread) -> list[str]:
    return [comment.id for comment in thread.comments]


@pytest.fixture
def fixture_threads() -> dict[str, Thread]:
    return build_threads(read_comments(FIXTURES / "comments.jsonl"))


def test_order_depth_parents_children(fixture_threads: dict[str, Thread]) -> None:
    t1 = fixture_threads["t1"]
    # c3 was written before c2, so it comes first among c1's replies.
    assert ids(t1) == ["c1", "c3", "c2", "c4", "c5"]
    assert [t1.depth(i) for i in ids(t1)] == [0, 1, 1, 2, 3]
    assert t1.parent_of("c1") is None
    parent = t1.parent_of("c3")
    assert parent is not None and parent.id == "c1"
    assert [x.id for x in t1.children("c1")] == ["c3", "c2"]
    assert [x.id for x in t1.children()] == ["c1"]
    assert t1.problems == []
    assert len(t1) == 5 and "c4" in t1 and "zz" not in t1


def test_deleted_comments_stay_as_placeholders(fixture_threads: dict[str, Thread]) -> None:
    t1 = fixture_threads["t1"]
    placeholder = t1.parent_of("c5")
    assert placeholder is not None and placeholder.id == "c4" and placeholder.deleted


def test_nasty_cases_are_repaired_and_reported(fixture_threads: dict[str, Thread]) -> None:
    t2 = fixture_threads["t2"]
    assert ids(t2) == ["101", "102", "103", "105", "104", "106"]
    assert [t2.parent_of(i) for i in ("101", "102", "103")] == [None, None, None]
    assert [t2.depth(i) for i in ids(t2)] == [0, 0, 0, 1, 2, 1]
    first = t2.get("101")
    assert first is not None and first.author == "carol"  # the first of the duplicates
    assert t2.problems == [
        "duplicate id '101' (input position 6 of the thread); "
        "kept the first comment with it, dropped this one",
        "comment '101' replies to 'gone', which is not in the thread; made it top level",
        "comment '102' replies to itself; made it top level",
        "reply cycle '103' -> '104' -> '105' -> '103' (each replies to the next); "
        "made '103' top level",
    ]


def test_comments_are_not_changed(fixture_threads: dict[str, Thread]) -> None:
    comments = list(read_comments(FIXTURES / "comments.jsonl"))
    before = copy.deepcopy(comments)
    build_threads(comments)
    assert comments == before
    cycle_start = fixture_threads["t2"].get("103")
    assert cycle_start is not None and cycle_start.parent_id == "104"


def test_cycle_broken_at_the_first_seen_member_wherever_the_walk_starts() -> None:
    # The walk starts at x, outside the cycle; b is the first-seen member of the cycle.
    thread = build_threads([c("x", "c", 0), c("b", "c", 1), c("c", "d", 2), c("d", "b", 3)])["t"]
    assert thread.parent_of("b") is None
    assert ids(thread) == ["b", "d", "c", "x"]
    assert thread.problems == [
        "reply cycle 'b' -> 'c' -> 'd' -> 'b' (each replies to the next); made 'b' top level"
    ]


def test_two_cycles_and_a_two_cycle() -> None:
    comments = [c("a", "b", 0), c("b", "a", 1), c("p", "q", 2), c("q", "r", 3), c("r", "p", 4)]
    thread = build_threads(comments)["t"]
    assert [p.split(";")[1] for p in thread.problems] == [
        " made 'a' top level",
        " made 'p' top level",
    ]
    assert ids(thread) == ["a", "b", "p", "r", "q"]


def test_siblings_by_time_then_input_order_untimed_last() -> None:
    comments = [
        c("r", None, 0),
        c("late", "r", 9),
        c("none1", "r"),
        c("tie1", "r", 5),
        c("tie2", "r", 5),
        c("none2", "r"),
    ]
    thread = build_threads(comments)["t"]
    assert ids(thread) == ["r", "tie1", "tie2", "late", "none1", "none2"]


def test_naive_and_aware_times_mix() -> None:
    naive = Comment(
        id="n",
        parent_id=None,
        author=None,
        text="",
        thread="t",
        created=datetime(2024, 1, 1, 0, 30),
    )
    thread = build_threads([c("a", None, 60), naive, c("b", None, 0)])["t"]
    assert ids(thread) == ["b", "n", "a"]


def test_threads_are_grouped_in_first_seen_order() -> None:
    threads = build_threads([c("1", None, 0, "y"), c("2", None, 0, "x"), c("3", "1", 1, "y")])
    assert list(threads) == ["y", "x"]
    assert ids(threads["y"]) == ["1", "3"]
    assert build_threads([]) == {}


def test_a_very_deep_chain_needs_no_recursion() -> None:
    chain = [c("0", None, 0)] + [c(str(i), str(i - 1), i) for i in range(1, 20_000)]
    thread = build_threads(reversed(chain))["t"]
    assert ids(thread)[:3] == ["0", "1", "2"]
    assert thread.depth("19999") == 19_999


def test_unknown_ids_raise_key_error(fixture_threads: dict[str, Thread]) -> None:
    with pytest.raises(KeyError, match="no comment 'zz' in thread 't1'"):
        fixture_threads["t1"].parent_of("zz")
    assert fixture_threads["t1"].get("zz") is None


@pytest.mark.parametrize(
    ("name", "problems"),
    [
        ("reddit.jsonl", 1),
        ("disqus.xml", 0),
        ("wordpress.xml", 0),
        ("convokit", 1),
        ("wikitactics.json", 0),
    ],
)
def test_every_format_builds_trees(name: str, problems: int) -> None:
    threads = build_threads(read_comments(FIXTURES / name))
    assert sum(len(t.problems) for t in threads.values()) == problems
    for thread in threads.values():
        for comment in thread.comments:
            parent = thread.parent_of(comment.id)
            if parent is not None:
                assert ids(thread).index(parent.id) < ids(thread).index(comment.id)
                assert thread.depth(comment.id) == thread.depth(parent.id) + 1
