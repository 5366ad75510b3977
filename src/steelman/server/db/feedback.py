"""Feedback from Perspective clients (``comments:suggestscore``): the scores a site says a
comment deserves, kept with the comment's text so that they become labelled data."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from steelman.server.db.backend import Conflict, Unstorable, key_problem

if TYPE_CHECKING:
    from steelman.server.db.backend import PostgresBackend, SqliteBackend

__all__ = ["Feedback", "FeedbackKey", "FeedbackMixin"]


@dataclass(frozen=True)
class FeedbackKey:
    """A key a site owner issued (``steelman feedback-keys add``); only its hash is kept."""

    id: int
    name: str
    created: float
    revoked: float | None  # when it was revoked; ``None`` while it is in force
    count: int = 0  # the suggestions kept under it

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> FeedbackKey:
        revoked = row["revoked"]
        return cls(
            int(row["id"]),
            row["name"],
            float(row["created"]),
            None if revoked is None else float(revoked),
            int(row.get("n") or 0),
        )


@dataclass(frozen=True)
class Feedback:
    id: int
    created: float
    text: str
    context: list[str]
    scores: dict[str, dict[str, Any]]  # name -> {"summary": v | None, "spans": [[b, e, v]]}
    languages: list[str]
    community_id: str
    client_token: str | None
    key: str | None = None  # the name of the key it came with (``None``: sent before keys)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Feedback:
        return cls(
            int(row["id"]),
            float(row["created"]),
            row["text"],
            json.loads(row["context"]),
            json.loads(row["scores"]),
            json.loads(row["languages"]),
            row["community_id"],
            row["client_token"],
            row.get("key_name"),
        )


class FeedbackMixin:
    backend: SqliteBackend | PostgresBackend

    def add_feedback(
        self,
        text: str,
        scores: dict[str, dict[str, Any]],
        *,
        context: list[str] | None = None,
        languages: list[str] | None = None,
        community_id: str = "",
        client_token: str | None = None,
        key_id: int | None = None,
    ) -> int:
        """Keep one suggestion under the key it came with; return its id. Nothing else about
        the sender is kept (no address, no session)."""
        if problem := key_problem(community_id, "the community id"):
            raise Unstorable(problem)
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "INSERT INTO feedback (created, text, context, scores, languages, community_id,"
                " client_token, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    time.time(),
                    text,
                    json.dumps(context or []),
                    json.dumps(scores, sort_keys=True),
                    json.dumps(languages or []),
                    community_id,
                    client_token,
                    key_id,
                ),
            )
        return int(rows[0]["id"])

    def iter_feedback(self, page: int = 500) -> Iterator[Feedback]:
        """Every suggestion, oldest first, read a page at a time."""
        after = 0
        while True:
            with self.backend.transaction() as cur:
                rows = cur.execute(
                    "SELECT f.*, k.name AS key_name FROM feedback f"
                    " LEFT JOIN feedback_keys k ON k.id = f.key_id"
                    " WHERE f.id > ? ORDER BY f.id LIMIT ?",
                    (after, page),
                )
            for row in rows:
                yield Feedback.from_row(row)
            if len(rows) < page:
                return
            after = int(rows[-1]["id"])

    def count_feedback(self, key_id: int | None = None) -> int:
        """How many suggestions are kept: all of them, or those sent with one key."""
        with self.backend.transaction() as cur:
            if key_id is None:
                return int(cur.execute("SELECT COUNT(*) AS n FROM feedback")[0]["n"])
            rows = cur.execute("SELECT COUNT(*) AS n FROM feedback WHERE key_id = ?", (key_id,))
            return int(rows[0]["n"])

    def add_feedback_key(self, name: str, key_hash: str) -> FeedbackKey:
        """Record a new key by the hash of its secret."""
        try:
            with self.backend.transaction() as cur:
                rows = cur.execute(
                    "INSERT INTO feedback_keys (name, key_hash, created) VALUES (?, ?, ?)"
                    " RETURNING *",
                    (name, key_hash, time.time()),
                )
        except Conflict:
            raise Conflict(f"a feedback key named {name!r} already exists") from None
        return FeedbackKey.from_row(rows[0])

    def feedback_key(self, key_hash: str) -> FeedbackKey | None:
        """The key in force whose secret hashes to ``key_hash``; ``None`` when unknown or
        revoked."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT * FROM feedback_keys WHERE key_hash = ? AND revoked IS NULL", (key_hash,)
            )
        return FeedbackKey.from_row(rows[0]) if rows else None

    def feedback_keys(self) -> list[FeedbackKey]:
        """Every key, revoked ones too, with how many suggestions each holds."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT k.*, (SELECT COUNT(*) FROM feedback f WHERE f.key_id = k.id) AS n"
                " FROM feedback_keys k ORDER BY k.id"
            )
        return [FeedbackKey.from_row(r) for r in rows]

    def revoke_feedback_key(self, name: str) -> None:
        """Refuse the key from now on (what it sent is kept until purged)."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "UPDATE feedback_keys SET revoked = COALESCE(revoked, ?) WHERE name = ?"
                " RETURNING id",
                (time.time(), name),
            )
        if not rows:
            raise Conflict(f"no feedback key named {name!r}")

    def purge_feedback(self, name: str) -> int:
        """Delete every suggestion sent with the key ``name``; return how many."""
        with self.backend.transaction() as cur:
            keys = cur.execute("SELECT id FROM feedback_keys WHERE name = ?", (name,))
            if not keys:
                raise Conflict(f"no feedback key named {name!r}")
            rows = cur.execute(
                "DELETE FROM feedback WHERE key_id = ? RETURNING id", (keys[0]["id"],)
            )
        return len(rows)
