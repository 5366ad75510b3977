"""Migrations: versioned, applied once, upgrading an old database keeps its data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from steelman.server.db import (
    MIGRATIONS,
    Store,
    backup_sqlite,
    current_version,
    migrate,
    open_backend,
)


def test_versions_are_numbered_one_up() -> None:
    assert [v for v, _, _ in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_fresh_database_reaches_latest_and_migrating_again_does_nothing(store_url: str) -> None:
    backend = open_backend(store_url)
    try:
        assert current_version(backend) == 0
        assert migrate(backend) == [v for v, _, _ in MIGRATIONS]
        assert migrate(backend) == []
        assert current_version(backend) == MIGRATIONS[-1][0]
    finally:
        backend.close()


def test_upgrade_from_version_one_keeps_comments(store_url: str) -> None:
    backend = open_backend(store_url)
    migrate(backend, target=1)
    assert current_version(backend) == 1
    store = Store(backend)
    thread = store.thread("old", create=True)
    assert thread is not None
    store.add_comment(thread_id=thread.id, text="from v1", status="published", actor="author")
    assert migrate(backend) == [v for v, _, _ in MIGRATIONS if v > 1]
    assert [c.text for c in store.comments(thread.id)] == ["from v1"]
    store.add_user("mod", "hash")  # a table of migration 2
    store.close()


def test_backup_is_a_consistent_copy_written_by_rename(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    store = Store.open(url)
    thread = store.thread("t", create=True)
    assert thread is not None
    for i in range(20):
        store.add_comment(thread_id=thread.id, text=f"c{i}", status="published", actor="author")
    out = tmp_path / "backups" / "copy.db"
    out.parent.mkdir()
    out.write_bytes(b"an older backup")
    backup_sqlite(url, out)  # while the store is open
    store.close()
    with sqlite3.connect(out) as conn:
        assert conn.execute("SELECT COUNT(*) FROM comments").fetchone() == (20,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert [p.name for p in out.parent.iterdir()] == ["copy.db"]  # no temporary file left
