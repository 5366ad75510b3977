"""The triage table: columns, order, formats, atomic writes."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import pytest
from threadkit import KeywordJudge, make_thread

from steelman.errors import InputError, MissingDependency
from steelman.threads import SUMMARY_COLUMNS, EscalationModel, summarise, write_summary

EXPECTED = [
    "thread",
    "risk",
    "DH0",
    "DH1",
    "DH2",
    "DH3",
    "DH4",
    "DH5",
    "DH6",
    "none",
    "turning_index",
    "turning_id",
    "rose_index",
    "rose_id",
    "comments",
    "participants",
]


def _rows(judge: KeywordJudge, model: EscalationModel) -> list[dict[str, object]]:
    threads = [
        make_thread([("a", None, "x", "Steel."), ("b", "a", "y", "No, because rust.")], "calm"),
        make_thread(
            [("a", None, "x", "Steel."), ("b", "a", "y", "You idiot."), ("c", "b", "x", "Liar!")],
            "hot",
        ),
        make_thread([("a", None, "x", "Steel?"), ("b", "a", "y", "You idiot.")], "warm"),
    ]
    return list(summarise(threads, judge, model))


def test_rows_have_the_columns_in_order(
    keyword_judge: KeywordJudge, tiny_model: EscalationModel
) -> None:
    rows = _rows(keyword_judge, tiny_model)
    assert list(SUMMARY_COLUMNS) == EXPECTED
    assert all(list(r) == EXPECTED for r in rows)
    hot = next(r for r in rows if r["thread"] == "hot")
    assert (hot["DH0"], hot["DH1"], hot["turning_index"], hot["turning_id"]) == (1, 1, 1, "b")
    calm = next(r for r in rows if r["thread"] == "calm")
    assert calm["turning_index"] is None and calm["DH4"] == 1
    assert len(keyword_judge.calls) == 1  # small threads share one judge call


def test_csv_is_sorted_by_risk_and_written_atomically(
    tmp_path: Path, keyword_judge: KeywordJudge, tiny_model: EscalationModel
) -> None:
    out = tmp_path / "summary.csv"
    assert write_summary(_rows(keyword_judge, tiny_model), out) == 3
    with open(out, newline="") as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0]) == EXPECTED
    assert [r["thread"] for r in table] == ["hot", "warm", "calm"]
    risks = [float(r["risk"]) for r in table]
    assert risks == sorted(risks, reverse=True)
    assert table[2]["turning_id"] == ""
    assert [p.name for p in tmp_path.iterdir()] == ["summary.csv"]  # no temp file left


def test_parquet_has_the_same_columns(
    tmp_path: Path, keyword_judge: KeywordJudge, tiny_model: EscalationModel
) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "summary.parquet"
    write_summary(_rows(keyword_judge, tiny_model), out)
    table = pq.read_table(out)
    assert table.column_names == EXPECTED
    assert table.column("thread").to_pylist() == ["hot", "warm", "calm"]
    assert table.column("turning_index").to_pylist() == [1, 1, None]


def test_unknown_suffix_is_refused_and_nothing_written(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.csv or \.parquet"):
        write_summary([], tmp_path / "summary.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "summary.csv"
    out.write_text("old")
    with pytest.raises(KeyError):
        write_summary([{"thread": "x", "risk": 0.5}], out)  # a row without the columns
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.csv"]


def test_parquet_without_pyarrow_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(MissingDependency, match=r"steelman\[parquet\]"):
        write_summary([], tmp_path / "s.parquet")


def test_written_files_get_a_new_files_mode(tmp_path: Path) -> None:
    out = tmp_path / "summary.csv"
    old = os.umask(0o022)
    try:
        write_summary([], out)
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0o600
