"""The server's side of the judge: a micro-batcher and failing open.

Concurrent requests each want one reply judged; the model is fastest judging many at once. The
:class:`MicroBatcher` collects requests for a few milliseconds, makes one ``judge_batch`` call in
its worker thread, and hands each caller its own result. If the judge raises on a batch, the
batch is halved and each half judged again, until the reply it fails on is alone: only that
caller gets the error (:class:`JudgeUnavailable`, or the judge's :class:`TextError`), never the
others batched with it. Callers that can fail open (posting a comment) do so.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Protocol

from steelman.errors import SteelmanError, TextError
from steelman.judge.result import Judgement

__all__ = ["JudgeLike", "JudgeUnavailable", "MicroBatcher", "load_judge"]

log = logging.getLogger(__name__)


class JudgeLike(Protocol):
    """What the server needs from :class:`steelman.judge.Judge`."""

    @property
    def info(self) -> dict[str, str]: ...

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]: ...


class JudgeUnavailable(SteelmanError):
    """The judge failed or did not answer in time; the caller may fail open."""


def load_judge(model: str = "") -> JudgeLike:
    """The bundled judge (or the one in directory ``model``)."""
    from steelman.judge import Judge

    judge: JudgeLike = Judge.load(model) if model else Judge.load()
    return judge


@dataclass
class _Job:
    text: str
    parent: str | None
    future: Future[Judgement] = field(default_factory=Future)
    remember: bool = True  # False: a doNotStore request, kept in no cache


_STOP = object()


class MicroBatcher:
    """One worker thread that judges queued requests in batches of at most ``max_batch``."""

    def __init__(
        self,
        judge: JudgeLike,
        *,
        window_ms: float = 3.0,
        max_batch: int = 64,
        timeout_s: float = 3.0,
        cache_size: int = 2048,
    ) -> None:
        self.judge = judge
        self.window = window_ms / 1000
        self.max_batch = max_batch
        self.timeout = timeout_s
        self.rate: float | None = None  # replies/s the judge managed lately (a moving average)
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        # The self-check judges a reply, then posting it judges the same words again: remember.
        self._cache: OrderedDict[tuple[str, str | None], Judgement] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="steelman-judge", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._queue.put(_STOP)
                self._thread.join(timeout=10)
                self._thread = None

    def submit(self, text: str, parent: str | None, *, remember: bool = True) -> Future[Judgement]:
        """Queue one reply; the future resolves to its :class:`Judgement`. With ``remember``
        False the reply and its judgement are kept in no cache (Perspective's doNotStore)."""
        if not text.strip():
            raise TextError("the reply is empty: write something to judge")
        with self._cache_lock:
            known = self._cache.get((text, parent))
            if known is not None:
                self._cache.move_to_end((text, parent))
        if known is not None:
            done: Future[Judgement] = Future()
            done.set_result(known)
            return done
        self.start()
        job = _Job(text, parent, remember=remember)
        self._queue.put(job)
        return job.future

    def judge_many(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        """Judge a list (blocking), sharing batches with concurrent callers."""
        self._shed(len(texts), self.timeout * len(texts))
        futures = [self.submit(t, p) for t, p in zip(texts, parents, strict=True)]
        return [self._result(f) for f in futures]

    def judge_each(
        self, texts: list[str], parents: list[str | None]
    ) -> list[Judgement | SteelmanError]:
        """Judge a list (blocking): each reply's judgement, or the error that reply alone met
        (:class:`TextError`, :class:`JudgeUnavailable`), so one bad reply fails no other."""
        self._shed(len(texts), self.timeout * len(texts))
        pending: list[Future[Judgement] | SteelmanError] = []
        for text, parent in zip(texts, parents, strict=True):
            try:
                pending.append(self.submit(text, parent))
            except TextError as exc:
                pending.append(exc)
        out: list[Judgement | SteelmanError] = []
        for item in pending:
            try:
                out.append(item if isinstance(item, SteelmanError) else self._result(item))
            except (JudgeUnavailable, TextError) as exc:
                out.append(exc)
        return out

    def judge_one(self, text: str, parent: str | None) -> Judgement:
        self._shed(1, self.timeout)
        return self._result(self.submit(text, parent))

    async def ajudge_many(
        self, texts: list[str], parents: list[str | None], *, remember: bool = True
    ) -> list[Judgement]:
        """Judge a list without blocking the event loop; the wait grows with the list."""
        limit = self.timeout * (1 + len(texts) / 8)
        self._shed(len(texts), limit)
        futures = [
            asyncio.wrap_future(self.submit(t, p, remember=remember))
            for t, p in zip(texts, parents, strict=True)
        ]
        try:
            return await asyncio.wait_for(asyncio.gather(*futures), limit)
        except TimeoutError:
            raise JudgeUnavailable(
                f"the judge did not answer within {limit:g} s; it is busy, try again shortly"
            ) from None

    def _shed(self, n: int, limit: float) -> None:
        """Refuse at once work that could not finish in ``limit`` seconds at the measured rate:
        under overload a fast 503 (or an unjudged post) beats a slow one, and no time goes
        into replies whose callers will have given up."""
        if self.rate is None:
            return
        queued = self._queue.qsize() + n
        if queued / self.rate > limit:
            raise JudgeUnavailable(
                f"the judge is busy (about {queued / self.rate:.0f} s of work queued);"
                " try again shortly"
            )

    def _result(self, future: Future[Judgement]) -> Judgement:
        try:
            return future.result(timeout=self.timeout)
        except TimeoutError:
            raise JudgeUnavailable(f"the judge did not answer within {self.timeout:g} s") from None

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            jobs: list[_Job] = [first]
            deadline = time.monotonic() + self.window
            stop = False
            while len(jobs) < self.max_batch:
                remaining = deadline - time.monotonic()
                try:
                    item = (
                        self._queue.get(timeout=remaining)
                        if remaining > 0
                        else self._queue.get_nowait()
                    )
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                jobs.append(item)
            self._judge(jobs)
            if stop:
                return

    def _judge(self, jobs: list[_Job]) -> None:
        # Callers that gave up (a timed-out request) cancelled their future: skip their replies.
        jobs = [j for j in jobs if j.future.set_running_or_notify_cancel()]
        if not jobs:
            return
        failed = self._judge_running(jobs)
        if failed:  # one line per batch, however many replies the judge failed on
            kind, first = type(failed[0]).__name__, failed[0]
            log.warning(
                "the judge failed on %d of %d replies (%s: %s)", len(failed), len(jobs), kind, first
            )

    def _remember(self, job: _Job, result: Judgement) -> None:
        if self._cache_size <= 0 or not job.remember:
            return
        with self._cache_lock:
            self._cache[(job.text, job.parent)] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def _judge_running(self, jobs: list[_Job]) -> list[Exception]:
        """Judge ``jobs``, halving the batch on failure; return the errors of replies that failed
        alone (a :class:`TextError` goes to its caller as it is and is not counted)."""
        try:
            started = time.perf_counter()
            results = self.judge.judge_batch([j.text for j in jobs], [j.parent for j in jobs])
            sample = len(jobs) / max(time.perf_counter() - started, 1e-6)
            self.rate = sample if self.rate is None else 0.7 * self.rate + 0.3 * sample
        except Exception as exc:
            if len(jobs) > 1:  # one bad reply must not fail the others: halve until it is alone
                half = len(jobs) // 2
                return self._judge_running(jobs[:half]) + self._judge_running(jobs[half:])
            if isinstance(exc, TextError):
                jobs[0].future.set_exception(exc)
                return []
            error = JudgeUnavailable("the judge failed on this request; the error was logged")
            jobs[0].future.set_exception(error)
            return [exc]
        for job, result in zip(jobs, results, strict=True):
            self._remember(job, result)
            job.future.set_result(result)
        private = [t for j in jobs if not j.remember for t in (j.text, j.parent) if t]
        forget = getattr(self.judge, "forget", None)  # a judge that caches texts may drop them
        if private and callable(forget):
            forget(private)
        return []
