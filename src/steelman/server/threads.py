"""Thread analysis for the API and the web page, through :mod:`steelman.threads`.

Comments come from a request or an uploaded file (read by :mod:`steelman.data.formats`); the
judge calls go through the server's micro-batcher, so a thread shares batches with everyone else.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from pathlib import Path

from steelman.data.comments import Comment
from steelman.data.formats import FORMATS, build_threads, read_comments
from steelman.data.formats._common import COMPRESSED
from steelman.data.formats.convokit import UTTERANCES
from steelman.errors import InputError, ModelError, RecordError
from steelman.judge.result import Judgement
from steelman.server.judging import MicroBatcher
from steelman.threads import ThreadReport
from steelman.threads import analyse_thread as _analyse

__all__ = ["FORMATS", "analyse_comments", "read_thread_file"]


class _Batched:
    """The micro-batcher seen as a judge by :func:`steelman.threads.analyse_thread`."""

    def __init__(self, batcher: MicroBatcher, client: str | None = None) -> None:
        self.batcher = batcher
        self.client = client  # whose work it is: counted against max_queued_per_client

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        return self.batcher.judge_many(texts, parents, client=self.client)


def read_thread_file(
    data: bytes, *, filename: str = "", format: str = "auto", by_content: bool = False
) -> list[Comment]:
    """The comments of an uploaded file in any format the importers read.

    Records without a thread go into one named after the file. With ``by_content`` (an import)
    that name also carries the start of the file's SHA-256: two different exports both called
    ``comments.jsonl`` never share a thread, and importing the same file again finds its own.
    Errors name the uploaded file, never the server's temporary copy of it.
    """
    if not data.strip():
        raise InputError("the file is empty")
    name = _upload_name(filename)
    if by_content:
        name = _with_digest(name, hashlib.sha256(data).hexdigest()[:12])
    shown = Path(filename.replace("\\", "/")).name[:200] or "the upload"
    with tempfile.TemporaryDirectory(prefix="steelman-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            return list(read_comments(path, format=format))
        except RecordError as exc:
            raise RecordError(exc.reason, path=shown, line=exc.line, field=exc.field) from exc
        except InputError as exc:
            raise InputError(str(exc).replace(str(path), shown)) from exc


def _with_digest(name: str, digest: str) -> str:
    """``comments.jsonl.gz`` -> ``comments-<digest>.jsonl.gz``; the stem names the thread, the
    suffixes still tell the format (and a ConvoKit file keeps the name that says so)."""
    packed = next((s for s in COMPRESSED if name.lower().endswith(s)), "")
    inner = name[: len(name) - len(packed)]
    if inner.lower() == UTTERANCES:
        return name
    stem, extension = os.path.splitext(inner)
    return f"{stem}-{digest}{extension}{packed}"


def _upload_name(filename: str) -> str:
    """A safe local name for an uploaded file that keeps its stem, which names the thread of
    records without one (two files then never share a thread by accident), and its suffix."""
    name = Path(filename.replace("\\", "/")).name
    suffix = Path(name).suffix.lower() if name else ".jsonl"
    stem = re.sub(r"[^\w.-]+", "_", name[: len(name) - len(suffix)]).strip("._")[:100]
    return (stem or "upload") + re.sub(r"[^\w.]", "", suffix)


def _report(batcher: MicroBatcher, comments: list[Comment], client: str | None) -> ThreadReport:
    threads = build_threads(comments)
    if len(threads) != 1:
        raise InputError(f"expected one thread, found {len(threads)}; upload them one at a time")
    (thread,) = threads.values()
    try:
        return _analyse(thread, _Batched(batcher, client))
    except ModelError:  # no escalation model installed: report everything but the risk
        return _analyse(thread, _Batched(batcher, client), risk=False)


async def analyse_comments(
    batcher: MicroBatcher, comments: list[Comment], *, client: str | None = None
) -> ThreadReport:
    """The thread report for one thread's comments (judged in a worker thread, as bulk work
    of ``client``)."""
    return await asyncio.to_thread(_report, batcher, comments, client)
