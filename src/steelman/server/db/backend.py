"""Two SQL backends behind one small interface: embedded SQLite (WAL) and PostgreSQL.

The store writes portable SQL with ``?`` placeholders; :class:`PostgresBackend` rewrites them to
``%s``. Rows come back as plain dicts. Errors from the drivers are wrapped in :class:`StoreError`
marked ``driver``: their text (tables, indexes, values) is for the log, never for a response.
"""

from __future__ import annotations

import os
import queue
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Protocol
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from steelman.data.text import text_problem
from steelman.errors import InputError, MissingDependency, SteelmanError

__all__ = [
    "MAX_KEY_BYTES",
    "Backend",
    "Conflict",
    "Cursor",
    "PostgresBackend",
    "SqliteBackend",
    "StoreError",
    "Unstorable",
    "key_problem",
    "open_backend",
]

Row = dict[str, Any]

#: The most UTF-8 bytes of text in an indexed column (a thread's page address, a community id).
#: PostgreSQL's btree indexes refuse an entry over 2,704 bytes and SQLite has no limit; both
#: hold this much, and refusing more alike keeps the two stores answering the same.
MAX_KEY_BYTES = 2000


def key_problem(value: str, name: str) -> str | None:
    """Why ``value`` cannot go into an indexed column, or ``None`` when it can."""
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > MAX_KEY_BYTES:
        return f"{name} is {size} bytes in UTF-8; at most {MAX_KEY_BYTES} are kept"
    return None


class StoreError(SteelmanError):
    """The comment database cannot be opened or refused a statement.

    ``driver`` marks an error wrapped from the database driver, whose text is for the log only.
    """

    def __init__(self, message: str, *, driver: bool = False) -> None:
        super().__init__(message)
        self.driver = driver


class Conflict(StoreError):
    """A statement broke a uniqueness or foreign-key rule (a duplicate name, a missing parent)."""


class Unstorable(InputError):
    """A value no database here can hold (a NUL, a lone surrogate): refused alike by both."""


def _check_params(params: Sequence[Any]) -> tuple[Any, ...]:
    """The parameters, once every string among them is storable. PostgreSQL refuses NUL and
    SQLite cannot encode a lone surrogate; both are refused here, before either sees them, so
    the two backends answer the same (an input error, not an outage)."""
    values = tuple(params)
    for value in values:
        if isinstance(value, str) and (problem := text_problem(value)):
            raise Unstorable(problem)
    return values


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...


class Backend(Protocol):
    kind: str
    types: dict[str, str]

    def transaction(self) -> Any: ...

    def close(self) -> None: ...


class _SqliteCursor:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        values = _check_params(params)
        try:
            cur = self._conn.execute(sql, values)
            return [dict(row) for row in cur.fetchall()]
        except sqlite3.IntegrityError as exc:
            raise Conflict(f"SQLite: {exc}", driver=True) from exc
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite: {exc}", driver=True) from exc


class SqliteBackend:
    """One connection shared by the process's threads, serialised by a lock; WAL, full sync."""

    kind = "sqlite"
    types: ClassVar[dict[str, str]] = {
        "id": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "real": "REAL",
        "bigint": "INTEGER",
    }

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                # It holds the signing secret: readable by its owner alone. SQLite gives the WAL
                # and shared-memory files the database file's mode.
                os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            self._conn = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=30
            )
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA busy_timeout=30000")
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open SQLite database {self.path}: {exc}") from exc
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[_SqliteCursor]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"SQLite: {exc}", driver=True) from exc
            try:
                yield _SqliteCursor(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


_PLACEHOLDER = re.compile(r"\?")


class _PgCursor:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        import psycopg

        values = _check_params(params)
        try:
            cur = self._conn.execute(_PLACEHOLDER.sub("%s", sql), values)
            return list(cur.fetchall()) if cur.description else []
        except psycopg.errors.IntegrityError as exc:
            raise Conflict(f"PostgreSQL: {exc}", driver=True) from exc
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL: {exc}", driver=True) from exc


class PostgresBackend:
    """A small pool of psycopg connections; each transaction borrows one."""

    kind = "postgresql"
    types: ClassVar[dict[str, str]] = {
        "id": "BIGSERIAL PRIMARY KEY",
        "real": "DOUBLE PRECISION",
        "bigint": "BIGINT",
    }

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        try:
            import psycopg
            from psycopg.rows import dict_row
        except ImportError as exc:
            raise MissingDependency("psycopg", "server", "PostgreSQL storage") from exc
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        self.schema = query.pop("schema", [None])[0]
        self.url = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
        self._psycopg = psycopg
        self._row = dict_row
        self._pool: queue.LifoQueue[Any] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._closed = False
        with self.transaction():  # fail at start-up, not at the first comment
            pass

    def _connect(self) -> Any:
        try:
            conn = self._psycopg.connect(self.url, row_factory=self._row, autocommit=False)
            if self.schema:
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                conn.execute(f'SET search_path TO "{self.schema}"')
                conn.commit()
            return conn
        except self._psycopg.Error as exc:
            raise StoreError(f"cannot connect to PostgreSQL: {exc}", driver=True) from exc

    @contextmanager
    def transaction(self) -> Iterator[_PgCursor]:
        self._slots.acquire()
        try:
            try:
                conn = self._pool.get_nowait()
            except queue.Empty:
                conn = self._connect()
            if conn.closed or conn.broken:
                conn = self._connect()
            try:
                yield _PgCursor(conn)
            except BaseException:
                conn.rollback()
                self._pool.put(conn)
                raise
            try:
                conn.commit()
            except self._psycopg.Error as exc:
                conn.rollback()
                raise StoreError(f"PostgreSQL commit failed: {exc}", driver=True) from exc
            finally:
                self._pool.put(conn)
        finally:
            self._slots.release()

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                break


def open_backend(url: str) -> SqliteBackend | PostgresBackend:
    """A backend for ``sqlite:///PATH`` (``sqlite:///:memory:`` too) or ``postgresql://...``."""
    if url.startswith("sqlite:///"):
        return SqliteBackend(url[len("sqlite:///") :])
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresBackend(url)
    raise StoreError(f"unknown database URL {url!r}; use sqlite:///PATH or postgresql://...")
