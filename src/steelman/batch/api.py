"""``score_file``: judge every reply of a file and write the file back with the judgements."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from steelman.batch.checkpoint import Checkpoint, Progress, fingerprint_file
from steelman.batch.formats import FileFormat
from steelman.batch.judging import JudgeFactory, Outcome, Scorer
from steelman.batch.local import run_local
from steelman.batch.output import Output
from steelman.batch.prepare import Chunk, Fields, Item, iter_chunks
from steelman.batch.readers import InputFile
from steelman.batch.writers import KEY
from steelman.errors import InputError, RecordError

__all__ = ["ProgressHook", "ScoreSummary", "score_file"]

log = logging.getLogger(__name__)

_SKIP_HINT = "fix the row, or pass --skip-bad to write it with an error mark and go on"


class ProgressHook(Protocol):
    """Told how far a run has come (the CLI draws a progress bar with it)."""

    def start(self, *, total: int, unit: str, rows: int) -> None: ...

    def update(self, *, position: int, rows: int) -> None: ...


@dataclass(frozen=True)
class ScoreSummary:
    """What a run did. Counts include earlier runs it resumed; ``seconds`` is this run's."""

    out_path: Path
    records: int  # input records read
    rows: int  # rows written
    judged: int
    errors: int  # rows written with {"error": ...} plus unreadable lines dropped (--skip-bad)
    parents_missing: int  # parents by id that were not found (judged without a parent)
    resumed_from: int  # records an earlier run had done
    judged_now: int  # replies judged by this run
    seconds: float

    @property
    def rate(self) -> float:
        """Replies judged per second by this run."""
        return self.judged_now / self.seconds if self.seconds > 0 else 0.0


