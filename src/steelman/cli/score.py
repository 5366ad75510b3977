"""``steelman score``: judge every reply of a file (a thin layer over :func:`score_file`)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from steelman.batch import JudgeFactory, ScoreSummary, score_file
from steelman.batch.compat import import_ray
from steelman.cli import cli


@cli.command("score")
@click.argument("in_path", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="Output file: .jsonl, .csv or .parquet (JSONL and CSV may end in .gz or .zst).",
)  # fmt: skip
@click.option("--text-field", default="text", show_default=True, help="Field with the reply.")
@click.option(
    "--parent-field", default="parent", show_default=True,
    help="Field with the parent's text (missing or empty: a top-level reply).",
)  # fmt: skip
@click.option("--id-field", default="id", show_default=True, help="Field with the row's id.")
@click.option(
    "--parent-id-field", default=None,
    help="Find the parent's text by this id field (default: parent_id, when rows have id and"
    " parent_id but no parent field).",
)  # fmt: skip
@click.option(
    "--parent-window", default=100_000, show_default=True, type=click.IntRange(min=1),
    help="Parents by id are found among this many last rows (and recently used parents).",
)  # fmt: skip
@click.option(
    "--parent-index", is_flag=True,
    help="Index every row's text by id in SQLite first, for files whose parents come anywhere.",
)  # fmt: skip
@click.option(
    "--workers", type=click.IntRange(min=1), default=None,
    help="Processes (Ray: actors) that judge, each loading the model once [default: all cores].",
)  # fmt: skip
@click.option("--unordered", is_flag=True, help="Write rows as they are judged, not in order.")
@click.option(
    "--skip-bad", is_flag=True,
    help="Write rows that cannot be judged with {\"error\": ...} and drop unreadable lines,"
    " instead of stopping.",
)  # fmt: skip
@click.option(
    "--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
    help="Judge in local processes, or on Ray (pip install 'steelman[ray]').",
)  # fmt: skip
@click.option(
    "--address", default=None,
    help="Ray cluster: 'auto' or ray://host:10001 [default: start a local one].",
)  # fmt: skip
@click.option("--model", type=click.Path(file_okay=False), default=None, help="Model folder.")
@click.option(
    "--checkpoint-rows", default=4096, show_default=True, type=click.IntRange(min=1),
    help="Save a checkpoint every this many rows (a multiple of 256, or fewer than 256).",
)  # fmt: skip
@click.option("--restart", is_flag=True, help="Ignore the checkpoint of a stopped run.")
def score(
    in_path: Path, out_path: Path, text_field: str, parent_field: str, id_field: str,
    parent_id_field: str | None, parent_window: int, parent_index: bool, workers: int | None,
    unordered: bool, skip_bad: bool, engine: str, address: str | None, model: str | None,
    checkpoint_rows: int, restart: bool,
) -> None:  # fmt: skip
    """Judge the reply in every row of IN and write the rows, each with a "steelman" key, to OUT.

    Rows keep their order. A stopped run resumes when the same command is run again.
    """
    context = click.get_current_context()
    explicit_parent = context.get_parameter_source("parent_field") is not (
        click.core.ParameterSource.DEFAULT
    )
    if engine == "ray":
        _quiet_ray()
    console = Console(stderr=True)
    with _Bar(console) as bar:
        summary = score_file(
            in_path, out_path, JudgeFactory(model),
            text_field=text_field, parent_field=parent_field, parent_required=explicit_parent,
            id_field=id_field, parent_id_field=parent_id_field, parent_window=parent_window,
            parent_index=parent_index, workers=workers, unordered=unordered, skip_bad=skip_bad,
            engine="ray" if engine == "ray" else "local", address=address, resume=not restart,
            checkpoint_rows=checkpoint_rows,
            progress=bar,
        )  # fmt: skip
    click.echo(describe(summary), err=True)


def _quiet_ray() -> None:
    """Keep Ray's own log lines off the terminal: this command reports progress itself."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import_ray()  # Ray Data sets up its loggers on import; quieten them after
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)


def describe(summary: ScoreSummary) -> str:
    """The one-paragraph summary printed at the end of a run."""
    parts = [
        f"scored {summary.rows:,} rows ({summary.judged:,} judged, {summary.errors:,} errors)"
        f" in {summary.seconds:.1f} s: {summary.rate:.1f} replies/s -> {summary.out_path}"
    ]
    if summary.resumed_from:
        parts.append(f"resumed after {summary.resumed_from:,} rows done by an earlier run")
    if summary.parents_missing:
        parts.append(f"{summary.parents_missing:,} parents not found by id (judged without one)")
    return "; ".join(parts)


class _Bar:
    """A progress bar on stderr with rows, replies/s and time left (only on a terminal)."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("scoring"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rows]:,} rows, {task.fields[rate]:.1f}/s"),
            TimeElapsedColumn(),
            TextColumn("elapsed,"),
            TimeRemainingColumn(),
            TextColumn("left"),
            console=console,
            disable=not console.is_terminal,
        )
        self.task: TaskID | None = None
        self.first = 0

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.stop()

    def start(self, *, total: int, unit: str, rows: int) -> None:
        self.first = rows
        self.task = self.progress.add_task("score", total=total, rows=rows, rate=0.0)

    def update(self, *, position: int, rows: int) -> None:
        if self.task is None:
            return
        elapsed = self.progress.tasks[self.task].elapsed or 0.0
        rate = (rows - self.first) / elapsed if elapsed > 0 else 0.0
        self.progress.update(self.task, completed=position, rows=rows, rate=rate)
