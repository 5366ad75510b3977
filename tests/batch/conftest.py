"""Fixtures of the batch tests: small input files and judges (the real one and a fast fake)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from batch_fakes import FakeScorer, make_rows, write_jsonl

from steelman.batch import JudgeFactory, Scorer


@pytest.fixture
def rows() -> list[dict[str, Any]]:
    return make_rows(40)


@pytest.fixture
def in_jsonl(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    return write_jsonl(tmp_path / "in.jsonl", rows)


@pytest.fixture(scope="session")
def batch_judge() -> Scorer:
    """The real bundled judge, loaded once (as the batch workers load it)."""
    return JudgeFactory()()


@pytest.fixture
def real(batch_judge: Scorer) -> Callable[[], Scorer]:
    """A factory handing out the session's real judge (in-process runs: no reload)."""
    return lambda: batch_judge


@pytest.fixture
def spawnable() -> JudgeFactory:
    """The real judge's factory, for worker processes (each loads the bundled model)."""
    return JudgeFactory()


@pytest.fixture
def fake() -> Callable[[], Scorer]:
    return FakeScorer
