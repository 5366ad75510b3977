"""Resumable runs: the finished segments of an output and how far the input has been read.

While ``OUT`` is being written, two things sit beside it:

- ``OUT.partial/``: one file per finished segment (``checkpoint_rows`` input records each);
- ``OUT.progress.json``: the records done, the rows each segment holds, and a fingerprint of the
  input file and of every argument that changes the output.

A segment is closed and synced before the progress file (written atomically) counts it, so after
a crash the progress file never claims more than the disk holds. A run with the same fingerprint
reads the progress file, drops any segment it does not count, skips the records done and carries
on; since segments are cut at the same records, the final file is byte for byte the one an
uninterrupted run writes. A different fingerprint starts over.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Checkpoint", "Progress", "fingerprint_file"]

log = logging.getLogger(__name__)

_VERSION = 1
_SAMPLE = 1 << 20


def fingerprint_file(path: Path) -> dict[str, Any]:
    """Size, modification time and a hash of the first and last MiB of ``path`` (fast)."""
    stat = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        digest.update(fh.read(_SAMPLE))
        if stat.st_size > 2 * _SAMPLE:
            fh.seek(-_SAMPLE, os.SEEK_END)
            digest.update(fh.read(_SAMPLE))
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest.hexdigest()}


@dataclass
class Progress:
    """What the progress file records."""

    records: int = 0  # input records done (written, marked or dropped)
    segments: list[int] = field(default_factory=list)  # rows written in each finished segment
    judged: int = 0
    errors: int = 0
    parents_missing: int = 0
    columns: list[str] | None = None  # the CSV header, once written


class Checkpoint:
    """The ``OUT.partial/`` folder and ``OUT.progress.json`` file of one output path."""

    def __init__(self, out: Path, fingerprint: dict[str, Any]) -> None:
        self.out = out
        self.folder = out.with_name(out.name + ".partial")
        self.progress_path = out.with_name(out.name + ".progress.json")
        self.fingerprint = fingerprint

    def segment(self, number: int) -> Path:
        return self.folder / f"segment-{number:06d}"

    def load(self) -> Progress | None:
        """The progress of an earlier run with the same fingerprint, else ``None``."""
        try:
            data = json.loads(self.progress_path.read_text())
        except (OSError, ValueError):
            return None
        if data.get("version") != _VERSION or data.get("fingerprint") != self.fingerprint:
            log.warning(
                "%s belongs to another input or other arguments; starting over", self.progress_path
            )
            return None
        progress = Progress(**data["progress"])
        for number, rows in enumerate(progress.segments):
            if rows and not self.segment(number).exists():
                log.warning("segment %d of %s is missing; starting over", number, self.folder)
                return None
        for extra in self.folder.glob("segment-*"):
            if int(extra.name.split("-")[1]) >= len(progress.segments):
                extra.unlink()
        return progress

    def start(self) -> None:
        """Begin afresh: remove what an earlier run left."""
        self.clear()
        self.folder.mkdir(parents=True)

    def save(self, progress: Progress) -> None:
        """Record ``progress`` atomically."""
        data = {"version": _VERSION, "fingerprint": self.fingerprint, "progress": asdict(progress)}
        tmp = self.progress_path.with_name(self.progress_path.name + ".tmp")
        with open(tmp, "w") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.progress_path)

    def clear(self) -> None:
        """Remove the partial folder and the progress file."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self.progress_path.unlink(missing_ok=True)
        self.progress_path.with_name(self.progress_path.name + ".tmp").unlink(missing_ok=True)
