"""Versioned schema migrations, applied in order, each once, each in its own transaction.

A migration is a number, a name and SQL with ``{id}``, ``{real}`` and ``{bigint}`` standing for the
backend's column types. Never edit a released migration: add the next one.
"""

from __future__ import annotations

import time
from typing import Any

from steelman.server.db.backend import PostgresBackend, SqliteBackend

__all__ = ["MIGRATIONS", "current_version", "migrate"]

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "threads, comments and the audit log",
        """
        CREATE TABLE threads (
            id {id},
            uri TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            closed INTEGER NOT NULL DEFAULT 0,
            created {real} NOT NULL
        );
        CREATE TABLE comments (
            id {id},
            thread_id {bigint} NOT NULL REFERENCES threads(id),
            parent_id {bigint} REFERENCES comments(id),
            author TEXT NOT NULL DEFAULT '',
            email_hash TEXT NOT NULL DEFAULT '',
            address_hash TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            status TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            level TEXT,
            risk {real} NOT NULL DEFAULT 0,
            judgement TEXT,
            judged INTEGER NOT NULL DEFAULT 0,
            posted_anyway INTEGER NOT NULL DEFAULT 0,
            request_id TEXT UNIQUE,
            source TEXT NOT NULL DEFAULT 'widget',
            created {real} NOT NULL,
            modified {real}
        );
        CREATE INDEX comments_thread ON comments(thread_id, created);
        CREATE INDEX comments_status ON comments(status, risk);
        CREATE INDEX comments_unjudged ON comments(judged);
        CREATE TABLE audit (
            id {id},
            at {real} NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            comment_id {bigint},
            thread_id {bigint},
            reason TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '{{}}'
        );
        CREATE INDEX audit_comment ON audit(comment_id);
        """,
    ),
    (
        2,
        "moderators, sessions, bans and server metadata",
        """
        CREATE TABLE users (
            id {id},
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            created {real} NOT NULL
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id {bigint} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            csrf TEXT NOT NULL,
            expires {real} NOT NULL
        );
        CREATE TABLE bans (
            id {id},
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            actor TEXT NOT NULL,
            created {real} NOT NULL,
            UNIQUE (kind, value)
        );
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    ),
    (
        3,
        "client request ids kept apart from demo and import ids",
        # New client ids are stored as keyed hashes (``post:...``); older ones could have taken a
        # demo or import id and shadowed that comment.
        """
        UPDATE comments SET request_id = 'legacy:' || request_id
        WHERE source = 'widget' AND request_id IS NOT NULL AND substr(request_id, 1, 5) <> 'post:';
        """,
    ),
    (
        4,
        "bans that expire and remember the comment they were made on",
        """
        ALTER TABLE bans ADD COLUMN expires {real};
        ALTER TABLE bans ADD COLUMN comment_id {bigint};
        """,
    ),
    (
        5,
        "feedback from Perspective clients (comments:suggestscore)",
        """
        CREATE TABLE feedback (
            id {id},
            created {real} NOT NULL,
            text TEXT NOT NULL,
            context TEXT NOT NULL DEFAULT '[]',
            scores TEXT NOT NULL,
            languages TEXT NOT NULL DEFAULT '[]',
            community_id TEXT NOT NULL DEFAULT '',
            client_token TEXT
        );
        CREATE INDEX feedback_community ON feedback(community_id);
        """,
    ),
    (
        6,
        "a forecast per thread (Escalation 2) and slow mode",
        # risk: the escalation forecast after the thread's comments so far; replies: how many it
        # read; movers: the comments that raised it most (JSON); slow_s: seconds between posts.
        """
        CREATE TABLE forecasts (
            thread_id {bigint} PRIMARY KEY REFERENCES threads(id),
            risk {real} NOT NULL,
            replies INTEGER NOT NULL,
            movers TEXT NOT NULL DEFAULT '[]',
            model TEXT NOT NULL DEFAULT '',
            updated {real} NOT NULL
        );
        CREATE INDEX forecasts_risk ON forecasts(risk);
        ALTER TABLE threads ADD COLUMN slow_s {real} NOT NULL DEFAULT 0;
        """,
    ),
    (
        7,
        "feedback keys: comments:suggestscore only from a key a site owner issued",
        # key_hash: SHA-256 of the secret (the secret itself is shown once, never kept); a
        # suggestion records the key it came with (NULL: sent before keys, anonymously).
        """
        CREATE TABLE feedback_keys (
            id {id},
            name TEXT NOT NULL UNIQUE,
            key_hash TEXT NOT NULL UNIQUE,
            created {real} NOT NULL,
            revoked {real}
        );
        ALTER TABLE feedback ADD COLUMN key_id {bigint} REFERENCES feedback_keys(id);
        CREATE INDEX feedback_key ON feedback(key_id);
        """,
    ),
    (
        8,
        "site layers: the judge's pooled encoding of each decided text, and audit by action",
        # text_hash: SHA-256 of a decided comment's (or suggestion's) text; model: the judge that
        # encoded it; vector: its float32 pooled encoding, base64. Kept so that `steelman adapt`
        # never encodes a decision twice; the layer switches are audit entries (action index).
        """
        CREATE TABLE site_encodings (
            text_hash TEXT NOT NULL,
            model TEXT NOT NULL,
            vector TEXT NOT NULL,
            created {real} NOT NULL,
            PRIMARY KEY (text_hash, model)
        );
        CREATE INDEX audit_action ON audit(action);
        """,
    ),
)

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied {real} NOT NULL
)
"""


def current_version(backend: SqliteBackend | PostgresBackend) -> int:
    """The highest migration applied (0 for an empty database)."""
    with backend.transaction() as cur:
        cur.execute(_VERSION_TABLE.format(**backend.types))
        rows = cur.execute("SELECT MAX(version) AS v FROM schema_migrations")
    return int(rows[0]["v"] or 0)


def migrate(backend: SqliteBackend | PostgresBackend, *, target: int | None = None) -> list[int]:
    """Apply the missing migrations up to ``target`` (default: all); return the versions applied."""
    applied: list[int] = []
    for version, name, sql in MIGRATIONS:
        if target is not None and version > target:
            break
        with backend.transaction() as cur:
            if isinstance(backend, PostgresBackend):
                cur.execute("SELECT pg_advisory_xact_lock(7140)")  # one migrator at a time
            cur.execute(_VERSION_TABLE.format(**backend.types))
            done: list[dict[str, Any]] = cur.execute(
                "SELECT version FROM schema_migrations WHERE version = ?", (version,)
            )
            if done:
                continue
            for statement in sql.format(**backend.types).split(";"):
                if statement.strip():
                    cur.execute(statement)
            cur.execute(
                "INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)",
                (version, name, time.time()),
            )
        applied.append(version)
    return applied
