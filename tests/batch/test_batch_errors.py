"""Bad input: every error names the line (and the field), and no output is left behind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from batch_fakes import FakeScorer, read_jsonl

from steelman.batch import Scorer, score_file
from steelman.errors import RecordError, TextError
from steelman.judge.result import Judgement


def _only_input_left(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == ["in.jsonl"]


def _write(tmp_path: Path, data: bytes) -> Path:
    src = tmp_path / "in.jsonl"
    src.write_bytes(data)
    return src


GOOD = b'{"text": "You are wrong.", "parent": "Tax cuts pay for themselves."}\n'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (GOOD * 2 + b'{"text": "oops",\n', r"in\.jsonl, line 3: not valid JSON"),
        (GOOD + b'{"text": "caf\xe9"}\n', r"line 2: invalid UTF-8 at byte 13"),
        (GOOD + b'["not", "an", "object"]\n', r"line 2: expected a JSON object, found list"),
        (GOOD + b'{"text": "   "}\n', r"line 2, field 'text': the text is empty; fix the row"),
        (GOOD + b'{"text": 42}\n', r"line 2, field 'text': expected text, found int"),
        (GOOD + b'{"text": "ok", "parent": 7}\n', r"line 2, field 'parent': expected text"),
        (GOOD + b'{"body": "x"}\n', r"line 2: no field 'text'; fields seen: body"),
    ],
)
@pytest.mark.parametrize("workers", [1, 2])
def test_bad_lines_are_named_and_nothing_is_left(
    tmp_path: Path, data: bytes, message: str, workers: int, fake: Callable[[], Scorer]
) -> None:
    src = _write(tmp_path, data)
    with pytest.raises(RecordError, match=message):
        score_file(src, tmp_path / "out.jsonl", fake, workers=workers)
    _only_input_left(tmp_path)


def test_a_wrong_text_field_lists_the_fields_seen(
    tmp_path: Path, fake: Callable[[], Scorer]
) -> None:
    src = _write(tmp_path, b'{"body": "hi", "id": 1}\n{"body": "there", "id": 2}\n')
    with pytest.raises(RecordError) as caught:
        score_file(src, tmp_path / "out.jsonl", fake, workers=1, skip_bad=True)
    assert str(caught.value).endswith(
        "line 1: no field 'text'; fields seen: body, id — use --text-field"
    )
    assert caught.value.line == 1
    _only_input_left(tmp_path)
    summary = score_file(src, tmp_path / "out.jsonl", fake, workers=1, text_field="body")
    assert summary.judged == 2


def test_an_explicit_parent_field_must_exist(tmp_path: Path, fake: Callable[[], Scorer]) -> None:
    src = _write(tmp_path, GOOD)
    with pytest.raises(RecordError, match=r"line 1: no field 'reply_to'.*--parent-field"):
        score_file(src, tmp_path / "o.jsonl", fake, parent_field="reply_to", parent_required=True)
    _only_input_left(tmp_path)


def test_skip_bad_marks_rows_and_drops_unreadable_lines(
    tmp_path: Path, fake: Callable[[], Scorer]
) -> None:
    src = _write(tmp_path, GOOD + b'{"text": ""}\n{broken\n' + GOOD)
    summary = score_file(src, tmp_path / "out.jsonl", fake, workers=1, skip_bad=True)
    assert (summary.records, summary.rows, summary.judged, summary.errors) == (4, 3, 2, 2)
    out = read_jsonl(tmp_path / "out.jsonl")
    assert out[1] == {
        "text": "",
        "steelman": {"error": "line 2, field 'text': the text is empty"},
    }
    assert out[0]["steelman"]["level"] is not None
    assert out[0] == {**out[2], "steelman": out[2]["steelman"]}


class _Refuses(FakeScorer):
    """A judge that refuses one particular text, as the real one refuses an empty text."""

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        if "refuse me" in texts:
            raise TextError("the judge cannot read this text")
        return super().judge_batch(texts, parents)


def test_a_text_the_judge_refuses_is_named(tmp_path: Path) -> None:
    src = _write(tmp_path, GOOD + b'{"text": "refuse me"}\n' + GOOD)
    with pytest.raises(RecordError, match="line 2, field 'text': the judge cannot read this"):
        score_file(src, tmp_path / "out.jsonl", _Refuses, workers=1)
    _only_input_left(tmp_path)
    summary = score_file(src, tmp_path / "out.jsonl", _Refuses, workers=1, skip_bad=True)
    assert (summary.judged, summary.errors) == (2, 1)
    assert "error" in read_jsonl(tmp_path / "out.jsonl")[1]["steelman"]


def test_bad_csv_rows_are_named(tmp_path: Path, fake: Callable[[], Scorer]) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(b"id,text\n1,fine\n2,too,many\n")
    with pytest.raises(RecordError, match="line 3: expected 2 fields as in the header, found 3"):
        score_file(src, tmp_path / "out.csv", fake, workers=1)
    src.write_bytes(b"id,text\n1,fine\n2,caf\xe9\n")
    with pytest.raises(RecordError, match="line 3: invalid UTF-8"):
        score_file(src, tmp_path / "out.csv", fake, workers=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_truncated_compressed_input_is_named(tmp_path: Path, fake: Callable[[], Scorer]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(GOOD * 200)
    score_file(src, tmp_path / "whole.jsonl.gz", fake, workers=1)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes((tmp_path / "whole.jsonl.gz").read_bytes()[:-30])
    with pytest.raises(RecordError, match="corrupt or truncated"):
        score_file(cut, tmp_path / "out.jsonl", fake, workers=1)
    assert not (tmp_path / "out.jsonl").exists()


def test_output_must_not_overwrite_the_input(tmp_path: Path, fake: Callable[[], Scorer]) -> None:
    src = _write(tmp_path, GOOD)
    with pytest.raises(Exception, match="overwrite the input"):
        score_file(src, src, fake)
    assert src.read_bytes() == GOOD


def test_an_explicit_parent_field_may_be_missing_after_the_first_row(
    tmp_path: Path, fake: Callable[[], Scorer]
) -> None:
    src = _write(tmp_path, GOOD + b'{"text": "A top-level comment."}\n')
    summary = score_file(src, tmp_path / "o.jsonl", fake, parent_required=True, workers=1)
    assert (summary.judged, summary.errors) == (2, 0)
