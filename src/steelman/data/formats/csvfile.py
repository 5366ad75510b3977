"""CSV (or TSV) with a header row; ``columns`` maps Steelman's field names onto the header."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from steelman.data.formats._common import Item, open_binary
from steelman.data.formats.jsonl import FIELDS, REQUIRED, comment_from_record
from steelman.errors import InputError, RecordError

__all__ = ["read_csv"]


def read_csv(
    path: Path, *, columns: Mapping[str, str] | None = None, delimiter: str | None = None
) -> Iterator[Item]:
    """Yield the comments of a CSV file.

    ``columns`` maps a field (``id``, ``parent_id``, ``author``, ``text``, ``created``,
    ``thread``, ``deleted``) to its column, e.g. ``{"text": "body"}``; unmapped fields use their
    own name. Columns that map to no field go into ``Comment.extra``. ``delimiter`` defaults to a
    tab for ``.tsv`` files and a comma otherwise.
    """
    columns = dict(columns or {})
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise InputError(
            f"unknown field(s) in columns: {', '.join(unknown)}; the fields are {', '.join(FIELDS)}"
        )
    if delimiter is None:
        delimiter = "\t" if ".tsv" in path.suffixes else ","
    return _read(path, columns, delimiter)


class _Lines:
    """Decode a binary file line by line, remembering the lines that are not valid UTF-8."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = iter(fh)
        self.number = 0
        self.bad: dict[int, int] = {}

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = next(self._fh)
        self.number += 1
        encoding = "utf-8-sig" if self.number == 1 else "utf-8"
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as exc:
            self.bad[self.number] = exc.start
            return raw.decode(encoding, "replace")


def _read(path: Path, columns: dict[str, str], delimiter: str) -> Iterator[Item]:
    label = str(path)
    with open_binary(path) as fh:
        lines = _Lines(fh)
        rows = csv.reader(lines, delimiter=delimiter)
        try:
            header = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RecordError(f"not valid CSV ({exc})", path=label, line=lines.number) from exc
        if lines.bad:
            raise RecordError("the header is not valid UTF-8", path=label, line=1)
        index = _column_index(header, columns, label)
        end = lines.number
        while True:
            start = end + 1
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as exc:
                raise RecordError(f"not valid CSV ({exc})", path=label, line=start) from exc
            end = lines.number
            if not row:
                continue
            bad = [n for n in sorted(lines.bad) if start <= n <= end]
            lines.bad.clear()
            if bad:
                yield RecordError("invalid UTF-8; save the file as UTF-8", path=label, line=bad[0])
            elif len(row) != len(header):
                yield RecordError(
                    f"the row has {len(row)} values; the header has {len(header)}",
                    path=label,
                    line=start,
                )
            else:
                yield _comment(row, header, index, path, start)


def _column_index(header: list[str], columns: dict[str, str], label: str) -> dict[str, int]:
    position = {name.strip(): i for i, name in enumerate(header)}
    index: dict[str, int] = {}
    for name in FIELDS:
        column = columns.get(name, name)
        if column in position:
            index[name] = position[column]
        elif name in REQUIRED or name in columns:
            raise RecordError(
                f"no column {column!r} for field {name!r}; columns: {', '.join(header)}; "
                f"map it with columns={{{name!r}: '<column>'}}",
                path=label,
                line=1,
                field=name,
            )
    return index


def _comment(
    row: list[str], header: list[str], index: dict[str, int], path: Path, line: int
) -> Item:
    record = {name: row[i] for name, i in index.items()}
    try:
        comment = comment_from_record(record, default_thread=path.stem, path=str(path), line=line)
    except RecordError as err:
        return err
    used = set(index.values())
    comment.extra = {header[i]: value for i, value in enumerate(row) if i not in used}
    return comment
