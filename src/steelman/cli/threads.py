"""``steelman thread``, ``steelman threads`` and ``steelman train-escalation``: thread analysis."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from steelman.cli import cli
from steelman.data.formats import FORMATS, read_comments
from steelman.threads import (
    EscalationModel,
    analyse_thread,
    iter_threads,
    render_html,
    render_png,
    render_terminal,
    summarise,
    train_escalation,
    write_summary,
)
from steelman.threads._io import atomic_output
from steelman.threads.analyse import JudgeLike
from steelman.threads.escalation import bundled_escalation_dir, load_bundled_escalation
from steelman.threads.grouping import pick_thread

_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", *FORMATS]),
    default="auto",
    show_default=True,
    help="Input format; auto tells it from the file name and first bytes.",
)
_MODEL = click.option(
    "--escalation-model",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Escalation model directory (default: the bundled model).",
)
_SKIP_BAD = click.option(
    "--skip-bad", is_flag=True, help="Skip malformed records (counted) instead of stopping."
)
_OUT_PATH = click.Path(dir_okay=False, path_type=Path)


def _load_judge() -> JudgeLike:
    """The bundled judge (a seam: tests replace it with a stand-in)."""
    from steelman.judge import Judge

    judge: JudgeLike = Judge.load()
    return judge


def _escalation(path: Path | None) -> EscalationModel:
    return EscalationModel.load(path) if path is not None else load_bundled_escalation()


@cli.command("thread")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--thread", "thread_id", default=None, help="The thread to analyse, by id.")
@_FORMAT
@click.option("--html", "html_out", type=_OUT_PATH, help="Write a self-contained HTML report.")
@click.option("--png", "png_out", type=_OUT_PATH, help="Draw the pyramid into a PNG file.")
@click.option("--json", "json_out", type=_OUT_PATH, help="Write the full report as JSON.")
@_MODEL
@_SKIP_BAD
def thread_command(
    file: Path,
    thread_id: str | None,
    fmt: str,
    html_out: Path | None,
    png_out: Path | None,
    json_out: Path | None,
    escalation_model: Path | None,
    skip_bad: bool,
) -> None:
    """Judge every comment of one thread in context and describe the thread: its shape on
    Graham's pyramid, each participant, the timeline and turning point, and escalation risk."""
    with read_comments(file, format=fmt, skip_bad=skip_bad) as comments:
        chosen = pick_thread(comments, thread_id)
    report = analyse_thread(chosen, _load_judge(), _escalation(escalation_model))
    Console().print(render_terminal(report))
    if json_out is not None:
        with atomic_output(json_out) as tmp:
            tmp.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
        click.echo(f"JSON report written to {json_out}")
    if html_out is not None:
        with atomic_output(html_out) as tmp:
            tmp.write_text(render_html(report), encoding="utf-8")
        click.echo(f"HTML report written to {html_out}")
    if png_out is not None:
        render_png(report, png_out)
        click.echo(f"pyramid written to {png_out}")


@cli.command("threads")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    type=_OUT_PATH,
    required=True,
    help="Summary table to write: .csv or .parquet (one row per thread, riskiest first).",
)
@_FORMAT
@_MODEL
@_SKIP_BAD
@click.option(
    "--batch", default=256, show_default=True, help="Comments per judge call (whole threads)."
)
def threads_command(
    source: Path,
    out: Path,
    fmt: str,
    escalation_model: Path | None,
    skip_bad: bool,
    batch: int,
) -> None:
    """Analyse every thread in a file or directory and write the moderator's triage table."""
    model = _escalation(escalation_model)
    with read_comments(source, format=fmt, skip_bad=skip_bad) as comments:
        rows = list(summarise(iter_threads(comments), _load_judge(), model, batch_comments=batch))
        skipped = comments.skipped
    n = write_summary(rows, out)
    top = sorted(rows, key=lambda r: -(r["risk"] or 0.0))[:10]
    table = Table(title=f"Riskiest threads (of {n})", title_justify="left")
    for col in ("thread", "risk", "rose most at", "comments", "attacks", "turning point"):
        table.add_column(col)
    for r in top:
        turn = f"#{r['turning_index']}" if r["turning_id"] else "-"
        rose = f"#{r['rose_index']}" if r["rose_id"] else "-"
        risk = f"{r['risk']:.0%}" if r["risk"] is not None else "-"
        table.add_row(
            Text(r["thread"]),
            risk,
            rose,
            str(r["comments"]),
            str(r["DH0"] + r["DH1"]),
            Text(turn),
        )
    Console().print(table)
    note = f" ({skipped} bad records skipped)" if skipped else ""
    click.echo(f"{n} threads written to {out}{note}")


@cli.command("train-escalation")
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("../shared/data"),
    show_default=True,
    help="Folder holding cga/wiki.jsonl, cga/cmv.jsonl and wikitactics/train.json, val.json.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=bundled_escalation_dir(),
    help="Model directory to write (default: the bundled model).",
)
@click.option("--resamples", default=1000, show_default=True, help="Bootstrap resamples.")
@click.option(
    "--cv-repeats", default=3, show_default=True, help="Repeats of grouped 5-fold CV on CGA."
)
@click.option("--seed", default=0, show_default=True, help="Seed for folds and resamples.")
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Keep the judge's answers in this JSON-lines file and reuse them on the next run.",
)
def train_escalation_command(
    data: Path, out: Path, resamples: int, cv_repeats: int, seed: int, cache: Path | None
) -> None:
    """Fit the escalation forecast on Conversations Gone Awry (judging every comment first);
    report grouped cross-validation on each corpus and the check on WikiTactics."""
    _, metrics = train_escalation(
        data,
        _load_judge(),
        out,
        resamples=resamples,
        cv_repeats=cv_repeats,
        seed=seed,
        cache=cache,
    )
    _print_metrics(metrics)
    click.echo(f"escalation model written to {out}")


def _iv(v: dict[str, Any]) -> str:
    return f"{v['value']:.3f} ({v['low']:.3f}-{v['high']:.3f})"


def _print_metrics(metrics: dict[str, Any]) -> None:
    cga, wt = metrics["cga"], metrics["wikitactics"]
    table = Table(title="Conversations Gone Awry, grouped 5-fold CV (95% intervals)")
    table.add_column("score")
    for name in cga:
        table.add_column(f"{name} accuracy")
        table.add_column(f"{name} ROC-AUC")
    for score in next(iter(cga.values()))["auc"]:
        cells = [_iv(m[k][score]) for m in cga.values() for k in ("accuracy", "auc")]
        table.add_row(score, *cells)
    Console().print(table)
    table = Table(title="WikiTactics escalation to mediation, ROC-AUC (95% intervals)")
    table.add_column("score")
    for split, m in wt.items():
        sample = "judge in-sample" if m["judge_in_sample"] else "judge out-of-sample"
        table.add_column(f"{split}, {m['conversations']} ({sample})")
    for score in next(iter(wt.values()))["auc"]:
        table.add_row(score, *[_iv(m["auc"][score]) for m in wt.values()])
    Console().print(table)