def score_file(
    in_path: str | Path,
    out_path: str | Path,
    judge_factory: Callable[[], Scorer] | None = None,
    *,
    text_field: str = "text",
    parent_field: str | None = "parent",
    parent_required: bool = False,
    id_field: str = "id",
    parent_id_field: str | None = None,
    parent_window: int = 100_000,
    parent_index: bool = False,
    workers: int | None = None,
    unordered: bool = False,
    skip_bad: bool = False,
    engine: Literal["local", "ray"] = "local",
    address: str | None = None,
    resume: bool = True,
    checkpoint_rows: int = 4096,
    chunk_rows: int | None = None,
    progress: ProgressHook | None = None,
) -> ScoreSummary:
    """Judge the reply in each row of ``in_path`` and write the rows, each with a ``"steelman"``
    key added, to ``out_path`` (formats told by the file names; see :mod:`steelman.batch`).

    ``judge_factory`` builds the judge in each worker (default: the bundled model). Rows go to
    the judge in chunks of ``chunk_rows`` (default: 256, or ``checkpoint_rows`` if smaller); a
    checkpoint is saved every ``checkpoint_rows`` input records, and a run that stops resumes
    from the last one when run again with the same arguments, unless ``resume`` is false.

    The first bad row (unreadable, no text, empty text, a text the judge refuses) raises
    :class:`~steelman.errors.RecordError` naming its line, and no output is left behind. With
    ``skip_bad``, such rows are written with ``"steelman": {"error": "line N, field ...: why"}``
    and unreadable lines are dropped, all counted in ``errors``; a text field missing from the
    first row still stops the run (it means a wrong ``text_field``).
    """
    chunk_rows = chunk_rows or min(256, checkpoint_rows)
    src, out = Path(in_path), Path(out_path)
    fields = Fields(
        text=text_field,
        parent=parent_field,
        parent_required=parent_required,
        id=id_field,
        parent_id=parent_id_field or ("parent_id" if parent_index else None),
        window=parent_window,
        index=parent_index,
    )
    factory = judge_factory or JudgeFactory()
    out_format = _check(src, out, fields, workers, unordered, engine, chunk_rows, checkpoint_rows)
    describe = _describe(factory)  # before threads are set: any worker count may resume a run
    if isinstance(factory, JudgeFactory) and not factory.threads:
        per_worker = 1 if engine == "ray" else max(1, _cores() // (workers or _cores()))
        factory = replace(factory, threads=per_worker)
    fingerprint = {
        "input": {"path": str(src.resolve()), **fingerprint_file(src)},
        "output": asdict(out_format),
        "fields": asdict(fields),
        "skip_bad": skip_bad,
        "unordered": unordered,
        "chunks": [chunk_rows, checkpoint_rows],
        "judge": describe,
    }
    checkpoint = Checkpoint(out, fingerprint)
    state = checkpoint.load() if resume else None
    if state is None:
        checkpoint.start()
        state = Progress()
    else:
        log.info("resuming %s after %d records", out, state.records)
    resumed_from, judged_before = state.records, state.judged
    output = Output(out, out_format, checkpoint, state, checkpoint_rows)
    source = InputFile(src)
    if progress is not None:
        progress.start(total=source.total, unit=source.unit, rows=state.records)
    label, began = str(src), time.perf_counter()
    index_path = out.with_name(out.name + ".parents.sqlite").resolve()
    results: Generator[tuple[Chunk, list[Outcome]], None, None]
    if engine == "ray":
        from steelman.batch.ray_engine import run_ray

        results = run_ray(
            src, fields, factory, skip=state.records, chunk_rows=chunk_rows,
            workers=workers, address=address, index_path=index_path,
        )  # fmt: skip
    else:
        chunks = iter_chunks(
            source, fields, skip=state.records, chunk_rows=chunk_rows, index_path=index_path
        )
        results = run_local(
            _checked(chunks, skip_bad, label), factory, workers=workers or _cores(),
            unordered=unordered, checkpoint_rows=checkpoint_rows,
        )  # fmt: skip
    try:
        with contextlib.closing(results):
            for chunk, outcomes in results:
                rows, judged, errors = _resolve(chunk, outcomes, skip_bad, text_field, label)
                output.add(
                    rows, records=len(chunk.items), judged=judged, errors=errors,
                    parents_missing=chunk.parents_missing,
                )  # fmt: skip
                if progress is not None:
                    progress.update(position=chunk.position, rows=state.records)
        output.finish()
    except InputError:
        output.abort()
        raise
    except BaseException:
        output.suspend()
        raise
    return ScoreSummary(
        out_path=out,
        records=state.records,
        rows=sum(state.segments),
        judged=state.judged,
        errors=state.errors,
        parents_missing=state.parents_missing,
        resumed_from=resumed_from,
        judged_now=state.judged - judged_before,
        seconds=time.perf_counter() - began,
    )


def _check(
    src: Path,
    out: Path,
    fields: Fields,
    workers: int | None,
    unordered: bool,
    engine: str,
    chunk_rows: int,
    checkpoint_rows: int,
) -> FileFormat:
    """Refuse arguments that cannot work before any work starts; the output's format."""
    if not src.is_file():
        raise InputError(f"{src}: no such file")
    if src.resolve() == out.resolve():
        raise InputError("the output would overwrite the input; choose another --out")
    if not out.parent.is_dir():
        raise InputError(f"{out.parent}: no such folder for the output")
    FileFormat.of(src)
    fields.check()
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, not {workers}")
    if engine not in ("local", "ray"):
        raise InputError(f"unknown engine {engine!r}; use 'local' or 'ray'")
    if engine == "ray" and unordered:
        raise InputError("--unordered is for the local engine; Ray keeps the input order")
    if chunk_rows < 1 or checkpoint_rows < 1 or checkpoint_rows % chunk_rows:
        raise InputError(
            f"--checkpoint-rows must be a multiple of the chunk size {chunk_rows}, or below it"
        )
    return FileFormat.of(out)


def _cores() -> int:
    """The cores this process may use (its CPU affinity where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _describe(factory: object) -> str:
    """A description of the judge factory that is the same in every run."""
    text = repr(factory)
    if " at 0x" not in text:
        return text
    kind = factory if callable(factory) and hasattr(factory, "__qualname__") else type(factory)
    return f"{kind.__module__}.{kind.__qualname__}"


def _checked(chunks: Iterable[Chunk], skip_bad: bool, label: str) -> Iterator[Chunk]:
    """Raise a chunk's first bad record before it is judged, unless ``skip_bad`` allows it."""
    for chunk in chunks:
        for item in chunk.items:
            if item.error is not None and (item.fatal or not skip_bad):
                raise _error(item, label)
        yield chunk


def _error(item: Item, label: str) -> RecordError:
    if item.fatal or item.row is None:
        return item.record_error(label)
    return RecordError(f"{item.error}; {_SKIP_HINT}", path=label, line=item.line, field=item.field)


def _resolve(
    chunk: Chunk, outcomes: list[Outcome], skip_bad: bool, text_field: str, label: str
) -> tuple[list[tuple[int, dict[str, Any]]], int, int]:
    """The rows to write for ``chunk``, with how many were judged and how many had errors."""
    rows: list[tuple[int, dict[str, Any]]] = []
    judged = errors = 0
    for item, outcome in zip(chunk.items, outcomes, strict=True):
        if isinstance(outcome, str):
            item.error, item.field = outcome, text_field
        if item.error is not None:
            if item.fatal or not skip_bad:
                raise _error(item, label)
            errors += 1
            if item.row is None:
                log.warning("%s: dropped", item.record_error(label))
                continue
        if item.row is None:
            continue
        if isinstance(outcome, dict):
            judged += 1
            rows.append((item.line, {**item.row, KEY: outcome}))
        else:
            mark = str(RecordError(item.error or "not judged", line=item.line, field=item.field))
            rows.append((item.line, {**item.row, KEY: {"error": mark}}))
    return rows, judged, errors
