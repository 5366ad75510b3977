"""The escalation model's card: a README.md written beside its weights at train time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from steelman.threads._io import atomic_output
from steelman.threads.escalation import EscalationModel

__all__ = ["render_card", "write_card"]


def _iv(v: dict[str, Any] | None) -> str:
    return "-" if v is None else f"{v['value']:.3f} ({v['low']:.3f}-{v['high']:.3f})"


def _cga_rows(cga: dict[str, dict[str, Any]]) -> list[str]:
    names = list(next(iter(cga.values()), {}).get("auc", {}))
    rows = []
    for name in names:
        cells = [
            f"{_iv(m['accuracy'].get(name))} | {_iv(m['auc'].get(name))}" for m in cga.values()
        ]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return rows


def _wt_rows(wt: dict[str, dict[str, Any]]) -> list[str]:
    names = list(next(iter(wt.values()), {}).get("auc", {}))
    return [
        f"| {name} | " + " | ".join(_iv(m["auc"].get(name)) for m in wt.values()) + " |"
        for name in names
    ]


def _targets(cga: dict[str, dict[str, Any]], wt: dict[str, dict[str, Any]]) -> list[str]:
    """The issue's targets beside the measured figures, met or not."""
    lines = []
    for name, m in cga.items():
        acc = m["accuracy"].get("escalation model")
        if acc is not None:
            met = "met" if acc["value"] >= 0.70 else "not met"
            lines.append(f"- CGA {name} accuracy >= 0.70: {_iv(acc)}, {met}.")
    val = wt.get("val", {}).get("auc", {}).get("escalation model")
    if val is not None:
        lines.append(
            f"- WikiTactics ROC-AUC >= 0.75 on the withheld disputes: not measurable here; on"
            f" val (17 disputes) {_iv(val)}, an interval too wide to say either way."
        )
    lines.append(
        "- Published forecasters on these sets reach accuracy in the mid-60s percent; this"
        " model reads only the judge's per-comment outputs and a few text cues."
    )
    return lines


