"""Stopped runs resume from their checkpoint and end with the uninterrupted run's file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_fakes import FakeScorer, make_rows, write_jsonl

from steelman.batch import score_file
from steelman.judge.result import Judgement


class _Stops(FakeScorer):
    """A judge whose run is interrupted (Ctrl-C) at its ``at``-th batch (0: never)."""

    at = 0

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        if len(self.calls) + 1 == self.at:
            raise KeyboardInterrupt
        return super().judge_batch(texts, parents)


@pytest.mark.parametrize("suffix", ["jsonl.gz", "csv", "parquet"])
def test_an_interrupted_run_resumes(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = make_rows(100)
    for row in rows:  # parents by id, so that resuming must refill the window
        row["parent_id"] = f"r{int(row['id'][1:]) - 3}"
        del row["parent"]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out, clean = tmp_path / f"out.{suffix}", tmp_path / f"clean.{suffix}"
    score_file(src, clean, _Stops, workers=1, checkpoint_rows=16)

    monkeypatch.setattr(_Stops, "at", 3)
    with pytest.raises(KeyboardInterrupt):
        score_file(src, out, _Stops, workers=1, checkpoint_rows=16)
    assert not out.exists()
    progress = json.loads(Path(f"{out}.progress.json").read_text())["progress"]
    assert progress["records"] == 32  # two batches of 16 were done and checkpointed

    monkeypatch.setattr(_Stops, "at", 0)
    summary = score_file(src, out, _Stops, workers=1, checkpoint_rows=16)
    assert (summary.resumed_from, summary.judged_now, summary.rows) == (32, 68, 100)
    assert summary.parents_missing == 3  # r-3, r-2, r-1: counted once, not again on resuming
    assert out.read_bytes() == clean.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.jsonl", out.name, clean.name])


def test_other_arguments_start_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", make_rows(50))
    out = tmp_path / "out.jsonl"

    def stopped() -> None:
        monkeypatch.setattr(_Stops, "at", 3)
        with pytest.raises(KeyboardInterrupt):
            score_file(src, out, _Stops, workers=1, checkpoint_rows=16)
        monkeypatch.setattr(_Stops, "at", 0)

    stopped()
    assert (
        score_file(src, out, _Stops, workers=1, checkpoint_rows=16, skip_bad=True).resumed_from == 0
    )
    stopped()
    assert score_file(src, out, FakeScorer, workers=1, checkpoint_rows=16).resumed_from == 0
    stopped()
    assert (
        score_file(src, out, _Stops, workers=1, checkpoint_rows=16, resume=False).resumed_from == 0
    )
    stopped()
    assert score_file(src, out, _Stops, workers=1, checkpoint_rows=16).resumed_from == 32


def _steelman_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from steelman.cli import main; main()", "score", *args]


@pytest.mark.slow
def test_a_killed_run_resumes_to_the_same_file(tmp_path: Path, spawnable: object) -> None:
    """SIGKILL a real two-worker run midway; the same command then finishes the same file."""
    src = write_jsonl(tmp_path / "in.jsonl", make_rows(480))
    out, clean = tmp_path / "out.jsonl.gz", tmp_path / "clean.jsonl.gz"
    args = [str(src), "--out", str(out), "--workers", "2", "--checkpoint-rows", "32"]
    progress = Path(f"{out}.progress.json")
    run = subprocess.Popen(
        _steelman_command(*args), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and run.poll() is None:
            if progress.exists() and json.loads(progress.read_text())["progress"]["records"] >= 96:
                break
            time.sleep(0.02)
        assert run.poll() is None, run.stderr.read().decode() if run.stderr else ""
        os.killpg(run.pid, signal.SIGKILL)  # the run and its workers, all at once
    finally:
        run.wait(timeout=30)
        if run.stderr:
            run.stderr.close()
    done = json.loads(progress.read_text())["progress"]["records"]
    assert 96 <= done < 480 and not out.exists()

    rerun = subprocess.run(_steelman_command(*args), capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"resumed after {done:,} rows" in rerun.stderr
    score_file(src, clean, spawnable, workers=1, checkpoint_rows=32)  # type: ignore[arg-type]
    assert out.read_bytes() == clean.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.jsonl.gz", "in.jsonl", out.name]
