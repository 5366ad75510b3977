"""``steelman train`` and ``steelman eval``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from steelman.cli import cli
from steelman.data.labelled import read_cmv, read_wikitactics
from steelman.judge import Judge
from steelman.judge.evaluate import Evaluation, evaluate
from steelman.judge.model import bundled_model_dir
from steelman.judge.training import DEFAULT_DATA_DIR, load_labelled, train_judge
from steelman.levels import LEVELS


@cli.command()
@click.argument("data_dir", required=False, type=click.Path(file_okay=False, exists=True))
@click.option(
    "--out", type=click.Path(file_okay=False), default=None, help="Model directory to write."
)
@click.option("--version", "version", default="1.0.0", show_default=True, help="Model version.")
def train(data_dir: str | None, out: str | None, version: str) -> None:
    """Train the judge on DATA_DIR (default ../shared/data) and write a model directory."""
    target = Path(out) if out else bundled_model_dir()
    _, evals = train_judge(data_dir, target, version=version)
    for ev in evals:
        click.echo(render_eval(ev))
    click.echo(f"model written to {target}")


@cli.command("eval")
@click.option(
    "--wikitactics",
    "wiki",
    type=click.Path(dir_okay=False, exists=True),
    multiple=True,
    help="A WikiTactics-format JSON file (repeatable).",
)
@click.option(
    "--cmv",
    type=click.Path(dir_okay=False, exists=True),
    multiple=True,
    help="A CMV-format JSONL file (repeatable).",
)
@click.option("--model", "model_dir", type=click.Path(file_okay=False), help="A model directory.")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
def eval_(
    wiki: tuple[str, ...], cmv: tuple[str, ...], model_dir: str | None, as_json: bool
) -> None:
    """Measure the judge. With no files: WikiTactics val and the CMV val threads."""
    j = Judge.load(model_dir)
    if wiki or cmv:
        sets = [(Path(f).name, read_wikitactics(f)) for f in wiki]
        sets += [(Path(f).name, list(read_cmv(f))) for f in cmv]
    else:
        data = load_labelled(DEFAULT_DATA_DIR)
        sets = [("wikitactics-val", data.wiki_val), ("cmv-val", data.cmv_val)]
    evals = [evaluate(j, examples, name) for name, examples in sets]
    if as_json:
        click.echo(json.dumps([ev.to_dict() for ev in evals], indent=2))
        return
    for ev in evals:
        click.echo(render_eval(ev))


def render_eval(ev: Evaluation) -> str:
    """Metrics, a per-level table and the confusion matrix, as text."""
    out = [f"== {ev.name} ({ev.n} replies)"]
    out += [f"  {k:<26} {v:.3f}" for k, v in ev.metrics.items()]
    if ev.per_level:
        out += ["", "  level                          prec   rec    F1   n"]
        for lvrow in ev.per_level:
            out.append(
                f"  {lvrow['level']} {lvrow['name']:<27} {lvrow['precision']:.2f}"
                f"  {lvrow['recall']:.2f}  {lvrow['f1']:.2f}  {lvrow['support']}"
            )
        codes = [lv.code for lv in LEVELS]
        out += [
            "",
            "  confusion (rows: truth, columns: predicted)",
            "        " + " ".join(f"{c:>4}" for c in codes),
        ]
        for code, row in zip(codes, ev.confusion, strict=True):
            out.append(f"   {code}  " + " ".join(f"{v:>4}" for v in row))
    return "\n".join(out) + "\n"
