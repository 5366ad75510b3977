"""The local engine: judge chunks in this process (one worker) or in a pool of processes.

Each worker process loads the judge once (the pool's initializer) and judges whole chunks; this
process reads, prepares and writes. At most two chunks per worker are in flight, so memory does
not grow with the input. Results come back in input order, or as they finish with
``unordered`` (then only within a segment, so that a stopped run can still resume).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from steelman.batch.judging import Outcome, Scorer, judge_texts, merge_outcomes, texts_of
from steelman.batch.prepare import Chunk
from steelman.errors import InputError, SteelmanError

__all__ = ["run_local"]

Factory = Callable[[], Scorer]
Results = Generator[tuple[Chunk, list[Outcome]], None, None]

_scorer: Scorer | None = None
_load_error: SteelmanError | None = None


def run_local(
    chunks: Iterable[Chunk],
    factory: Factory,
    *,
    workers: int,
    unordered: bool = False,
    checkpoint_rows: int = 4096,
) -> Results:
    """Yield each chunk with the outcome of each of its items."""
    if workers == 1:
        scorer = factory()
        for chunk in chunks:
            yield chunk, merge_outcomes(chunk, judge_texts(scorer, *texts_of(chunk)))
        return
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(factory, os.getpid()),
    )
    try:
        if unordered:
            yield from _unordered(pool, chunks, 2 * workers, checkpoint_rows)
        else:
            yield from _ordered(pool, chunks, 2 * workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _result(future: Future[list[Outcome]]) -> list[Outcome]:
    try:
        return future.result()
    except _WorkerError as exc:
        raise exc.rebuild() from None


def _ordered(pool: ProcessPoolExecutor, chunks: Iterable[Chunk], depth: int) -> Results:
    pending: deque[tuple[Chunk, Future[list[Outcome]]]] = deque()
    for chunk in chunks:
        pending.append((chunk, pool.submit(_judge, *texts_of(chunk))))
        if len(pending) >= depth:
            done, future = pending.popleft()
            yield done, merge_outcomes(done, _result(future))
    while pending:
        done, future = pending.popleft()
        yield done, merge_outcomes(done, _result(future))


def _unordered(
    pool: ProcessPoolExecutor, chunks: Iterable[Chunk], depth: int, checkpoint_rows: int
) -> Results:
    pending: dict[Future[list[Outcome]], Chunk] = {}

    def drain(until: int) -> Results:
        while len(pending) > until:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                chunk = pending.pop(future)
                yield chunk, merge_outcomes(chunk, _result(future))

    segment = None
    for chunk in chunks:
        if segment is not None and chunk.start // checkpoint_rows != segment:
            yield from drain(0)  # a segment ends with all its chunks: resumable
        segment = chunk.start // checkpoint_rows
        pending[pool.submit(_judge, *texts_of(chunk))] = chunk
        yield from drain(depth - 1)
    yield from drain(0)


def _start_worker(factory: Factory, parent: int) -> None:
    """Pool initializer: load the judge once; quit if the parent process dies."""
    global _scorer, _load_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    try:
        _scorer = factory()
    except SteelmanError as exc:
        _load_error = exc


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _judge(texts: list[str], parents: list[str | None]) -> list[Outcome]:
    if _scorer is None:
        raise _WorkerError(_load_error or SteelmanError("the worker has no judge"))
    return judge_texts(_scorer, texts, parents)


class _WorkerError(Exception):
    """Carries a worker's Steelman error to this process as its class and message (picklable
    whatever the error's constructor takes); :meth:`rebuild` makes the error again."""

    def __init__(self, error: SteelmanError | tuple[type[SteelmanError], str]) -> None:
        kind, message = (type(error), str(error)) if isinstance(error, Exception) else error
        super().__init__((kind, message))
        self.kind, self.message = kind, message

    def rebuild(self) -> SteelmanError:
        try:
            return self.kind(self.message)
        except TypeError:  # a constructor with other arguments (MissingDependency)
            return (InputError if issubclass(self.kind, InputError) else SteelmanError)(
                self.message
            )
