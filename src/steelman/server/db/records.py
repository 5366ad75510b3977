"""The rows the store hands out: plain frozen dataclasses, no SQL and no HTTP."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

__all__ = ["STATUSES", "AuditEntry", "Ban", "Comment", "Session", "Thread", "User"]

# published: visible; pending: held for a moderator; rejected: refused by one (the author sees
# why); deleted: removed by its author once published (kept, emptied, so that replies keep their
# place); withdrawn: removed by its author while held (emptied, never shown).
STATUSES = ("published", "pending", "rejected", "deleted", "withdrawn")


@dataclass(frozen=True)
class Thread:
    id: int
    uri: str
    title: str
    closed: bool
    created: float

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Thread:
        return cls(row["id"], row["uri"], row["title"], bool(row["closed"]), row["created"])


@dataclass(frozen=True)
class Comment:
    id: int
    thread_id: int
    parent_id: int | None
    author: str
    text: str
    status: str
    note: str
    reason: str
    level: str | None
    risk: float
    judgement: dict[str, Any] | None
    judged: bool
    posted_anyway: bool
    source: str
    created: float
    modified: float | None
    email_hash: str
    address_hash: str

    @property
    def version(self) -> str:
        """Names the text as it is now: a moderator's decision names the version they read."""
        return hashlib.sha256(self.text.encode("utf-8", "surrogatepass")).hexdigest()[:16]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Comment:
        return cls(
            id=row["id"],
            thread_id=row["thread_id"],
            parent_id=row["parent_id"],
            author=row["author"],
            text=row["text"],
            status=row["status"],
            note=row["note"],
            reason=row["reason"],
            level=row["level"],
            risk=float(row["risk"]),
            judgement=json.loads(row["judgement"]) if row["judgement"] else None,
            judged=bool(row["judged"]),
            posted_anyway=bool(row["posted_anyway"]),
            source=row["source"],
            created=row["created"],
            modified=row["modified"],
            email_hash=row["email_hash"],
            address_hash=row["address_hash"],
        )


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    action: str
    comment_id: int | None
    thread_id: int | None
    reason: str
    detail: dict[str, Any]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AuditEntry:
        return cls(
            row["id"],
            row["at"],
            row["actor"],
            row["action"],
            row["comment_id"],
            row["thread_id"],
            row["reason"],
            json.loads(row["detail"] or "{}"),
        )


@dataclass(frozen=True)
class User:
    id: int
    username: str
    password_hash: str


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    expires: float


@dataclass(frozen=True)
class Ban:
    """A refused address or email (both kept only as keyed hashes), until ``expires`` if set."""

    id: int
    kind: str
    value: str
    reason: str
    actor: str
    created: float
    expires: float | None = None
    comment_id: int | None = None  # the comment the moderator banned its author for

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Ban:
        return cls(
            row["id"],
            row["kind"],
            row["value"],
            row["reason"],
            row["actor"],
            row["created"],
            row.get("expires"),
            row.get("comment_id"),
        )
