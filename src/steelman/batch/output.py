"""The output of a run: rows go to segment files, which become ``OUT`` at the end.

See :mod:`steelman.batch.checkpoint` for how segments make a run resumable.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from steelman.batch.checkpoint import Checkpoint, Progress
from steelman.batch.formats import FileFormat
from steelman.batch.writers import SegmentWriter, join_segments, open_segment

__all__ = ["Output"]


class Output:
    """Writes rows in segments of ``checkpoint_rows`` input records and records progress."""

    def __init__(
        self,
        out: Path,
        fmt: FileFormat,
        checkpoint: Checkpoint,
        progress: Progress,
        checkpoint_rows: int,
    ) -> None:
        self.out = out
        self.fmt = fmt
        self.checkpoint = checkpoint
        self.progress = progress
        self.checkpoint_rows = checkpoint_rows
        self._writer: SegmentWriter | None = None
        self._rows = 0

    def add(
        self,
        rows: list[tuple[int, dict[str, Any]]],
        *,
        records: int,
        judged: int,
        errors: int,
        parents_missing: int,
    ) -> None:
        """Write ``rows`` (line, row) standing for ``records`` input records."""
        for line, row in rows:
            if self._writer is None:
                self._writer = self._open()
            self._writer.write(line, row)
            self._rows += 1
        progress = self.progress
        progress.records += records
        progress.judged += judged
        progress.errors += errors
        progress.parents_missing += parents_missing
        if records and progress.records % self.checkpoint_rows == 0:
            self._end_segment()

    def _open(self) -> SegmentWriter:
        number = len(self.progress.segments)
        earlier = next((i for i, rows in enumerate(self.progress.segments) if rows), None)
        return open_segment(
            self.checkpoint.segment(number),
            self.fmt,
            columns=self.progress.columns,
            schema_from=None if earlier is None else self.checkpoint.segment(earlier),
        )

    def _end_segment(self) -> None:
        if self._writer is not None:
            self._writer.close()
            columns = getattr(self._writer, "columns", None)
            if columns is not None:
                self.progress.columns = columns
            self._writer = None
        self.progress.segments.append(self._rows)
        self._rows = 0
        self.checkpoint.save(self.progress)

    def finish(self) -> None:
        """End the last segment, join the segments into ``OUT`` and remove the checkpoint."""
        if self._writer is not None or self.progress.records % self.checkpoint_rows:
            self._end_segment()
        segments = [
            self.checkpoint.segment(i) for i, rows in enumerate(self.progress.segments) if rows
        ]
        if len(segments) == 1 and self.fmt.kind != "parquet":
            os.replace(segments[0], self.out)
        else:
            fd, name = tempfile.mkstemp(prefix=f".{self.out.name}.", dir=self.out.parent)
            os.close(fd)
            try:
                join_segments(segments, Path(name), self.fmt)
                os.replace(name, self.out)
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise
        self.checkpoint.clear()

    def suspend(self) -> None:
        """Stop writing but keep the checkpoint (if it holds any work), so that the same command
        resumes."""
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            self._writer = None
        if not self.progress.segments:
            self.checkpoint.clear()

    def abort(self) -> None:
        """Stop writing and remove everything this output left behind."""
        self.suspend()
        self.checkpoint.clear()
