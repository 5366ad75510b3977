"""Worker processes, each loading the real model once: order kept, or not with --unordered."""

from __future__ import annotations

from pathlib import Path

import pytest
from batch_fakes import make_rows, read_jsonl, write_jsonl

from steelman.batch import JudgeFactory, score_file
from steelman.errors import ModelError


@pytest.mark.slow
def test_two_workers_write_what_one_writes(tmp_path: Path, spawnable: JudgeFactory) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", make_rows(90))
    one, two, loose = tmp_path / "one.jsonl", tmp_path / "two.jsonl", tmp_path / "loose.jsonl"
    score_file(src, one, spawnable, workers=1, checkpoint_rows=16)
    summary = score_file(src, two, spawnable, workers=2, checkpoint_rows=16)
    assert (summary.rows, summary.judged) == (90, 90)
    assert two.read_bytes() == one.read_bytes()
    assert [row["id"] for row in read_jsonl(two)] == [f"r{i}" for i in range(90)]

    score_file(src, loose, spawnable, workers=2, checkpoint_rows=16, unordered=True)
    assert sorted(loose.read_text().splitlines()) == sorted(one.read_text().splitlines())


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_a_model_that_cannot_load_says_why(tmp_path: Path, workers: int) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", make_rows(4))
    missing = JudgeFactory(str(tmp_path / "no-such-model"))
    with pytest.raises(ModelError, match="no-such-model"):
        score_file(src, tmp_path / "out.jsonl", missing, workers=workers)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]