def render_card(model: EscalationModel) -> str:
    """The model card (Markdown) from the provenance stored in the model's config."""
    info = model.info
    m: dict[str, Any] = info.get("metrics", {})
    cga: dict[str, dict[str, Any]] = m.get("cga", {})
    wt: dict[str, dict[str, Any]] = m.get("wikitactics", {})
    first = next(iter(cga.values()), {}).get("auc", {}).get("escalation model", {})
    weights = [
        f"| `{f}` | {c:+.3f} | {mu:.3f} | {sd:.3f} |"
        for f, c, mu, sd in zip(model.features, model.coef, model.mean, model.scale, strict=True)
    ]
    data = info.get("training_data", {})
    judge = info.get("judge", {})
    corpora = ", ".join(
        f"{name}: {v['conversations']} conversations ({v['derailed']} derail; {v['groups']}"
        f" groups by first comment; {v.get('left_out', 0)} left out, see below)"
        for name, v in cga.items()
    )
    wt_sizes = ", ".join(
        f"{split} {v['conversations']} ({v['escalated']} escalated)" for split, v in wt.items()
    )
    return "\n".join(
        [
            f"# {model.name} {model.version}",
            "",
            "A forecast, from a discussion's comments so far, that it turns to personal attacks:"
            " a logistic regression over thread features read from the judge's per-comment"
            " outputs (the trajectory of attack, toxicity and disagreement: highest, latest and"
            " trend; the mix of levels; questions; reply depth; length), never from the comment"
            " it predicts. Fitted with scikit-learn at train time; stored as data (`config.json`"
            " + `weights.npz`) and applied with numpy. Reproduce it with"
            " `steelman train-escalation`.",
            "",
            "## Training data",
            "",
            "Conversations Gone Awry (Zhang et al. 2018; Chang & Danescu-Niculescu-Mizil 2019;"
            " the validation splits as preprocessed by Kementchedjhieva & Søgaard 2021), read"
            f" from `context` only: {corpora}. WikiTactics (de Kock, Stafford & Vlachos, EMNLP"
            f" 2022), `escalation_label`: {wt_sizes}, is measured on, never fitted on.",
            "",
            *[f"- `{name}` sha256 `{digest}`" for name, digest in data.items()],
            f"- judge: {judge.get('name', '?')} {judge.get('version', '?')}; judged training"
            f" features sha256 `{info.get('features_sha256', '?')}` (retrain when the judge"
            " changes: the features, and so this hash, change with it)",
            "",
            "## Cross-fitting",
            "",
            "Every input comes from the judge, so every input must come from a judge that did"
            " not train on that conversation. The judge never trained on CGA: its outputs there"
            " are out-of-sample, as they are in use, and the model is fitted on CGA alone. A"
            " CGA conversation with a comment that is also in one of the judge's other training"
            " sets (matched on its letters and digits; r/ChangeMyView threads reappear in"
            " cmv-attacks and Ruddit) is left out of fitting and of every figure. The"
            " judge did train on WikiTactics train, where it reads replies far better than on"
            " new ones, so the model is not fitted on WikiTactics at all: val, which the judge"
            " did not see, is the honest check; train is shown beside it, judged in-sample (so"
            " optimistic). The 31 withheld WikiTactics test disputes are not here: that check"
            " is for whoever holds them.",
            "",
            "## Quality",
            "",
            f"Conversations Gone Awry, grouped stratified 5-fold cross-validation over both"
            f" corpora (out-of-fold predictions, scored per corpus; accuracy at 0.5), with"
            f" {round(first.get('level', 0.95) * 100)}% percentile bootstrap intervals"
            f" ({first.get('resamples', '?')} resamples over conversations, the same for every"
            " row). Baselines are one-feature logistic regressions; the row without trajectory"
            " features is Escalation 1's feature set (less the author features), fitted the"
            " same way: the ablation that keeps the trajectory features; the row without text"
            " cues drops the politeness and directness cues read from the text (please, thanks,"
            " hedges, why-questions, opening with you, exclamations). Differences smaller than"
            " the intervals are not evidence either way.",
            "",
            "| score | " + " | ".join(f"{n} accuracy | {n} ROC-AUC" for n in cga) + " |",
            "|---|" + "---|---|" * len(cga),
            *_cga_rows(cga),
            "",
            "WikiTactics: does the attack forecast rank the disputes that escalated to"
            " mediation? ROC-AUC with the same intervals (the model applied as it is).",
            "",
            "| score | "
            + " | ".join(
                f"{s} ({'judge in-sample' if v.get('judge_in_sample') else 'judge out-of-sample'})"
                for s, v in wt.items()
            )
            + " |",
            "|---|" + "---|" * len(wt),
            *_wt_rows(wt),
            "",
            f"Regularisation C = {m.get('c', '?')}, picked by {m.get('cv_repeats', '?')} x"
            f" grouped 5-fold cross-validation on CGA (mean fold AUC by C:"
            f" {m.get('cv_auc_by_c', {})}); picking C on the same folds makes the figures"
            " above very slightly optimistic.",
            "",
            "## Against the targets",
            "",
            *_targets(cga, wt),
            "",
            "## Weights (on standardised features)",
            "",
            "| feature | coefficient | mean | scale |",
            "|---|---|---|---|",
            *weights,
            f"| intercept | {model.intercept:+.3f} | | |",
            "",
            "## Limits",
            "",
            "Learned from Wikipedia talk pages and Reddit r/ChangeMyView (lower-cased text);"
            " the risk is a ranking signal for triage, not a verdict, and is less reliable on"
            " other sites, on very short threads, and where the judge misreads the replies."
            " On WikiTactics it ranks escalation to mediation, a different outcome from the one"
            " it was fitted on.",
            "",
        ]
    )


def write_card(model: EscalationModel, path: str | Path) -> None:
    """Write :func:`render_card` to ``path`` atomically."""
    with atomic_output(path) as tmp:
        tmp.write_text(render_card(model), encoding="utf-8")
