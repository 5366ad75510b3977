"""Many threads, one row each: the moderator's triage table (:func:`summarise`,
:func:`write_summary`)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from steelman.errors import InputError, MissingDependency
from steelman.threads._io import atomic_output
from steelman.threads.analyse import JudgeLike, ThreadLike, analyse_threads
from steelman.threads.escalation import EscalationModel
from steelman.threads.report import LEVEL_CODES, ThreadReport

__all__ = ["SUMMARY_COLUMNS", "SummaryRow", "summarise", "summary_row", "write_summary"]

SUMMARY_COLUMNS: tuple[str, ...] = (
    "thread",
    "risk",
    *LEVEL_CODES,
    "none",
    "turning_index",
    "turning_id",
    "rose_index",  # the reply after which the risk rose most
    "rose_id",
    "comments",
    "participants",
)
SummaryRow = dict[str, Any]


def summary_row(report: ThreadReport) -> SummaryRow:
    """One row of the triage table for a thread (keys: :data:`SUMMARY_COLUMNS`, in order)."""
    tp = report.turning_point
    row: SummaryRow = {
        "thread": report.thread_id,
        "risk": None if report.risk is None else round(report.risk, 4),
    }
    row.update(report.shape.levels)
    row["none"] = report.shape.none
    row["turning_index"] = tp.index if tp else None
    row["turning_id"] = tp.comment_id if tp else None
    row["rose_index"] = report.rise.index if report.rise else None
    row["rose_id"] = report.rise.comment_id if report.rise else None
    row["comments"] = len(report.replies)
    row["participants"] = len(report.participants)
    return row


def summarise(
    threads: Iterable[ThreadLike],
    judge: JudgeLike,
    escalation_model: EscalationModel | None = None,
    *,
    batch_comments: int = 256,
) -> Iterator[SummaryRow]:
    """A summary row per thread, in input order (``escalation_model`` defaults to the bundled)."""
    for report in analyse_threads(threads, judge, escalation_model, batch_comments=batch_comments):
        yield summary_row(report)


def _by_risk(rows: Iterable[SummaryRow]) -> list[SummaryRow]:
    """Highest risk first; rows without a risk last; ties keep their order."""
    return sorted(rows, key=lambda r: -r["risk"] if r["risk"] is not None else float("inf"))


def write_summary(rows: Iterable[SummaryRow], path: str | Path) -> int:
    """Write the rows, sorted by risk (highest first), to ``.csv`` or ``.parquet`` atomically.

    Returns the number of rows written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise InputError(f"cannot write a summary to {path}: name it .csv or .parquet")
    ordered = _by_risk(rows)
    with atomic_output(path) as tmp:
        if suffix == ".csv":
            _write_csv(ordered, tmp)
        else:
            _write_parquet(ordered, tmp)
    return len(ordered)


def _write_csv(rows: Sequence[SummaryRow], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=SUMMARY_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row[k] is None else row[k] for k in SUMMARY_COLUMNS})


def _write_parquet(rows: Sequence[SummaryRow], path: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingDependency("pyarrow", "parquet", "Writing a Parquet summary") from exc
    types = {
        "thread": pa.string(),
        "risk": pa.float64(),
        "turning_id": pa.string(),
        "rose_id": pa.string(),
    }
    schema = pa.schema([(k, types.get(k, pa.int64())) for k in SUMMARY_COLUMNS])
    table = pa.table({k: [r[k] for r in rows] for k in SUMMARY_COLUMNS}, schema=schema)
    pq.write_table(table, path)
