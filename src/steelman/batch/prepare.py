"""From input records to items ready for the judge: the text, the parent text, or why not.

Preparing runs in one process, in input order (parents by id need the rows before), and is the
same for every engine, so every engine writes the same output.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from steelman.batch.parents import ParentIndex, ParentLookup, ParentWindow, parent_key
from steelman.batch.readers import InputFile, Record
from steelman.errors import InputError, RecordError

__all__ = ["Chunk", "Fields", "Item", "iter_chunks"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fields:
    """Where a row keeps its text and its parent.

    The parent is the text in ``parent`` (a missing key or null means a top-level reply; with
    ``parent_required`` the first row must have the key, else the name is taken to be wrong),
    or, with ``parent_id`` set, the text of the row whose ``id`` equals this row's
    ``parent_id``, found in a window of the last ``window`` rows or, with ``index``, in an
    SQLite index of the whole file. When ``parent_id`` is ``None`` and the first row has no
    ``parent`` key but has ``id`` and ``parent_id``, parents are found by id.
    """

    text: str = "text"
    parent: str | None = "parent"
    parent_required: bool = False
    id: str = "id"
    parent_id: str | None = None
    window: int = 100_000
    index: bool = False

    def check(self) -> None:
        """Refuse settings that cannot work, before reading anything."""
        for name in ("text", "id"):
            if not getattr(self, name):
                raise InputError(f"the {name} field name is empty")
        if self.window < 1:
            raise InputError(f"--parent-window must be at least 1, not {self.window}")


@dataclass
class Item:
    """One record on its way to the judge: ``text`` is set when the judge can read it."""

    line: int
    row: dict[str, Any] | None
    text: str | None = None
    parent: str | None = None
    error: str | None = None
    field: str | None = None
    fatal: bool = False  # stops the run even with --skip-bad (a wrong field name)

    def record_error(self, path: str) -> RecordError:
        return RecordError(self.error or "bad record", path=path, line=self.line, field=self.field)


@dataclass
class Chunk:
    """Consecutive items; ``start`` is the number of records before the first one."""

    start: int
    items: list[Item] = field(default_factory=list)
    position: int = 0
    parents_missing: int = 0


def iter_chunks(
    source: InputFile,
    fields: Fields,
    *,
    skip: int = 0,
    chunk_rows: int = 256,
    index_path: Path | None = None,
) -> Iterator[Chunk]:
    """Prepared items in chunks of ``chunk_rows`` records, after the first ``skip`` records.

    Chunks start at multiples of ``chunk_rows`` (counting records from the start of the file),
    so a resumed run cuts the same chunks as a fresh one. Skipped records still fill the parent
    window. ``index_path`` is where an SQLite parent index is built when ``fields.index``.
    """
    fields.check()
    preparer = _Preparer(str(source.path), fields, source, index_path)
    chunk = Chunk(start=skip)
    count = 0
    try:
        for record in source.records():
            item = preparer.item(record)
            count += 1
            if count <= skip:
                if count == skip:
                    preparer.take_missing()  # counted by the run that did these records
                continue
            chunk.items.append(item)
            if count % chunk_rows == 0:
                chunk.position, chunk.parents_missing = source.position(), preparer.take_missing()
                yield chunk
                chunk = Chunk(start=count)
        if chunk.items:
            chunk.position, chunk.parents_missing = source.position(), preparer.take_missing()
            yield chunk
    finally:
        preparer.close()


class _Preparer:
    def __init__(
        self, path: str, fields: Fields, source: InputFile, index_path: Path | None
    ) -> None:
        self.path = path
        self.fields = fields
        self.source = source
        self.index_path = index_path
        self.lookup: ParentLookup | None = None
        self.first_line: int | None = None
        self.missing = 0

    def take_missing(self) -> int:
        missing, self.missing = self.missing, 0
        return missing

    def close(self) -> None:
        if self.lookup is not None:
            self.lookup.close()

    def item(self, record: Record) -> Item:
        if record.row is None:
            error = record.error or RecordError("bad record")
            return Item(record.line, None, error=error.reason, field=error.field)
        row = record.row
        if self.first_line is None:
            self.first_line = record.line
            self._start(row)
        item = Item(record.line, row)
        if self.fields.text not in row:
            seen = ", ".join(list(row)[:20]) or "none"
            item.error = f"no field {self.fields.text!r}; fields seen: {seen} — use --text-field"
            item.fatal = record.line == self.first_line
            return item
        item.text, problem = _as_text(row[self.fields.text], self.fields.text)
        if problem is not None:
            item.error, item.field = problem, self.fields.text
        if self.lookup is not None:
            self._parent_by_id(item, row)
        else:
            self._parent_text(item, row, first=record.line == self.first_line)
        return item

    def _start(self, row: dict[str, Any]) -> None:
        fields = self.fields
        by_id = fields.parent not in row and fields.id in row and "parent_id" in row
        if fields.parent_id is None and not fields.parent_required and by_id:
            fields = replace(fields, parent_id="parent_id")
            log.info("no %r field: finding parents by %r", fields.parent, "parent_id")
        self.fields = fields
        if fields.parent_id is None:
            return
        if fields.index and self.index_path is not None:
            log.info("indexing parent texts in %s", self.index_path)
            self.lookup = ParentIndex.build(self.index_path, _pairs(self.source, fields))
        else:
            self.lookup = ParentWindow(fields.window)

    def _parent_text(self, item: Item, row: dict[str, Any], *, first: bool) -> None:
        name = self.fields.parent
        if name is None:
            return
        if name not in row:  # a top-level reply, unless the first row says the name is wrong
            if self.fields.parent_required and first:
                seen = ", ".join(list(row)[:20])
                item.error = f"no field {name!r}; fields seen: {seen} — use --parent-field"
                item.fatal = True
            return
        parent, problem = _as_text(row[name], name, optional=True)
        if problem is not None and item.error is None:
            item.text, item.error, item.field = None, problem, name
        item.parent = parent

    def _parent_by_id(self, item: Item, row: dict[str, Any]) -> None:
        assert self.lookup is not None and self.fields.parent_id is not None
        wanted = parent_key(row.get(self.fields.parent_id))
        if wanted is not None:
            item.parent = self.lookup.get(wanted)
            if item.parent is None:
                self.missing += 1
        own = parent_key(row.get(self.fields.id))
        if own is not None and item.text is not None:
            self.lookup.add(own, item.text)


def _as_text(value: object, name: str, *, optional: bool = False) -> tuple[str | None, str | None]:
    """``(text, None)`` for judgeable text, ``(None, why)`` otherwise; blank parents are None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if optional:
            return None, None
        return None, "the text is empty"
    if not isinstance(value, str):
        return None, f"expected text, found {type(value).__name__}"
    return value, None


def _pairs(source: InputFile, fields: Fields) -> Iterator[tuple[str, str]]:
    """``(id, text)`` for every row of a fresh read of ``source`` (the index's first pass)."""
    for record in InputFile(source.path).records():
        if record.row is None:
            continue
        key = parent_key(record.row.get(fields.id))
        text = record.row.get(fields.text)
        if key is not None and isinstance(text, str) and text.strip():
            yield key, text
