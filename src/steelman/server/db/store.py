"""The comment store: threads, comments, moderation and the audit log. Knows SQL, not HTTP.

Every change to a comment and its audit entry are written in one transaction, so the log never
misses an action and never records one that did not happen.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Iterable
from typing import Any

from steelman.data.comments import Comment as SourceComment
from steelman.errors import InputError
from steelman.server.db.accounts import AccountsMixin
from steelman.server.db.backend import (
    Cursor,
    PostgresBackend,
    SqliteBackend,
    Unstorable,
    key_problem,
    open_backend,
)
from steelman.server.db.feedback import FeedbackMixin
from steelman.server.db.imports import ImportReport, import_comments
from steelman.server.db.migrations import migrate
from steelman.server.db.records import AuditEntry, Comment, Thread

__all__ = ["NotFound", "SlowMode", "Store", "make_cursor", "read_cursor"]


class NotFound(InputError):
    """A thread or comment that does not exist."""


class SlowMode(InputError):
    """A poster in a thread in slow mode must wait ``wait`` seconds before posting again."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"slow mode: you can post again in {wait:.0f} s")
        self.wait = wait


def _audit(
    cur: Cursor, actor: str, action: str, c: Comment | None, reason: str, **detail: Any
) -> None:
    cur.execute(
        "INSERT INTO audit (at, actor, action, comment_id, thread_id, reason, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            time.time(),
            actor,
            action,
            c.id if c else None,
            c.thread_id if c else detail.pop("thread_id", None),
            reason,
            json.dumps(detail, sort_keys=True),
        ),
    )


def judgement_risk(judgement: dict[str, Any] | None) -> float:
    """What the queue orders by: the site layer's probability that the site's moderators reject
    the reply when a layer judged it (``attributes.site_reject``), else the attack probability."""
    if not judgement:
        return 0.0
    site = (judgement.get("attributes") or {}).get("site_reject")
    return float(site) if isinstance(site, int | float) else float(judgement["attack"])


def make_cursor(*values: float) -> str:
    """An opaque page cursor: the sort key of the last row of a page."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def read_cursor(cursor: str, n: int) -> list[float]:
    """The ``n`` values of a cursor from :func:`make_cursor`; anything else is an input error."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not (
            isinstance(values, list)
            and len(values) == n
            and all(
                isinstance(v, int | float) and not isinstance(v, bool) and abs(v) < 2**53
                for v in values
            )
        ):
            raise ValueError(cursor)
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise InputError(
            "this page cursor is not one the server gave; start again from the first page"
        ) from None
    return [float(v) for v in values]


def _check_slow_mode(cur: Cursor, kind: str, thread_id: int, address_hash: str) -> None:
    # SQLite's transactions are serialised already (BEGIN IMMEDIATE); PostgreSQL locks the row.
    lock = " FOR UPDATE" if kind != "sqlite" else ""
    rows = cur.execute(f"SELECT slow_s FROM threads WHERE id = ?{lock}", (thread_id,))
    slow = float(rows[0]["slow_s"]) if rows else 0.0
    if slow <= 0:
        return
    last = cur.execute(
        "SELECT MAX(created) AS last FROM comments"
        " WHERE thread_id = ? AND address_hash = ? AND source <> ?",
        (thread_id, address_hash, "moderator"),
    )[0]["last"]
    wait = float(last) + slow - time.time() if last is not None else 0.0
    if wait > 0:
        raise SlowMode(wait)


