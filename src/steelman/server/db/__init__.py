"""Storage for the comment server (SQLite or PostgreSQL). Knows SQL, never HTTP."""

from steelman.server.db.backend import Conflict, StoreError, Unstorable, open_backend
from steelman.server.db.backup import backup_sqlite
from steelman.server.db.feedback import Feedback
from steelman.server.db.migrations import MIGRATIONS, current_version, migrate
from steelman.server.db.records import STATUSES, AuditEntry, Comment, Thread, User
from steelman.server.db.store import NotFound, Store

__all__ = [
    "MIGRATIONS",
    "STATUSES",
    "AuditEntry",
    "Comment",
    "Conflict",
    "Feedback",
    "NotFound",
    "Store",
    "StoreError",
    "Thread",
    "Unstorable",
    "User",
    "backup_sqlite",
    "current_version",
    "migrate",
    "open_backend",
]
