"""Thread analysis for the API and the web page, through :mod:`steelman.threads`.

Comments come from a request or an uploaded file (read by :mod:`steelman.data.formats`); the
judge calls go through the server's micro-batcher, so a thread shares batches with everyone else.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

from steelman.data.comments import Comment
from steelman.data.formats import FORMATS, build_threads, read_comments
from steelman.errors import InputError, ModelError
from steelman.judge.result import Judgement
from steelman.server.judging import MicroBatcher
from steelman.threads import ThreadReport
from steelman.threads import analyse_thread as _analyse

__all__ = ["FORMATS", "analyse_comments", "read_thread_file"]


class _Batched:
    """The micro-batcher seen as a judge by :func:`steelman.threads.analyse_thread`."""

    def __init__(self, batcher: MicroBatcher) -> None:
        self.batcher = batcher

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        return self.batcher.judge_many(texts, parents)


def read_thread_file(data: bytes, *, filename: str = "", format: str = "auto") -> list[Comment]:
    """The comments of an uploaded file in any format the importers read."""
    if not data.strip():
        raise InputError("the file is empty")
    with tempfile.TemporaryDirectory(prefix="steelman-upload-") as folder:
        path = Path(folder) / _upload_name(filename)
        path.write_bytes(data)
        return list(read_comments(path, format=format))


def _upload_name(filename: str) -> str:
    """A safe local name for an uploaded file that keeps its stem, which names the thread of
    records without one (two files then never share a thread by accident), and its suffix."""
    name = Path(filename.replace("\\", "/")).name
    suffix = Path(name).suffix.lower() if name else ".jsonl"
    stem = re.sub(r"[^\w.-]+", "_", name[: len(name) - len(suffix)]).strip("._")[:100]
    return (stem or "upload") + re.sub(r"[^\w.]", "", suffix)


def _report(batcher: MicroBatcher, comments: list[Comment]) -> ThreadReport:
    threads = build_threads(comments)
    if len(threads) != 1:
        raise InputError(f"expected one thread, found {len(threads)}; upload them one at a time")
    (thread,) = threads.values()
    try:
        return _analyse(thread, _Batched(batcher))
    except ModelError:  # no escalation model installed: report everything but the risk
        return _analyse(thread, _Batched(batcher), risk=False)


async def analyse_comments(batcher: MicroBatcher, comments: list[Comment]) -> ThreadReport:
    """The thread report for one thread's comments (judged in a worker thread)."""
    return await asyncio.to_thread(_report, batcher, comments)