class Store(AccountsMixin, FeedbackMixin):
    """Comments and their moderation, on a SQLite or PostgreSQL backend."""

    def __init__(self, backend: SqliteBackend | PostgresBackend) -> None:
        self.backend = backend

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        backend = open_backend(url)
        if upgrade:
            migrate(backend)
        return cls(backend)

    def close(self) -> None:
        self.backend.close()

    # Threads ---------------------------------------------------------------------------------

    def thread(self, uri: str, *, create: bool = False, title: str = "") -> Thread | None:
        """The thread for a page address; made on first use when ``create``."""
        if create and (problem := key_problem(uri, "the page address")):
            raise Unstorable(problem)
        with self.backend.transaction() as cur:
            rows = cur.execute("SELECT * FROM threads WHERE uri = ?", (uri,))
            if not rows and create:
                rows = cur.execute(
                    "INSERT INTO threads (uri, title, closed, created) VALUES (?, ?, 0, ?)"
                    " ON CONFLICT (uri) DO NOTHING RETURNING *",
                    (uri, title, time.time()),
                ) or cur.execute("SELECT * FROM threads WHERE uri = ?", (uri,))
        return Thread.from_row(rows[0]) if rows else None

    def thread_by_id(self, thread_id: int) -> Thread:
        with self.backend.transaction() as cur:
            rows = cur.execute("SELECT * FROM threads WHERE id = ?", (thread_id,))
        if not rows:
            raise NotFound(f"no thread {thread_id}")
        return Thread.from_row(rows[0])

    def threads(self, limit: int = 200) -> list[tuple[Thread, int]]:
        """Threads, newest first, each with its number of comments."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT t.*, (SELECT COUNT(*) FROM comments c WHERE c.thread_id = t.id) AS n"
                " FROM threads t ORDER BY t.created DESC, t.id DESC LIMIT ?",
                (limit,),
            )
        return [(Thread.from_row(r), int(r["n"])) for r in rows]

    def set_closed(self, thread_id: int, closed: bool, *, actor: str, reason: str = "") -> Thread:
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "UPDATE threads SET closed = ? WHERE id = ? RETURNING *", (int(closed), thread_id)
            )
            if not rows:
                raise NotFound(f"no thread {thread_id}")
            action = "close" if closed else "reopen"
            _audit(cur, actor, action, None, reason, thread_id=thread_id)
        return Thread.from_row(rows[0])

    # Comments --------------------------------------------------------------------------------

    def add_comment(
        self,
        *,
        thread_id: int,
        text: str,
        status: str,
        actor: str,
        parent_id: int | None = None,
        author: str = "",
        note: str = "",
        email_hash: str = "",
        address_hash: str = "",
        judgement: dict[str, Any] | None = None,
        posted_anyway: bool = False,
        request_id: str | None = None,
        source: str = "widget",
        created: float | None = None,
        slow_mode: bool = False,
    ) -> tuple[Comment, bool]:
        """Insert a comment; a repeated ``request_id`` returns the first one and ``False``.

        With ``slow_mode``, a thread in slow mode refuses (:class:`SlowMode`) a poster whose last
        post from ``address_hash`` is too recent: checked in the transaction that inserts, with
        the thread's row locked, so that concurrent posts cannot all pass the check.
        """
        level = judgement["level"] if judgement else None
        risk = judgement_risk(judgement)
        with self.backend.transaction() as cur:
            if slow_mode:
                _check_slow_mode(cur, self.backend.kind, thread_id, address_hash)
            if parent_id is not None:
                parent = cur.execute(
                    "SELECT id FROM comments WHERE id = ? AND thread_id = ?", (parent_id, thread_id)
                )
                if not parent:
                    raise NotFound(f"no comment {parent_id} in this thread to reply to")
            rows = cur.execute(
                "INSERT INTO comments (thread_id, parent_id, author, email_hash, address_hash,"
                " text, status, note, level, risk, judgement, judged, posted_anyway, request_id,"
                " source, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (request_id) DO NOTHING RETURNING *",
                (
                    thread_id,
                    parent_id,
                    author,
                    email_hash,
                    address_hash,
                    text,
                    status,
                    note,
                    level,
                    risk,
                    json.dumps(judgement) if judgement else None,
                    int(judgement is not None),
                    int(posted_anyway),
                    request_id,
                    source,
                    created if created is not None else time.time(),
                ),
            )
            if not rows:
                again = cur.execute("SELECT * FROM comments WHERE request_id = ?", (request_id,))
                return Comment.from_row(again[0]), False
            comment = Comment.from_row(rows[0])
            _audit(cur, actor, "post", comment, "", status=status, level=level)
        return comment, True

    def comment(self, comment_id: int) -> Comment:
        with self.backend.transaction() as cur:
            rows = cur.execute("SELECT * FROM comments WHERE id = ?", (comment_id,))
        if not rows:
            raise NotFound(f"no comment {comment_id}")
        return Comment.from_row(rows[0])

    def comments(
        self,
        thread_id: int,
        statuses: Iterable[str] = ("published",),
        *,
        limit: int | None = None,
        after: str | None = None,
    ) -> list[Comment]:
        """A thread's comments in the given statuses, oldest first; at most ``limit``, from the
        page cursor ``after`` on."""
        wanted = tuple(statuses)
        marks = ", ".join("?" for _ in wanted)
        sql = f"SELECT * FROM comments WHERE thread_id = ? AND status IN ({marks})"
        params: list[Any] = [thread_id, *wanted]
        if after is not None:
            created, last = read_cursor(after, 2)
            sql += " AND (created > ? OR (created = ? AND id > ?))"
            params += [created, created, int(last)]
        sql += " ORDER BY created, id"
        if limit is not None:
            sql, params = sql + " LIMIT ?", [*params, limit]
        with self.backend.transaction() as cur:
            rows = cur.execute(sql, params)
        return [Comment.from_row(r) for r in rows]

    def comments_page(
        self, thread_id: int, statuses: Iterable[str], *, limit: int, after: str | None = None
    ) -> tuple[list[Comment], str | None]:
        """One page of :meth:`comments` and the cursor of the next (``None`` on the last)."""
        rows = self.comments(thread_id, statuses, limit=limit + 1, after=after)
        page = rows[:limit]
        return page, make_cursor(page[-1].created, page[-1].id) if len(rows) > limit else None

    def count_in_thread(self, thread_id: int, statuses: Iterable[str] = ("published",)) -> int:
        wanted = tuple(statuses)
        marks = ", ".join("?" for _ in wanted)
        with self.backend.transaction() as cur:
            rows = cur.execute(
                f"SELECT COUNT(*) AS n FROM comments WHERE thread_id = ? AND status IN ({marks})",
                (thread_id, *wanted),
            )
        return int(rows[0]["n"])

    def update(
        self, comment_id: int, *, actor: str, action: str, why: str = "", **fields: Any
    ) -> Comment:
        """Change some columns of a comment and record the action and ``why``, in one transaction.

        ``fields`` are columns (``status``, ``text``, ``reason``: the reason the author sees...);
        ``judgement`` also sets ``level``, ``risk`` and ``judged``.
        """
        if "judgement" in fields:
            judgement = fields["judgement"]
            fields["judged"] = int(judgement is not None)
            fields["level"] = judgement["level"] if judgement else None
            fields["risk"] = judgement_risk(judgement)
            fields["judgement"] = json.dumps(judgement) if judgement else None
        fields["modified"] = time.time()
        sets = ", ".join(f"{name} = ?" for name in fields)
        with self.backend.transaction() as cur:
            rows = cur.execute(
                f"UPDATE comments SET {sets} WHERE id = ? RETURNING *",
                (*fields.values(), comment_id),
            )
            if not rows:
                raise NotFound(f"no comment {comment_id}")
            comment = Comment.from_row(rows[0])
            _audit(cur, actor, action, comment, why, status=comment.status, level=comment.level)
        return comment

    def unjudged(self, limit: int = 64) -> list[Comment]:
        """Comments posted while the judge was down, oldest first."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT * FROM comments WHERE judged = 0 AND text <> ''"
                " ORDER BY created, id LIMIT ?",
                (limit,),
            )
        return [Comment.from_row(r) for r in rows]

    def queue(self, limit: int = 100, *, after: str | None = None) -> list[Comment]:
        """Comments held for a moderator, riskiest first; from the page cursor ``after`` on."""
        sql, params = "SELECT * FROM comments WHERE status = 'pending'", []
        if after is not None:
            risk, created, last = read_cursor(after, 3)
            sql += " AND (risk < ? OR (risk = ? AND (created > ? OR (created = ? AND id > ?))))"
            params = [risk, risk, created, created, int(last)]
        with self.backend.transaction() as cur:
            rows = cur.execute(sql + " ORDER BY risk DESC, created, id LIMIT ?", (*params, limit))
        return [Comment.from_row(r) for r in rows]

    def queue_page(
        self, limit: int, *, after: str | None = None
    ) -> tuple[list[Comment], str | None]:
        """One page of the :meth:`queue` and the cursor of the next (``None`` on the last)."""
        rows = self.queue(limit + 1, after=after)
        page = rows[:limit]
        last = page[-1] if page else None
        more = last is not None and len(rows) > limit
        return page, make_cursor(last.risk, last.created, last.id) if last and more else None

    def count_unjudged(self) -> int:
        with self.backend.transaction() as cur:
            rows = cur.execute("SELECT COUNT(*) AS n FROM comments WHERE judged = 0 AND text <> ''")
        return int(rows[0]["n"])

    def count(self, status: str | None = None) -> int:
        sql = "SELECT COUNT(*) AS n FROM comments"
        params: tuple[str, ...] = ()
        if status is not None:
            sql, params = sql + " WHERE status = ?", (status,)
        with self.backend.transaction() as cur:
            return int(cur.execute(sql, params)[0]["n"])

    # Audit log ---------------------------------------------------------------------------------

    def audit_log(self, *, comment_id: int | None = None, limit: int = 200) -> list[AuditEntry]:
        """Recorded actions, newest first; only one comment's when ``comment_id`` is given."""
        where, params = ("WHERE comment_id = ?", (comment_id,)) if comment_id else ("", ())
        with self.backend.transaction() as cur:
            rows = cur.execute(
                f"SELECT * FROM audit {where} ORDER BY id DESC LIMIT ?", (*params, limit)
            )
        return [AuditEntry.from_row(r) for r in rows]

    def record(self, actor: str, action: str, *, reason: str = "", **detail: Any) -> None:
        """Record an action that changes no comment (a ban, an import, a login)."""
        with self.backend.transaction() as cur:
            _audit(cur, actor, action, None, reason, **detail)

    # Import ------------------------------------------------------------------------------------

    def import_comments(self, comments: Iterable[SourceComment], *, actor: str) -> ImportReport:
        """Add comments read by an importer, keeping the source's moderation; see
        :mod:`steelman.server.db.imports`."""
        return import_comments(self, comments, actor=actor)
