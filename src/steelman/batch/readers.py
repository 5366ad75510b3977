"""Streaming readers: each input record with its line number, in constant memory.

A reader yields :class:`Record` objects. A line that is not a readable record (bad JSON, invalid
UTF-8, a CSV row of the wrong width) becomes a record carrying a :class:`RecordError` instead of
stopping the reader, so that ``--skip-bad`` can go past it; the caller decides.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from steelman.batch.compat import import_pyarrow_parquet
from steelman.batch.formats import (
    FileFormat,
    corrupt_error,
    corrupt_stream,
    open_compressed_reader,
)
from steelman.data.jsonl import parse_jsonl_line
from steelman.errors import RecordError

__all__ = ["InputFile", "Record"]

_PARQUET_BATCH = 256


@dataclass(frozen=True)
class Record:
    """One input record: its line (Parquet: its row number), the row, or why it is unreadable."""

    line: int
    row: dict[str, Any] | None
    error: RecordError | None = None


class InputFile:
    """An input file of any supported format, read once from the start.

    ``position()`` and ``total`` measure progress in ``unit`` (bytes of the file as stored,
    or rows for Parquet), so compressed files show progress too.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.format = FileFormat.of(self.path)
        self._raw: IO[bytes] | None = None
        self._rows_read = 0
        if self.format.kind == "parquet":
            self.unit = "rows"
            self.total: int = int(import_pyarrow_parquet().ParquetFile(self.path).metadata.num_rows)
        else:
            self.unit = "bytes"
            self.total = self.path.stat().st_size

    def position(self) -> int:
        """How far the reader has come, in ``unit``."""
        if self.format.kind == "parquet":
            return self._rows_read
        if self._raw is None or self._raw.closed:
            return self.total
        return self._raw.tell()

    def records(self) -> Iterator[Record]:
        """Every record of the file, in order."""
        if self.format.kind == "parquet":
            yield from self._parquet()
            return
        with open_compressed_reader(self.path, self.format.compression) as (stream, raw):
            self._raw = raw
            if self.format.kind == "csv":
                yield from self._csv(stream)
            else:
                yield from self._jsonl(stream)

    def _jsonl(self, stream: IO[bytes]) -> Iterator[Record]:
        label, number = str(self.path), 0
        try:
            for number, raw in enumerate(stream, start=1):
                try:
                    row = parse_jsonl_line(raw, path=label, line=number)
                except RecordError as exc:
                    yield Record(number, None, exc)
                    continue
                if row is not None:
                    yield Record(number, row)
        except Exception as exc:
            if corrupt_stream(exc):
                raise corrupt_error(self.path, number, exc) from exc
            raise

    def _csv(self, stream: IO[bytes]) -> Iterator[Record]:
        lines = _DecodedLines(stream)
        reader = csv.reader(lines, strict=False)
        label = str(self.path)
        header: list[str] | None = None
        start = 1
        try:
            for fields in reader:
                end = reader.line_num
                bad = lines.bad_line_between(start, end)
                line, start = start, end + 1
                if bad is not None:
                    yield Record(line, None, _utf8_error(label, bad))
                    continue
                if not fields:
                    continue
                if header is None:
                    header = fields
                    if len(set(header)) != len(header):
                        raise RecordError("the header names a column twice", path=label, line=line)
                    continue
                if len(fields) != len(header):
                    message = f"expected {len(header)} fields as in the header, found {len(fields)}"
                    yield Record(line, None, RecordError(message, path=label, line=line))
                    continue
                yield Record(line, dict(zip(header, fields, strict=True)))
        except csv.Error as exc:
            raise RecordError(f"not valid CSV ({exc})", path=label, line=start) from exc
        except Exception as exc:
            if corrupt_stream(exc):
                raise corrupt_error(self.path, start - 1, exc) from exc
            raise

    def _parquet(self) -> Iterator[Record]:
        pq = import_pyarrow_parquet()
        parquet = pq.ParquetFile(self.path)
        for batch in parquet.iter_batches(batch_size=_PARQUET_BATCH):
            for row in batch.to_pylist():
                self._rows_read += 1
                yield Record(self._rows_read, row)


class _DecodedLines:
    """Iterates the lines of a binary stream as text, remembering lines with invalid UTF-8."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._number = 0
        self._bad: list[int] = []

    def __iter__(self) -> Iterator[str]:
        for raw in self._stream:
            self._number += 1
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                self._bad.append(self._number)
                text = raw.decode("utf-8", errors="replace")
            if self._number == 1:
                text = text.removeprefix("\ufeff")
            yield text

    def bad_line_between(self, start: int, end: int) -> int | None:
        """The first line from ``start`` to ``end`` with invalid UTF-8 (forgetting older ones)."""
        found = next((n for n in self._bad if start <= n <= end), None)
        self._bad = [n for n in self._bad if n > end]
        return found


def _utf8_error(label: str, line: int) -> RecordError:
    return RecordError("invalid UTF-8 in the line; save the file as UTF-8", path=label, line=line)
