"""Finding a reply's parent text by the parent's id, in bounded memory.

:class:`ParentWindow` (the default) remembers the text of the last ``size`` rows read, and keeps
a parent that is looked up again among them (least recently used goes first): a reply finds its
parent when the parent came at most ``size`` rows before it, or was itself recently asked for.
Memory is ``size`` texts whatever the file's length. For files whose parents may come anywhere
(sorted by time across many threads, or replies before their parents), :class:`ParentIndex`
first reads the whole file once into an on-disk SQLite table of id -> text.

Reddit dumps write ``parent_id`` as ``t1_<id>`` (a comment) or ``t3_<id>`` (the post); when such
an id is not found as written, it is looked up without its ``tN_`` prefix.
"""

from __future__ import annotations

import re
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from steelman.errors import InputError

__all__ = ["ParentIndex", "ParentLookup", "ParentWindow", "parent_key"]

_REDDIT_KIND = re.compile(r"^t\d_")


def parent_key(value: object) -> str | None:
    """An id as a lookup key: ``None`` for a missing or empty id, else its text."""
    if value is None:
        return None
    key = str(value).strip()
    return key or None


class ParentLookup(Protocol):
    """Remembers texts by id and finds a parent's text."""

    def add(self, key: str, text: str) -> None: ...

    def get(self, key: str) -> str | None: ...

    def close(self) -> None: ...


class ParentWindow:
    """The last ``size`` texts by id (an LRU dict: a lookup keeps a parent in the window)."""

    def __init__(self, size: int = 100_000) -> None:
        if size < 1:
            raise InputError(f"the parent window must hold at least 1 row, not {size}")
        self.size = size
        self._texts: OrderedDict[str, str] = OrderedDict()

    def add(self, key: str, text: str) -> None:
        self._texts[key] = text
        self._texts.move_to_end(key)
        if len(self._texts) > self.size:
            self._texts.popitem(last=False)

    def get(self, key: str) -> str | None:
        for candidate in _candidates(key):
            text = self._texts.get(candidate)
            if text is not None:
                self._texts.move_to_end(candidate)
                return text
        return None

    def close(self) -> None:
        self._texts.clear()


class ParentIndex:
    """Every text of a file by id, in an SQLite file built by one first pass (:meth:`build`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(path)

    @classmethod
    def build(cls, path: Path, pairs: Iterable[tuple[str, str]]) -> ParentIndex:
        """Write ``(id, text)`` pairs to a fresh SQLite file at ``path`` (the first id wins)."""
        path.unlink(missing_ok=True)
        index = cls(path)
        with index._db:
            index._db.execute("CREATE TABLE texts (id TEXT PRIMARY KEY, text TEXT NOT NULL)")
            index._db.executemany("INSERT OR IGNORE INTO texts VALUES (?, ?)", pairs)
        return index

    def add(self, key: str, text: str) -> None:
        """Nothing to do: the first pass saw every row."""

    def get(self, key: str) -> str | None:
        for candidate in _candidates(key):
            row = self._db.execute("SELECT text FROM texts WHERE id = ?", (candidate,)).fetchone()
            if row is not None:
                return str(row[0])
        return None

    def close(self) -> None:
        self._db.close()
        self.path.unlink(missing_ok=True)


def _candidates(key: str) -> tuple[str, ...]:
    bare = _REDDIT_KIND.sub("", key)
    return (key, bare) if bare != key else (key,)
