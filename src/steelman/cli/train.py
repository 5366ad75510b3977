"""``steelman train`` and ``steelman eval``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from steelman.cli import cli
from steelman.judge.model import bundled_model_dir

_TEXTBOOK = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "textbook.json"
_TEXTBOOK_OPTION = click.option(
    "--textbook",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Textbook replies to score too (default: the repository's fixture, when present).",
)
_SETS_OPTION = click.option(
    "--sets", default=None, help="Comma-separated data sets to use (default: all)."
)


@cli.command()
@click.argument("data_dir", required=False, type=click.Path(file_okay=False, exists=True))
@click.option(
    "--out", type=click.Path(file_okay=False), default=None, help="Model directory to write."
)
@click.option("--version", "version", default="2.0.0", show_default=True, help="Model version.")
@click.option(
    "--from-state",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Export and measure this fine-tuned checkpoint (torch state dict) instead of training.",
)
@click.option(
    "--refit-from",
    type=click.Path(file_okay=False, exists=True),
    default=None,
    help="Refit the heads of this model directory (its encoder kept) and measure it, instead of"
    " fine-tuning (no torch needed).",
)
@_TEXTBOOK_OPTION
@_SETS_OPTION
@click.option("--steps", type=int, default=None, help="Stop after this many steps (a smoke run).")
def train(
    data_dir: str | None,
    out: str | None,
    version: str,
    from_state: str | None,
    refit_from: str | None,
    textbook: str | None,
    sets: str | None,
    steps: int | None,
) -> None:
    """Fine-tune the judge on DATA_DIR (default ../shared/data) and write a model directory."""
    from steelman.judge.train import DEFAULT_DATA_DIR, train_judge

    target = Path(out) if out else bundled_model_dir()
    book = textbook or (str(_TEXTBOOK) if _TEXTBOOK.is_file() else None)
    domains = tuple(d.strip() for d in sets.split(",")) if sets else None
    if refit_from is not None:
        from steelman.judge.refit import refit_model

        metrics = refit_model(
            refit_from,
            data_dir or DEFAULT_DATA_DIR,
            target,
            version=version,
            textbook_path=book,
            domains=domains,
        )
        click.echo(render_metrics(metrics))
        click.echo(f"model written to {target}")
        return
    from steelman.judge.finetune import FinetuneConfig

    metrics = train_judge(
        data_dir,
        target,
        version=version,
        cfg=FinetuneConfig(limit_steps=steps),
        state=from_state,
        domains=domains,
        textbook_path=book,
    )
    click.echo(render_metrics(metrics))
    click.echo(f"model written to {target}")


@cli.command("eval")
@click.argument("data_dir", required=False, type=click.Path(file_okay=False, exists=True))
@click.option("--model", "model_dir", type=click.Path(file_okay=False), help="A model directory.")
@_TEXTBOOK_OPTION
@_SETS_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option(
    "--check",
    is_flag=True,
    help="Compare with the card's figures for this CPU's kernels and the fixed quality floors;"
    " exit 1 naming each figure that fails.",
)
def eval_(
    data_dir: str | None,
    model_dir: str | None,
    textbook: str | None,
    sets: str | None,
    as_json: bool,
    check: bool,
) -> None:
    """Measure the judge on the dev splits of DATA_DIR (default ../shared/data), as its card.
    Prints the CPU and the encoder kernels the figures come from."""
    from steelman.data.corpus import read_corpus
    from steelman.judge import Judge
    from steelman.judge.checks import card_figures, check_figures
    from steelman.judge.evaluate import evaluate
    from steelman.judge.evaluate import textbook as score_textbook
    from steelman.judge.network import cpu_flags
    from steelman.judge.train import DEFAULT_DATA_DIR, dev_samples

    j = Judge.load(model_dir)
    domains = tuple(d.strip() for d in sets.split(",")) if sets else None
    samples = read_corpus(Path(data_dir) if data_dir else DEFAULT_DATA_DIR, domains)
    metrics: dict[str, Any] = {"dev": evaluate(j, dev_samples(samples))}
    book = textbook or (str(_TEXTBOOK) if _TEXTBOOK.is_file() else None)
    if book:
        metrics["textbook"] = score_textbook(j, book)
    kernels = j.model.network.kernels
    metrics["runtime"] = {"cpu": cpu_flags()[0], "kernels": kernels}
    problems = check_figures(metrics, card_figures(j.model.config, kernels)) if check else []
    if check:
        metrics["check"] = {"passed": not problems, "problems": problems}
    if as_json:
        click.echo(json.dumps(metrics, indent=2))
    else:
        click.echo(render_metrics(metrics))
        if check:
            click.echo("")
            click.echo("Check against the card: " + ("passed" if not problems else "FAILED"))
            for line in problems:
                click.echo(f"  {line}")
    if problems:
        raise SystemExit(1)


def render_metrics(metrics: dict[str, Any]) -> str:
    """The figures as text: ROC-AUC per head and domain, levels, acts, spans, textbook."""
    dev = metrics.get("dev", {})
    rt = metrics.get("runtime")
    out = [f"CPU: {rt['cpu']}; encoder kernels: {rt['kernels']}", ""] if rt else []
    out.append("ROC-AUC on the dev splits")
    for head, per in dev.get("roc_auc", {}).items():
        cells = ", ".join(f"{d} {f['roc_auc']:.3f} (n={f['n']})" for d, f in per.items())
        out.append(f"  {head:<16} {cells}")
    lv = dev.get("levels")
    if lv:
        lo, hi = lv["level_macro_f1_ci"]
        wlo, whi = lv["within_one_ci"]
        out += [
            "",
            f"Levels (WikiTactics val, {lv['n_replies']} replies,"
            f" {lv['n_conversations']} conversations)",
            f"  macro-F1 over seven levels {lv['level_macro_f1']:.3f} (95% {lo:.3f}-{hi:.3f})",
            f"  within one level           {lv['within_one']:.3f} (95% {wlo:.3f}-{whi:.3f})",
            "  per level F1: " + ", ".join(f"{k} {v:.2f}" for k, v in lv["per_level_f1"].items()),
            "  confusion (rows: truth DH0..DH6; columns: predicted DH0..DH6, none)",
        ]
        out += ["    " + " ".join(f"{v:>4}" for v in row) for row in lv["confusion"][:7]]
    acts = dev.get("acts")
    if acts:
        per = ", ".join(f"{a} {f:.2f}" for a, f in acts["per_act_f1"].items())
        out += ["", f"Acts macro-F1 {acts['macro_f1']:.3f}: {per}"]
    sp = dev.get("spans")
    if sp:
        out += [
            "",
            f"Toxic spans (n={sp['n']}): span-head F1 {sp['span_head_f1']:.3f},"
            f" all evidence F1 {sp['evidence_f1']:.3f}",
        ]
    tb = metrics.get("textbook")
    if tb:
        out += [
            "",
            f"Textbook ({tb['n']} replies): exact level {tb['level_exact']:.3f},"
            f" act {tb['act_exact']:.3f}",
            "  " + ", ".join(f"{k} {v:.2f}" for k, v in tb["per_expected"].items()),
        ]
    return "\n".join(out) + "\n"
