"""The Ray engine, on a local two-CPU Ray cluster on loopback: the same file as the local engine."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from batch_fakes import make_rows, write_jsonl

from steelman.batch import JudgeFactory, Scorer, score_file
from steelman.batch.compat import import_ray
from steelman.errors import InputError, MissingDependency, RecordError


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    """A local Ray cluster with two CPUs (two judge actors), started once for this module."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray = import_ray()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray
    ray.shutdown()


def _thread_rows() -> list[dict[str, Any]]:
    rows = make_rows(60)
    for i, row in enumerate(rows):  # parents by id: the read task fills the window in order
        del row["parent"]
        row["parent_id"] = f"r{i - i % 4}" if i % 4 else None
    return rows


@pytest.mark.slow
def test_ray_writes_what_the_local_engine_writes(
    tmp_path: Path, ray_cluster: Any, real: Callable[[], Scorer]
) -> None:
    """Parents by id (filled in order by the read task), four chunks over two actors."""
    src = write_jsonl(tmp_path / "in.jsonl", _thread_rows())
    local, remote = tmp_path / "local.jsonl.gz", tmp_path / "ray.jsonl.gz"
    expected = score_file(src, local, real, workers=1, checkpoint_rows=16)
    summary = score_file(src, remote, JudgeFactory(), engine="ray", workers=2, checkpoint_rows=16)
    assert (summary.rows, summary.judged, summary.parents_missing) == (60, 60, 0)
    assert expected.parents_missing == 0
    assert remote.read_bytes() == local.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["in.jsonl", local.name, remote.name]
    )


@pytest.mark.slow
def test_ray_names_a_bad_line(tmp_path: Path, ray_cluster: Any) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "fine"}\n{"text": "fine too"}\n{"text": ""}\n', encoding="utf-8")
    with pytest.raises(RecordError, match="line 3, field 'text': the text is empty"):
        score_file(src, tmp_path / "out.jsonl", JudgeFactory(), engine="ray", workers=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.slow
def test_ray_from_the_command_line(tmp_path: Path, ray_cluster: Any) -> None:
    from click.testing import CliRunner

    from steelman.cli import cli

    src = write_jsonl(tmp_path / "in.jsonl", make_rows(20))
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        cli, ["score", str(src), "--out", str(out), "--engine", "ray", "--workers", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "scored 20 rows (20 judged, 0 errors)" in result.stderr
    assert len(out.read_text().splitlines()) == 20


def test_unordered_is_refused_on_ray(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", make_rows(2))
    with pytest.raises(InputError, match="Ray keeps the input order"):
        score_file(src, tmp_path / "out.jsonl", engine="ray", unordered=True)


def test_missing_ray_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "ray" or m.startswith("ray.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(MissingDependency, match=r"pip install 'steelman\[ray\]'"):
        import_ray()
