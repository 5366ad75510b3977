"""``steelman judge``: judge one reply from the command line."""

from __future__ import annotations

import json
import sys

import click

from steelman.cli import cli
from steelman.judge import Judge, Judgement
from steelman.levels import LEVELS, act


@cli.command()
@click.argument("text", required=False)
@click.option("--parent", help="The comment this reply answers.")
@click.option("--model", "model_dir", type=click.Path(file_okay=False), help="A model directory.")
@click.option("--json", "as_json", is_flag=True, help="Print the judgement as JSON.")
def judge(text: str | None, parent: str | None, model_dir: str | None, as_json: bool) -> None:
    """Judge TEXT (or standard input when TEXT is '-' or missing)."""
    if text is None or text == "-":
        text = sys.stdin.read()
    j = Judge.load(model_dir)(text, parent=parent)
    if as_json:
        click.echo(json.dumps(j.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render(j, text))


def render(j: Judgement, text: str) -> str:
    """A plain-text report of one judgement."""
    lines = [f"{j.label}" + ("" if j.level else f" (closest level: {j.top_level})")]
    lines.append(f"  disagreement {j.disagreement:.0%} · attack on the person {j.attack:.0%}")
    bars = []
    for lv in reversed(LEVELS):
        p = j.scores[lv.code]
        bars.append(f"  {lv.code} {lv.name:<27} {'█' * round(p * 30):<30} {p:5.1%}")
    lines += ["", "Levels (if it is a disagreement):", *bars]
    acts = j.main_acts()
    if acts:
        lines += [
            "",
            "Also: " + ", ".join(f"{act(a).name.lower()} ({j.acts[a]:.0%})" for a in acts),
        ]
    if j.because:
        lines += ["", "Because:"]
        lines += [f"  “{e.text}” ({e.start}-{e.end}): {e.reason}" for e in j.because]
    lines += [
        "",
        f"Suggestion: {j.suggestion}",
        "",
        f"model {j.model['name']} {j.model['version']}",
    ]
    return "\n".join(lines)
