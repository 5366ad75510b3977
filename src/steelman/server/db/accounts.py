"""Moderators, their sessions, bans and server metadata: the store's non-comment tables."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from steelman.server.db.backend import Conflict
from steelman.server.db.records import Ban, Session, User

if TYPE_CHECKING:
    from steelman.server.db.backend import PostgresBackend, SqliteBackend

__all__ = ["AccountsMixin"]


class AccountsMixin:
    backend: SqliteBackend | PostgresBackend

    def add_user(self, username: str, password_hash: str) -> User:
        try:
            with self.backend.transaction() as cur:
                rows = cur.execute(
                    "INSERT INTO users (username, password_hash, created) VALUES (?, ?, ?)"
                    " RETURNING *",
                    (username, password_hash, time.time()),
                )
        except Conflict:
            raise Conflict(f"a moderator named {username!r} already exists") from None
        return User(rows[0]["id"], username, password_hash)

    def user(self, username: str) -> User | None:
        with self.backend.transaction() as cur:
            rows = cur.execute("SELECT * FROM users WHERE username = ?", (username,))
        return User(rows[0]["id"], username, rows[0]["password_hash"]) if rows else None

    def users(self) -> list[str]:
        with self.backend.transaction() as cur:
            return [r["username"] for r in cur.execute("SELECT username FROM users ORDER BY id")]

    def set_password(self, username: str, password_hash: str) -> None:
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "UPDATE users SET password_hash = ? WHERE username = ? RETURNING id",
                (password_hash, username),
            )
            if rows:  # a new password ends every open session
                cur.execute("DELETE FROM sessions WHERE user_id = ?", (rows[0]["id"],))
        if not rows:
            raise Conflict(f"no moderator named {username!r}")

    def add_session(self, token_hash: str, user: User, csrf: str, expires: float) -> None:
        with self.backend.transaction() as cur:
            cur.execute("DELETE FROM sessions WHERE expires < ?", (time.time(),))
            cur.execute(
                "INSERT INTO sessions (token_hash, user_id, csrf, expires) VALUES (?, ?, ?, ?)",
                (token_hash, user.id, csrf, expires),
            )

    def session(self, token_hash: str) -> Session | None:
        """The live session for a token's hash; ``None`` when unknown or expired."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT s.csrf, s.expires, u.id, u.username, u.password_hash FROM sessions s"
                " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires > ?",
                (token_hash, time.time()),
            )
        if not rows:
            return None
        r = rows[0]
        return Session(User(r["id"], r["username"], r["password_hash"]), r["csrf"], r["expires"])

    def end_session(self, token_hash: str) -> None:
        with self.backend.transaction() as cur:
            cur.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def ban(
        self,
        kind: str,
        value: str,
        *,
        actor: str,
        reason: str = "",
        expires: float | None = None,
        comment_id: int | None = None,
    ) -> None:
        """Refuse ``value`` until ``expires`` (``None``: until lifted); a new ban replaces one."""
        with self.backend.transaction() as cur:
            cur.execute(
                "INSERT INTO bans (kind, value, reason, actor, created, expires, comment_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, value) DO UPDATE SET"
                " reason = excluded.reason, actor = excluded.actor, created = excluded.created,"
                " expires = excluded.expires, comment_id = excluded.comment_id",
                (kind, value, reason, actor, time.time(), expires, comment_id),
            )

    def banned(self, pairs: list[tuple[str, str]], *, now: float | None = None) -> Ban | None:
        """The first live ban matching any ``(kind, value)`` pair (empty values never match)."""
        at = time.time() if now is None else now
        with self.backend.transaction() as cur:
            for kind, value in pairs:
                if not value:
                    continue
                rows = cur.execute(
                    "SELECT * FROM bans WHERE kind = ? AND value = ?"
                    " AND (expires IS NULL OR expires > ?)",
                    (kind, value, at),
                )
                if rows:
                    return Ban.from_row(rows[0])
        return None

    def bans(self, *, now: float | None = None, limit: int = 500) -> list[Ban]:
        """The bans in force, newest first."""
        at = time.time() if now is None else now
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT * FROM bans WHERE expires IS NULL OR expires > ?"
                " ORDER BY created DESC, id DESC LIMIT ?",
                (at, limit),
            )
        return [Ban.from_row(r) for r in rows]

    def unban(self, ban_id: int, *, actor: str, reason: str = "") -> Ban:
        """Lift a ban, recording who did and why in the audit log (in the same transaction)."""
        with self.backend.transaction() as cur:
            rows = cur.execute("DELETE FROM bans WHERE id = ? RETURNING *", (ban_id,))
            if not rows:
                from steelman.server.db.store import NotFound  # store.py builds on this module

                raise NotFound(f"no ban {ban_id}; see the list of bans")
            ban = Ban.from_row(rows[0])
            detail = {"ban": ban.id, "kind": ban.kind, "banned_for": ban.comment_id}
            cur.execute(
                "INSERT INTO audit (at, actor, action, comment_id, thread_id, reason, detail)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    actor,
                    "unban",
                    None,
                    None,
                    reason,
                    json.dumps(detail, sort_keys=True),
                ),
            )
        return ban

    def meta(self, key: str, default: str) -> str:
        """A stored server value, set to ``default`` on first read (e.g. the signing secret)."""
        with self.backend.transaction() as cur:
            cur.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (key, default),
            )
            return str(cur.execute("SELECT value FROM meta WHERE key = ?", (key,))[0]["value"])
