"""The server's side of the judge: a micro-batcher and failing open.

Concurrent requests each want one reply judged; the model is fastest judging many at once. The
:class:`MicroBatcher` collects requests for a few milliseconds, makes one ``judge_batch`` call in
its worker thread, and hands each caller its own result. If the judge raises on a batch, the
batch is halved and each half judged again, until the reply it fails on is alone: only that
caller gets the error (:class:`JudgeUnavailable`, or the judge's :class:`TextError`), never the
others batched with it. Callers that can fail open (posting a comment) do so.

The queue is ordered by priority: a comment being posted (:data:`POST`) is judged before a reply
someone is checking (:data:`INTERACTIVE`), which is judged before bulk work (:data:`BULK`:
batches, threads, reports). Bulk work is capped per client (``max_queued_per_client``; over it,
:class:`JudgeQuota`), and the replies of a request that failed or gave up are dropped from the
queue, never judged for nobody.
"""

from __future__ import annotations

import asyncio
import itertools
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

__all__ = [
    "BULK",
    "INTERACTIVE",
    "POST",
    "JudgeLike",
    "JudgeQuota",
    "JudgeUnavailable",
    "MicroBatcher",
    "load_judge",
]

log = logging.getLogger(__name__)


class JudgeLike(Protocol):
    """What the server needs from :class:`steelman.judge.Judge`."""

    @property
    def info(self) -> dict[str, str]: ...

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]: ...


class JudgeUnavailable(SteelmanError):
    """The judge failed or did not answer in time; the caller may fail open."""


class JudgeQuota(JudgeUnavailable):
    """One client already has as much work queued as it may; it should wait for it first."""


