"""Writing scored rows: one segment file at a time, and joining segments into the output.

Every format writes the judgement under the ``steelman`` key: a JSON object in JSONL, JSON text
in a CSV column and in a Parquet string column (so rows with ``{"error": ...}`` fit the same
column). Other CSV values that are not text are written as JSON (``null`` as an empty field).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import decimal
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Protocol

from steelman.batch.compat import import_pyarrow, import_pyarrow_parquet
from steelman.batch.formats import FileFormat, open_compressed_writer
from steelman.errors import RecordError

__all__ = ["SegmentWriter", "join_segments", "open_segment", "to_json"]

KEY = "steelman"


def _default(value: object) -> object:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


def to_json(value: object) -> str:
    """``value`` as compact JSON text (dates as ISO 8601, bytes as base64)."""
    return json.dumps(value, ensure_ascii=False, default=_default)


class SegmentWriter(Protocol):
    """Writes the rows of one segment; ``close`` makes the file complete and durable."""

    def write(self, line: int, row: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


def open_segment(
    path: Path, fmt: FileFormat, *, columns: list[str] | None, schema_from: Path | None
) -> SegmentWriter:
    """A writer for segment file ``path``.

    ``columns`` is the CSV header (``None`` for the first segment with rows: write one);
    ``schema_from`` is an earlier Parquet segment whose columns later ones must match.
    """
    if fmt.kind == "parquet":
        return _ParquetSegment(path, schema_from)
    if fmt.kind == "csv":
        return _CsvSegment(path, fmt, columns)
    return _JsonlSegment(path, fmt)


class _ByteSegment:
    def __init__(self, path: Path, fmt: FileFormat) -> None:
        self._raw = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._stream = open_compressed_writer(self._raw, fmt.compression)

    def close(self) -> None:
        self._stream.close()
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()


class _JsonlSegment(_ByteSegment):
    def write(self, line: int, row: dict[str, Any]) -> None:
        try:
            text = to_json(row)
        except TypeError as exc:
            raise RecordError(str(exc), line=line) from exc
        self._stream.write(text.encode("utf-8") + b"\n")


class _CsvSegment(_ByteSegment):
    def __init__(self, path: Path, fmt: FileFormat, columns: list[str] | None) -> None:
        super().__init__(path, fmt)
        self.columns = columns
        self._csv = csv.writer(_Encoder(self._stream), lineterminator="\n")
        self._write_header = columns is None

    def write(self, line: int, row: dict[str, Any]) -> None:
        if self.columns is None:
            self.columns = list(row)
        if self._write_header:
            self._csv.writerow(self.columns)
            self._write_header = False
        extra = [key for key in row if key not in self.columns]
        if extra:
            raise RecordError(
                f"field {extra[0]!r} is not a column of the first row; CSV output needs the same"
                " fields in every row (write JSONL instead)",
                line=line,
            )
        self._csv.writerow([_cell(row.get(name)) for name in self.columns])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return to_json(value)


class _Encoder:
    """The ``write(str)`` that :func:`csv.writer` needs, over a binary stream."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(text.encode("utf-8"))


class _ParquetSegment:
    """Buffers one segment's rows and writes them as one Parquet file (one row group)."""

    def __init__(self, path: Path, schema_from: Path | None) -> None:
        self.path = path
        self.schema_from = schema_from
        self.rows: list[dict[str, Any]] = []
        self.lines: list[int] = []

    def write(self, line: int, row: dict[str, Any]) -> None:
        self.rows.append({**row, KEY: to_json(row[KEY])})
        self.lines.append(line)

    def close(self) -> None:
        if not self.rows:
            return
        pa, pq = import_pyarrow(), import_pyarrow_parquet()
        schema = pq.read_schema(self.schema_from) if self.schema_from else None
        try:
            table = pa.Table.from_pylist(self.rows, schema=schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError, KeyError) as exc:
            raise RecordError(
                f"rows up to line {self.lines[-1]} do not fit the Parquet columns of the first"
                f" rows ({exc}); write JSONL instead",
                line=self.lines[0],
            ) from exc
        pq.write_table(table, self.path)


def join_segments(segments: Sequence[Path], dest: Path, fmt: FileFormat) -> None:
    """Write the segments, in order, as one file at ``dest``."""
    if fmt.kind != "parquet":
        with open(dest, "wb") as out:
            for segment in segments:
                with open(segment, "rb") as part:
                    shutil.copyfileobj(part, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        return
    pa, pq = import_pyarrow(), import_pyarrow_parquet()
    if not segments:
        pq.write_table(pa.table({KEY: pa.array([], pa.string())}), dest)
        return
    schema = pq.read_schema(segments[0])
    with pq.ParquetWriter(dest, schema) as writer:
        for segment in segments:
            part = pq.ParquetFile(segment)
            for group in range(part.num_row_groups):
                writer.write_table(part.read_row_group(group))
