"""Group a stream of comments into threads with flat memory: :func:`iter_threads`.

Comment files rarely arrive thread by thread (a Reddit dump is ordered by time, every thread
interleaved with the others), and a thread is complete only when the file ends. Comments are
therefore kept in memory up to ``spill_after`` and beyond that moved to a temporary SQLite file,
from which threads are read back one at a time: memory stays bounded by the largest thread.
"""

from __future__ import annotations

import difflib
import json
import logging
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from steelman.data.comments import Comment
from steelman.data.formats import build_threads
from steelman.errors import InputError
from steelman.threads.analyse import ThreadLike

__all__ = ["iter_threads", "pick_thread"]

log = logging.getLogger(__name__)

SPILL_AFTER = 50_000


def _threads_of(comments: list[Comment]) -> Iterator[ThreadLike]:
    yield from build_threads(comments).values()


def iter_threads(
    comments: Iterable[Comment],
    *,
    spill_after: int = SPILL_AFTER,
    tmp_dir: str | Path | None = None,
) -> Iterator[ThreadLike]:
    """Yield the threads of ``comments`` in order of first appearance, each built with
    :func:`steelman.data.formats.build_threads` (parents first, problems noted)."""
    groups: dict[str, list[Comment]] = {}
    it = iter(comments)
    for held, c in enumerate(it, start=1):
        groups.setdefault(c.thread, []).append(c)
        if held > spill_after:
            log.info("more than %d comments: spilling threads to a temporary file", spill_after)
            yield from _spilled(groups, it, tmp_dir)
            return
    for group in groups.values():
        yield from _threads_of(group)


def pick_thread(comments: Iterable[Comment], thread_id: str | None = None) -> ThreadLike:
    """The thread called ``thread_id`` in ``comments``, or the only one when it is ``None``.

    Streams: only that thread's comments are kept, whatever the size of the input.
    """
    ids: dict[str, None] = {}
    kept: list[Comment] = []
    for c in comments:
        ids.setdefault(c.thread, None)
        if c.thread == thread_id or (thread_id is None and len(ids) == 1):
            kept.append(c)
    if not ids:
        raise InputError("the input holds no comments")
    if thread_id is None and len(ids) > 1:
        names = list(ids)
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        raise InputError(
            f"the input holds {len(names)} threads ({shown}); pick one with --thread ID,"
            " or summarise them all with `steelman threads`"
        )
    if thread_id is not None and thread_id not in ids:
        close = difflib.get_close_matches(thread_id, list(ids), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"no thread {thread_id!r} in the input{hint}")
    return next(_threads_of(kept))


def _encode(c: Comment) -> str:
    return json.dumps(
        [
            c.id,
            c.parent_id,
            c.author,
            c.text,
            c.thread,
            c.created.isoformat() if c.created else None,
            c.deleted,
            c.extra,
        ],
        default=str,
    )


def _decode(raw: str) -> Comment:
    cid, parent, author, text, thread, created, deleted, extra = json.loads(raw)
    when = datetime.fromisoformat(created) if created else None
    return Comment(cid, parent, author, text, thread, when, bool(deleted), dict(extra or {}))


def _spilled(
    groups: dict[str, list[Comment]], rest: Iterator[Comment], tmp_dir: str | Path | None
) -> Iterator[ThreadLike]:
    with tempfile.TemporaryDirectory(prefix="steelman-threads-", dir=tmp_dir) as work:
        db = sqlite3.connect(Path(work) / "threads.sqlite")
        try:
            db.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                "CREATE TABLE comments (seq INTEGER PRIMARY KEY, thread TEXT NOT NULL,"
                " data TEXT NOT NULL);"
            )
            insert = "INSERT INTO comments (thread, data) VALUES (?, ?)"
            db.executemany(insert, ((c.thread, _encode(c)) for g in groups.values() for c in g))
            groups.clear()
            db.executemany(insert, ((c.thread, _encode(c)) for c in rest))
            db.executescript(
                "CREATE INDEX by_thread ON comments (thread, seq);"
                "CREATE TABLE threads AS SELECT thread, MIN(seq) AS first FROM comments"
                " GROUP BY thread ORDER BY first;"
            )
            db.commit()
            for (thread,) in db.cursor().execute("SELECT thread FROM threads ORDER BY rowid"):
                batch = db.execute(
                    "SELECT data FROM comments WHERE thread = ? ORDER BY seq", (thread,)
                )
                yield from _threads_of([_decode(raw) for (raw,) in batch])
        finally:
            db.close()
