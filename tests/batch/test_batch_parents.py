"""Parents by id: a bounded window of recent rows, or an SQLite index of the whole file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from batch_fakes import read_jsonl, write_jsonl

from steelman.batch import ParentWindow, Scorer, score_file


def _thread() -> list[dict[str, Any]]:
    return [
        {"id": "a", "parent_id": None, "text": "Minimum wage rises cost jobs."},
        {"id": "b", "parent_id": "a", "text": "The Card-Krueger study found no job losses."},
        {"id": "c", "parent_id": "b", "text": "You would say that, you're an economist."},
        {"id": "d", "parent_id": "a", "text": "Only a fool believes that."},
        {"id": "e", "parent_id": "zzz", "text": "Replying to a comment we never saw."},
    ]


@pytest.mark.slow
def test_parents_are_found_by_id(
    tmp_path: Path, batch_judge: Scorer, real: Callable[[], Scorer]
) -> None:
    """Rows with id/parent_id and no parent text: the parent's text is looked up."""
    rows = _thread()
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    summary = score_file(src, tmp_path / "out.jsonl", real, workers=1)
    texts = {row["id"]: row["text"] for row in rows}
    parents = [texts.get(row["parent_id"] or "") for row in rows]
    expected = batch_judge.judge_batch([row["text"] for row in rows], parents)
    out = read_jsonl(tmp_path / "out.jsonl")
    assert [row["steelman"] for row in out] == [j.to_dict() for j in expected]
    assert [{k: v for k, v in row.items() if k != "steelman"} for row in out] == rows
    assert summary.parents_missing == 1  # "zzz" is not in the file


def _parents_seen(path: Path) -> list[str | None]:
    """The fake judge writes the parent it saw into the suggestion."""
    return [row["steelman"]["suggestion"].removeprefix("parent=") for row in read_jsonl(path)]


def test_the_window_bounds_how_far_back_a_parent_is_found(
    tmp_path: Path, fake: Callable[[], Scorer]
) -> None:
    rows = [{"id": i, "parent_id": 0 if i else None, "text": f"t{i}"} for i in range(5)]
    rows.append({"id": 5, "parent_id": 3, "text": "t5"})
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    wide = score_file(src, tmp_path / "wide.jsonl", fake, workers=1, parent_window=10)
    assert wide.parents_missing == 0
    assert _parents_seen(tmp_path / "wide.jsonl") == ["None"] + ["'t0'"] * 4 + ["'t3'"]
    # A window of two: row 0 stays because every row asks for it (least recently used goes).
    narrow = score_file(src, tmp_path / "narrow.jsonl", fake, workers=1, parent_window=2)
    assert _parents_seen(tmp_path / "narrow.jsonl") == ["None"] + ["'t0'"] * 4 + ["None"]
    assert narrow.parents_missing == 1


def test_the_index_finds_parents_anywhere(tmp_path: Path, fake: Callable[[], Scorer]) -> None:
    """Replies before their parents: only the SQLite index (a first pass) finds them."""
    rows = list(reversed(_thread()))
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    windowed = score_file(src, tmp_path / "w.jsonl", fake, workers=1)
    assert windowed.parents_missing == 4
    indexed = score_file(src, tmp_path / "i.jsonl", fake, workers=1, parent_index=True)
    assert indexed.parents_missing == 1
    seen = _parents_seen(tmp_path / "i.jsonl")  # rows: e d c b a
    a, b = repr(rows[4]["text"]), repr(rows[3]["text"])
    assert seen == ["None", a, b, a, "None"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["i.jsonl", "in.jsonl", "w.jsonl"]


def test_explicit_id_fields_and_reddit_prefixes(tmp_path: Path, fake: Callable[[], Scorer]) -> None:
    rows = [
        {"name": "x1", "link": "t3_post", "body": "First."},
        {"name": "x2", "link": "t1_x1", "body": "Second."},
    ]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    score_file(
        src, tmp_path / "out.jsonl", fake, workers=1,
        text_field="body", id_field="name", parent_id_field="link",
    )  # fmt: skip
    assert _parents_seen(tmp_path / "out.jsonl") == ["None", "'First.'"]


def test_parent_window_is_an_lru() -> None:
    window = ParentWindow(2)
    window.add("a", "A")
    window.add("b", "B")
    assert window.get("a") == "A"
    window.add("c", "C")  # evicts b, the least recently used
    assert (window.get("a"), window.get("b"), window.get("c")) == ("A", None, "C")
    assert window.get("t1_c") == "C"
