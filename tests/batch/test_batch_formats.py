"""Every format and compression, in and out, with the real judge."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from batch_fakes import read_jsonl

from steelman.batch import FileFormat, Scorer, score_file
from steelman.batch.readers import InputFile
from steelman.errors import InputError, RecordError

FORMATS = ["jsonl", "jsonl.gz", "jsonl.zst", "csv", "csv.gz", "csv.zst", "parquet"]


def _read_any(path: Path) -> list[dict[str, Any]]:
    rows = [record.row for record in InputFile(path).records()]
    assert all(row is not None for row in rows)
    return [row for row in rows if row is not None]


def _steelman(row: dict[str, Any]) -> dict[str, Any]:
    value = row["steelman"]
    parsed: dict[str, Any] = json.loads(value) if isinstance(value, str) else value
    return parsed


@pytest.mark.slow
@pytest.mark.parametrize("suffix", FORMATS)
def test_each_format_round_trips(
    suffix: str, tmp_path: Path, in_jsonl: Path, rows: list[dict[str, Any]], batch_judge: Scorer,
    real: Callable[[], Scorer],
) -> None:  # fmt: skip
    """JSONL -> FORMAT -> JSONL keeps every row, in order, with the judge's verdict."""
    middle = tmp_path / f"mid.{suffix}"
    summary = score_file(in_jsonl, middle, real, workers=1)
    assert (summary.rows, summary.judged, summary.errors) == (40, 40, 0)
    written = _read_any(middle)
    assert [row["id"] for row in written] == [row["id"] for row in rows]
    expected = batch_judge.judge_batch([r["text"] for r in rows], [r["parent"] for r in rows])
    assert [_steelman(row) for row in written] == [j.to_dict() for j in expected]

    back = tmp_path / "back.jsonl"
    score_file(middle, back, real, workers=1)
    again = read_jsonl(back)
    assert [_steelman(row) for row in again] == [j.to_dict() for j in expected]
    if suffix.startswith("csv"):  # CSV holds text: numbers come back as their digits
        assert [row["score"] for row in again] == [str(row["score"]) for row in rows]
    else:
        assert [row["score"] for row in again] == [row["score"] for row in rows]


def test_compressed_output_is_really_compressed(
    tmp_path: Path, in_jsonl: Path, fake: Callable[[], Scorer]
) -> None:
    score_file(in_jsonl, tmp_path / "out.jsonl.gz", fake, workers=1)
    with gzip.open(tmp_path / "out.jsonl.gz", "rt", encoding="utf-8") as fh:
        assert len(fh.read().splitlines()) == 40
    score_file(in_jsonl, tmp_path / "out.jsonl.zst", fake, workers=1)
    assert (tmp_path / "out.jsonl.zst").read_bytes()[:4] == b"\x28\xb5\x2f\xfd"  # zstd magic


def test_output_spans_many_segments_the_same(
    tmp_path: Path, in_jsonl: Path, fake: Callable[[], Scorer]
) -> None:
    """Checkpoints every 8 rows (5 segments joined) hold the same rows as one segment."""
    for suffix in ("jsonl", "jsonl.gz", "csv.zst", "parquet"):
        one, many = tmp_path / f"one.{suffix}", tmp_path / f"many.{suffix}"
        score_file(in_jsonl, one, fake, workers=1)
        score_file(in_jsonl, many, fake, workers=1, checkpoint_rows=8)
        assert _read_any(one) == _read_any(many)
        assert len(_read_any(many)) == 40
        assert not (tmp_path / f"many.{suffix}.partial").exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.jsonl", FileFormat("jsonl")),
        ("a.NDJSON.GZ", FileFormat("jsonl", "gz")),
        ("a.csv.zst", FileFormat("csv", "zst")),
        ("a.parquet", FileFormat("parquet")),
    ],
)
def test_format_is_told_by_name(name: str, expected: FileFormat) -> None:
    assert FileFormat.of(name) == expected


@pytest.mark.parametrize(
    ("name", "message"),
    [("a.txt", "cannot tell the format"), ("a.parquet.gz", "compressed inside the file")],
)
def test_unknown_formats_are_refused(name: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        FileFormat.of(name)


def test_csv_quoted_newlines_keep_their_line_numbers(
    tmp_path: Path, fake: Callable[[], Scorer]
) -> None:
    src = tmp_path / "in.csv"
    src.write_text('id,text\n1,"two\nlines"\n2,fine\n3,\n', encoding="utf-8")
    records = list(InputFile(src).records())
    assert [(r.line, r.row) for r in records] == [
        (2, {"id": "1", "text": "two\nlines"}),
        (4, {"id": "2", "text": "fine"}),
        (5, {"id": "3", "text": ""}),
    ]
    with pytest.raises(RecordError, match=r"line 5, field 'text': the text is empty"):
        score_file(src, tmp_path / "out.csv", fake, workers=1)


def test_csv_output_needs_the_same_fields_in_every_row(
    tmp_path: Path, fake: Callable[[], Scorer]
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "a"}\n{"text": "b", "extra": 1}\n', encoding="utf-8")
    with pytest.raises(RecordError, match="line 2: field 'extra' is not a column"):
        score_file(src, tmp_path / "out.csv", fake, workers=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]
