"""File formats of the batch scorer, told by the file name: JSONL, CSV or Parquet, with JSONL and
CSV optionally compressed as ``.gz`` or ``.zst``.

Parquet compresses inside the file, so ``.parquet.gz`` and ``.parquet.zst`` are refused.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, cast

from steelman.batch.compat import import_zstandard
from steelman.errors import InputError, RecordError

__all__ = [
    "FileFormat",
    "corrupt_error",
    "corrupt_stream",
    "open_compressed_reader",
    "open_compressed_writer",
]

Kind = Literal["jsonl", "csv", "parquet"]
Compression = Literal["none", "gz", "zst"]

_KINDS: dict[str, Kind] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_COMPRESSIONS: dict[str, Compression] = {".gz": "gz", ".gzip": "gz", ".zst": "zst", ".zstd": "zst"}


@dataclass(frozen=True)
class FileFormat:
    """What a file holds (``kind``) and how it is compressed (``compression``)."""

    kind: Kind
    compression: Compression = "none"

    @classmethod
    def of(cls, path: str | Path) -> FileFormat:
        """The format named by ``path``'s suffixes, e.g. ``replies.jsonl.zst``."""
        name = Path(path).name.lower()
        compression: Compression = "none"
        for suffix, comp in _COMPRESSIONS.items():
            if name.endswith(suffix):
                compression, name = comp, name[: -len(suffix)]
                break
        kind = next((k for suffix, k in _KINDS.items() if name.endswith(suffix)), None)
        if kind is None:
            raise InputError(
                f"{path}: cannot tell the format from the name; use .jsonl, .csv or .parquet"
                " (JSONL and CSV may end in .gz or .zst)"
            )
        if kind == "parquet" and compression != "none":
            raise InputError(
                f"{path}: Parquet is compressed inside the file; name it .parquet without"
                f" .{compression}"
            )
        return cls(kind, compression)


@contextmanager
def open_compressed_reader(
    path: Path, compression: Compression
) -> Iterator[tuple[IO[bytes], IO[bytes]]]:
    """Open ``path`` for reading: yields ``(decompressed stream, raw file)``.

    The raw file's ``tell()`` says how far into the file the reader has come (for progress).
    """
    with open(path, "rb") as raw:
        stream: IO[bytes]
        if compression == "gz":
            stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
        elif compression == "zst":
            zstd = import_zstandard()
            reader = zstd.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            stream = io.BufferedReader(reader)
        else:
            stream = raw
        yield stream, raw


def corrupt_stream(exc: Exception) -> bool:
    """Whether ``exc`` comes from corrupt or truncated compressed data."""
    if isinstance(exc, (gzip.BadGzipFile, EOFError, zlib.error)):
        return True
    return type(exc).__name__ == "ZstdError"


def corrupt_error(path: Path, line: int, exc: Exception) -> RecordError:
    """A :class:`RecordError` for compressed data that breaks off after ``line``."""
    return RecordError(
        f"the compressed data is corrupt or truncated after this line ({exc})",
        path=str(path),
        line=line,
    )


class _ZstdFile(io.RawIOBase):
    """A write-only file that compresses into one zstd frame, ended by :meth:`close`."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        zstd = import_zstandard()
        self._raw = raw
        self._writer = zstd.ZstdCompressor(level=3).stream_writer(raw, closefd=False)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._writer.write(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._writer.close()
        super().close()


def open_compressed_writer(raw: IO[bytes], compression: Compression) -> IO[bytes]:
    """Wrap an open binary file for writing one gzip member or zstd frame (closing ends it).

    Closing the returned stream does not close ``raw``. Output bytes depend only on the data
    (gzip's timestamp is 0), so the same rows always give the same file.
    """
    if compression == "gz":
        gz = gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=6, mtime=0)
        return cast(IO[bytes], gz)
    if compression == "zst":
        return _ZstdFile(raw)  # type: ignore[return-value]
    return _Unclosing(raw)  # type: ignore[return-value]


class _Unclosing(io.RawIOBase):
    """Writes straight through to ``raw``; closing it leaves ``raw`` open."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._raw.write(data)
        return len(data)
