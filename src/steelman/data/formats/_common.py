"""Pieces every format reader shares: opening (compressed) files, fields, times, errors."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

from steelman.data.comments import Comment
from steelman.data.jsonl import parse_jsonl_line
from steelman.errors import RecordError

__all__ = [
    "COMPRESSED",
    "Item",
    "Reader",
    "as_id",
    "decompression_errors",
    "iter_json_lines",
    "missing_field",
    "open_binary",
    "parse_time",
    "read_json_records",
]

#: What a reader yields: a comment, or the error of one bad record (the caller raises or skips).
Item = Comment | RecordError
Reader = Callable[..., Iterator[Item]]

COMPRESSED = (".zst", ".gz", ".bz2", ".xz")
# Real Reddit dumps are compressed with --long=31; the default window limit refuses them.
ZSTD_MAX_WINDOW = 2**31


@contextmanager
def open_binary(path: Path) -> Iterator[IO[bytes]]:
    """Open ``path`` for binary reading, decompressing ``.zst``, ``.gz``, ``.bz2`` and ``.xz``."""
    suffix = path.suffix.lower()
    with open(path, "rb") as raw:
        if suffix == ".zst":
            import zstandard

            reader = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW).stream_reader(
                raw, read_across_frames=True
            )
            with io.BufferedReader(reader) as fh:
                yield fh
        elif suffix == ".gz":
            with gzip.open(raw, "rb") as gz:
                yield cast(IO[bytes], gz)
        elif suffix == ".bz2":
            with bz2.open(raw, "rb") as bz:
                yield cast(IO[bytes], bz)
        elif suffix == ".xz":
            with lzma.open(raw, "rb") as xz:
                yield cast(IO[bytes], xz)
        else:
            yield raw


def decompression_errors() -> tuple[type[BaseException], ...]:
    """What reading a corrupt or truncated compressed file raises."""
    import zstandard

    return (zstandard.ZstdError, gzip.BadGzipFile, lzma.LZMAError, EOFError, OSError)


def iter_json_lines(
    fh: IO[bytes], label: str
) -> Iterator[tuple[int, dict[str, Any] | RecordError]]:
    """Yield ``(line, object)`` per non-blank line, or ``(line, error)`` for a line that is bad.

    A corrupt compressed stream cannot be read past, so it raises :class:`RecordError`.
    """
    number = 0
    lines = iter(fh)
    while True:
        try:
            raw = next(lines)
        except StopIteration:
            return
        except decompression_errors() as exc:
            raise RecordError(
                f"cannot decompress after line {number} ({exc}); the file is truncated or corrupt",
                path=label,
                line=number + 1,
            ) from exc
        number += 1
        try:
            obj = parse_jsonl_line(raw, path=label, line=number)
        except RecordError as err:
            yield number, err
            continue
        if obj is not None:
            yield number, obj


def read_json_records(
    source: Path, make: Callable[[dict[str, Any], str, int], Comment]
) -> Iterator[Item]:
    """Stream a JSON-lines file (compressed or not) through ``make(object, label, line)``,
    yielding each comment, or the error of each bad line or record."""
    label = str(source)
    with open_binary(source) as fh:
        for line, obj in iter_json_lines(fh, label):
            if isinstance(obj, RecordError):
                yield obj
                continue
            try:
                comment = make(obj, label, line)
            except RecordError as err:
                yield err
                continue
            if comment.line is None:
                comment.line = line
            yield comment


def missing_field(name: str, obj: dict[str, Any], *, path: str, line: int | None) -> RecordError:
    """The error for a record without a required field, listing the fields it has."""
    seen = ", ".join(sorted(obj)) or "none"
    return RecordError(
        f"missing field {name!r}; fields seen: {seen}", path=path, line=line, field=name
    )


def as_id(value: Any, *, name: str, path: str, line: int | None) -> str | None:
    """An id as a string: strings and integers pass, empty and null give ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RecordError(
            f"expected a string or an integer id, found {type(value).__name__}",
            path=path,
            line=line,
            field=name,
        )
    return str(value)


def parse_time(value: Any, *, name: str, path: str, line: int | None) -> datetime | None:
    """A time from ISO 8601 text or epoch seconds (number or digits), always in UTC."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value, tz=UTC)
        if isinstance(value, str):
            text = value.strip()
            if text.replace(".", "", 1).isdigit():
                return datetime.fromtimestamp(float(text), tz=UTC)
            moment = datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        raise TypeError
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise RecordError(
            f"cannot read {value!r} as a time; use ISO 8601 or epoch seconds",
            path=path,
            line=line,
            field=name,
        ) from exc
