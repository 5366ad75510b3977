"""Feedback from Perspective clients (``comments:suggestscore``): the scores a site says a
comment deserves, kept with the comment's text so that they become labelled data."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from steelman.server.db.backend import Unstorable, key_problem

if TYPE_CHECKING:
    from steelman.server.db.backend import PostgresBackend, SqliteBackend

__all__ = ["Feedback", "FeedbackMixin"]


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
    ) -> int:
        """Keep one suggestion; return its id. Nothing about the sender is kept (no address,
        no session)."""
        if problem := key_problem(community_id, "the community id"):
            raise Unstorable(problem)
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "INSERT INTO feedback (created, text, context, scores, languages, community_id,"
                " client_token) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    time.time(),
                    text,
                    json.dumps(context or []),
                    json.dumps(scores, sort_keys=True),
                    json.dumps(languages or []),
                    community_id,
                    client_token,
                ),
            )
        return int(rows[0]["id"])

    def iter_feedback(self, page: int = 500) -> Iterator[Feedback]:
        """Every suggestion, oldest first, read a page at a time."""
        after = 0
        while True:
            with self.backend.transaction() as cur:
                rows = cur.execute(
                    "SELECT * FROM feedback WHERE id > ? ORDER BY id LIMIT ?", (after, page)
                )
            for row in rows:
                yield Feedback.from_row(row)
            if len(rows) < page:
                return
            after = int(rows[-1]["id"])

    def count_feedback(self) -> int:
        with self.backend.transaction() as cur:
            return int(cur.execute("SELECT COUNT(*) AS n FROM feedback")[0]["n"])