# Priorities, judged in this order (lower first).
POST = 0  # a comment being posted or edited: held by the policy if it cannot be judged in time
INTERACTIVE = 1  # one reply someone is waiting on: the self-check, /api/v1/judge
BULK = 2  # batches, threads, reports
_PRIORITIES = (POST, INTERACTIVE, BULK)


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
_LAST = len(_PRIORITIES)  # the stop signal's priority: after all queued work


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
        max_queued_per_client: int = 0,
    ) -> None:
        self.judge = judge
        self.window = window_ms / 1000
        self.max_batch = max_batch
        self.timeout = timeout_s
        self.rate: float | None = None  # replies/s the judge managed lately (a moving average)
        # (priority, order, job): the most urgent first, in arrival order within a priority
        self._queue: queue.PriorityQueue[tuple[int, int, Any]] = queue.PriorityQueue()
        self._order = itertools.count()
        # Replies waiting (queued or being judged) per priority and per client; a reply whose
        # caller gave up (its future cancelled) stops counting at once.
        self.max_queued_per_client = max_queued_per_client  # 0: no cap
        self._waiting = [0] * len(_PRIORITIES)
        self._by_client: dict[str, int] = {}
        self._count_lock = threading.Lock()
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
                self._queue.put((_LAST, next(self._order), _STOP))
                self._thread.join(timeout=10)
                self._thread = None

    def submit(
        self,
        text: str,
        parent: str | None,
        *,
        remember: bool = True,
        priority: int = INTERACTIVE,
        client: str | None = None,
    ) -> Future[Judgement]:
        """Queue one reply; the future resolves to its :class:`Judgement`. With ``remember``
        False the reply and its judgement are kept in no cache (Perspective's doNotStore).
        ``client`` (an address) is counted against ``max_queued_per_client`` while it waits."""
        if not text.strip():
            raise TextError("the reply is empty: write something to judge")
        with self._cache_lock:
            known = self._cache.get((text, parent))
            if known is not None:
                self._cache.move_to_end((text, parent))
        if known is not None and known.model != dict(self.judge.info):
            known = None  # judged by another model or site layer than the one on now
        if known is not None:
            done: Future[Judgement] = Future()
            done.set_result(known)
            return done
        self.start()
        job = _Job(text, parent, remember=remember)
        with self._count_lock:
            self._waiting[priority] += 1
            if client is not None:
                self._by_client[client] = self._by_client.get(client, 0) + 1
        job.future.add_done_callback(lambda _: self._settled(priority, client))
        self._queue.put((priority, next(self._order), job))
        return job.future

    def _settled(self, priority: int, client: str | None) -> None:
        with self._count_lock:
            self._waiting[priority] -= 1
            if client is not None:
                left = self._by_client.get(client, 1) - 1
                if left > 0:
                    self._by_client[client] = left
                else:
                    self._by_client.pop(client, None)

    def waiting(self, client: str | None = None) -> int:
        """Replies waiting to be judged: all of them, or those ``client`` sent."""
        with self._count_lock:
            return sum(self._waiting) if client is None else self._by_client.get(client, 0)

    def _submit_all(
        self,
        texts: list[str],
        parents: list[str | None],
        *,
        limit: float,
        priority: int,
        client: str | None,
        remember: bool = True,
    ) -> list[Future[Judgement] | TextError]:
        """Admit a request's replies (or refuse all of them at once) and queue them."""
        self._shed(len(texts), limit, priority)
        self._check_quota(len(texts), client)
        out: list[Future[Judgement] | TextError] = []
        for text, parent in zip(texts, parents, strict=True):
            try:
                out.append(
                    self.submit(text, parent, remember=remember, priority=priority, client=client)
                )
            except TextError as exc:
                out.append(exc)
        return out

    def _check_quota(self, n: int, client: str | None) -> None:
        cap = self.max_queued_per_client
        if client is None or cap <= 0:
            return
        mine = self.waiting(client)
        if mine + n > cap:
            raise JudgeQuota(
                f"you have {mine} replies waiting to be judged and may have {cap};"
                " wait for their answers before sending more"
            )

    def judge_many(
        self,
        texts: list[str],
        parents: list[str | None],
        *,
        priority: int = BULK,
        client: str | None = None,
    ) -> list[Judgement]:
        """Judge a list (blocking), sharing batches with concurrent callers. If any reply fails,
        the rest of the list is dropped from the queue."""
        pending = self._submit_all(
            texts, parents, limit=self.timeout * len(texts), priority=priority, client=client
        )
        try:
            out = []
            for item in pending:
                if isinstance(item, TextError):
                    raise item
                out.append(self._result(item))
            return out
        finally:
            _cancel(pending)

    def judge_each(
        self,
        texts: list[str],
        parents: list[str | None],
        *,
        priority: int = BULK,
        client: str | None = None,
    ) -> list[Judgement | SteelmanError]:
        """Judge a list (blocking): each reply's judgement, or the error that reply alone met
        (:class:`TextError`, :class:`JudgeUnavailable`), so one bad reply fails no other."""
        pending = self._submit_all(
            texts, parents, limit=self.timeout * len(texts), priority=priority, client=client
        )
        out: list[Judgement | SteelmanError] = []
        try:
            for item in pending:
                try:
                    out.append(item if isinstance(item, SteelmanError) else self._result(item))
                except (JudgeUnavailable, TextError) as exc:
                    out.append(exc)
        finally:
            _cancel(pending)
        return out

    def judge_one(self, text: str, parent: str | None, *, priority: int = INTERACTIVE) -> Judgement:
        self._shed(1, self.timeout, priority)
        future = self.submit(text, parent, priority=priority)
        try:
            return self._result(future)
        finally:
            future.cancel()  # given up on (timed out): drop it from the queue

    async def ajudge_many(
        self,
        texts: list[str],
        parents: list[str | None],
        *,
        remember: bool = True,
        priority: int = INTERACTIVE,
        client: str | None = None,
    ) -> list[Judgement]:
        """Judge a list without blocking the event loop; the wait grows with the list. When
        the request fails or gives up, its replies still queued are dropped."""
        limit = self.timeout * (1 + len(texts) / 8)
        pending = self._submit_all(
            texts, parents, limit=limit, priority=priority, client=client, remember=remember
        )
        try:
            for item in pending:
                if isinstance(item, TextError):
                    raise item
            futures = [asyncio.wrap_future(f) for f in pending if not isinstance(f, TextError)]
            return await asyncio.wait_for(asyncio.gather(*futures), limit)
        except TimeoutError:
            raise JudgeUnavailable(
                f"the judge did not answer within {limit:g} s; it is busy, try again shortly"
            ) from None
        finally:
            _cancel(pending)

    def _shed(self, n: int, limit: float, priority: int = BULK) -> None:
        """Refuse at once work that could not finish in ``limit`` seconds at the measured rate:
        under overload a fast 503 (or an unjudged post) beats a slow one, and no time goes
        into replies whose callers will have given up. Only work judged before this request's
        (its priority and higher) counts."""
        if self.rate is None:
            return
        with self._count_lock:
            ahead = sum(self._waiting[: priority + 1])
        queued = ahead + n
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
            priority, _, first = self._queue.get()
            if first is _STOP:
                return
            if first.future.cancelled():  # its caller gave up: take no slot in a batch
                continue
            # A batch holds replies of its first one's priority or more urgent: a comment being
            # posted waits for no bulk replies batched with it. Bulk batches are a quarter of the
            # size, so that a comment arriving meanwhile waits for a short one.
            jobs: list[_Job] = [first]
            size = self.max_batch if priority < BULK else max(1, self.max_batch // 4)
            deadline = time.monotonic() + self.window
            while len(jobs) < size:
                remaining = deadline - time.monotonic()
                try:
                    item = (
                        self._queue.get(timeout=remaining)
                        if remaining > 0
                        else self._queue.get_nowait()
                    )
                except queue.Empty:
                    break
                if item[0] > priority:  # less urgent (or the stop signal): the next batch's
                    self._queue.put(item)
                    break
                if not item[2].future.cancelled():
                    jobs.append(item[2])
            self._judge(jobs)

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


def _cancel(pending: list[Future[Judgement] | TextError]) -> None:
    """Drop from the queue the replies of a request that is over (those already judged or being
    judged are left alone)."""
    for item in pending:
        if isinstance(item, Future):
            item.cancel()
