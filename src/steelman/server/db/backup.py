"""``steelman backup``: a consistent copy of a live SQLite database, written atomically."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from steelman.server.db.backend import StoreError

__all__ = ["backup_sqlite"]


def backup_sqlite(url: str, out: Path) -> Path:
    """Copy the database at ``sqlite:///PATH`` to ``out`` with SQLite's backup API.

    The copy goes to a temporary file beside ``out``, is synced, then renamed over ``out``: a
    crash leaves either the old backup or the new one, never half of one.
    """
    if not url.startswith("sqlite:///"):
        raise StoreError("backup copies SQLite databases; for PostgreSQL use pg_dump")
    source = url[len("sqlite:///") :]
    if not Path(source).exists():
        raise StoreError(f"no database at {source}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        src = sqlite3.connect(source, timeout=30)
        dest = sqlite3.connect(tmp)
        try:
            src.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
            src.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except (sqlite3.Error, OSError) as exc:
        Path(tmp).unlink(missing_ok=True)
        raise StoreError(f"backup of {source} failed: {exc}") from exc
    return out
