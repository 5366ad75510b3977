"""The forecast kept per thread, slow mode and moderator notes: the store's Escalation 2 tables.

:class:`Forecasts` works on a :class:`~steelman.server.db.store.Store`'s backend. Every
moderator action here (slowing a thread down, posting a note) and its audit entry are written in
one transaction, like the store's own moderation actions. Knows SQL, not HTTP, and no model.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from steelman.errors import InputError
from steelman.server.db.records import Comment, Thread
from steelman.server.db.store import NotFound, Store, _audit

__all__ = ["Forecasts", "StoredForecast"]


@dataclass(frozen=True)
class StoredForecast:
    """A thread's latest forecast as stored: the risk, how many replies it read, the comments
    that raised it most (dicts: ``index``, ``id``, ``author``, ``before``, ``after``)."""

    thread: Thread
    risk: float
    replies: int
    movers: tuple[dict[str, Any], ...]
    model: str
    updated: float
    slow_s: float

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StoredForecast:
        return cls(
            thread=Thread.from_row(row),
            risk=float(row["risk"]),
            replies=int(row["replies"]),
            movers=tuple(json.loads(row["movers"] or "[]")),
            model=row["model"],
            updated=float(row["updated"]),
            slow_s=float(row["slow_s"]),
        )


_SELECT = (
    "SELECT t.*, f.risk, f.replies, f.movers, f.model, f.updated"
    " FROM forecasts f JOIN threads t ON t.id = f.thread_id"
)


class Forecasts:
    """Forecasts per thread, slow mode and moderator notes, in ``store``'s database."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.backend = store.backend

    def get(self, thread_id: int) -> StoredForecast | None:
        with self.backend.transaction() as cur:
            rows = cur.execute(f"{_SELECT} WHERE f.thread_id = ?", (thread_id,))
        return StoredForecast.from_row(rows[0]) if rows else None

    def put(
        self,
        thread_id: int,
        *,
        risk: float,
        replies: int,
        movers: Sequence[dict[str, Any]],
        model: str,
    ) -> None:
        """Store the thread's forecast, replacing the one before."""
        with self.backend.transaction() as cur:
            cur.execute(
                "INSERT INTO forecasts (thread_id, risk, replies, movers, model, updated)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO UPDATE SET"
                " risk = excluded.risk, replies = excluded.replies, movers = excluded.movers,"
                " model = excluded.model, updated = excluded.updated",
                (
                    thread_id,
                    float(risk),
                    int(replies),
                    json.dumps(list(movers)),
                    model,
                    time.time(),
                ),
            )

    def heating(self, limit: int = 100) -> list[StoredForecast]:
        """Open threads with a forecast, the likeliest to turn on people first."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                f"{_SELECT} WHERE t.closed = 0 ORDER BY f.risk DESC, t.id LIMIT ?", (limit,)
            )
        return [StoredForecast.from_row(r) for r in rows]

    def missing(self, limit: int = 100) -> list[int]:
        """Open threads with comments but no forecast yet (imported, or older than forecasts)."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT t.id FROM threads t WHERE t.closed = 0"
                " AND NOT EXISTS (SELECT 1 FROM forecasts f WHERE f.thread_id = t.id)"
                " AND EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = t.id)"
                " ORDER BY t.id LIMIT ?",
                (limit,),
            )
        return [int(r["id"]) for r in rows]

    # Slow mode ---------------------------------------------------------------------------------

    def slow_s(self, thread_id: int) -> float:
        """The seconds a thread in slow mode wants between posts (0: not slowed)."""
        with self.backend.transaction() as cur:
            rows = cur.execute("SELECT slow_s FROM threads WHERE id = ?", (thread_id,))
        if not rows:
            raise NotFound(f"no thread {thread_id}")
        return float(rows[0]["slow_s"])

    def wait_s(self, thread_id: int, address_hash: str, now: float | None = None) -> float:
        """How long the poster at ``address_hash`` must wait before posting again in a thread
        in slow mode (0: they may post now). Each poster waits for their own last post."""
        slow = self.slow_s(thread_id)
        if slow <= 0:
            return 0.0
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT MAX(created) AS last FROM comments"
                " WHERE thread_id = ? AND address_hash = ? AND source <> ?",
                (thread_id, address_hash, "moderator"),
            )
        last = rows[0]["last"]
        if last is None:
            return 0.0
        return max(0.0, float(last) + slow - (time.time() if now is None else now))

    def set_slow(self, thread_id: int, seconds: float, *, actor: str, reason: str = "") -> Thread:
        """Ask for ``seconds`` between posts in the thread (0 lifts slow mode); audited."""
        if not 0 <= seconds <= 86_400:
            raise InputError("slow mode takes 0 (off) to 86400 seconds between posts")
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "UPDATE threads SET slow_s = ? WHERE id = ? RETURNING *", (seconds, thread_id)
            )
            if not rows:
                raise NotFound(f"no thread {thread_id}")
            _audit(cur, actor, "slow", None, reason, thread_id=thread_id, seconds=seconds)
        return Thread.from_row(rows[0])

    # Moderator notes ---------------------------------------------------------------------------

    def add_note(self, thread_id: int, text: str, *, actor: str) -> Comment:
        """Publish a moderator's note in the thread, signed by ``actor``; audited as ``note``.
        Notes are the moderator's own decision: neither judged nor counted in the forecast."""
        with self.backend.transaction() as cur:
            if not cur.execute("SELECT id FROM threads WHERE id = ?", (thread_id,)):
                raise NotFound(f"no thread {thread_id}")
            rows = cur.execute(
                "INSERT INTO comments (thread_id, author, text, status, judged, source, created)"
                " VALUES (?, ?, ?, 'published', 1, 'moderator', ?) RETURNING *",
                (thread_id, actor, text, time.time()),
            )
            comment = Comment.from_row(rows[0])
            _audit(cur, actor, "note", comment, "", status=comment.status)
        return comment
