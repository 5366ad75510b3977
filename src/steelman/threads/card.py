"""The escalation model's card: a README.md written beside its weights at train time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from steelman.threads._io import atomic_output
from steelman.threads.escalation import EscalationModel

__all__ = ["render_card", "write_card"]


def _auc_row(name: str, v: dict[str, Any], cv: float | None) -> str:
    cv_text = f"{cv:.3f}" if cv is not None else "-"
    return f"| {name} | {v['auc']:.3f} | {v['low']:.3f}-{v['high']:.3f} | {cv_text} |"


def render_card(model: EscalationModel) -> str:
    """The model card (Markdown) from the provenance stored in the model's config."""
    info = model.info
    m: dict[str, Any] = info.get("metrics", {})
    val: dict[str, dict[str, Any]] = m.get("val", {})
    cv_base: dict[str, float] = m.get("cv_auc_baselines", {})
    first = next(iter(val.values()), {"resamples": 0, "level": 0.95})
    rows = [
        _auc_row(name, v, m.get("cv_auc") if name == "escalation model" else cv_base.get(name))
        for name, v in val.items()
    ]
    weights = [
        f"| `{f}` | {c:+.3f} | {mu:.3f} | {sd:.3f} |"
        for f, c, mu, sd in zip(model.features, model.coef, model.mean, model.scale, strict=True)
    ]
    data = info.get("training_data", {})
    judge = info.get("judge", {})
    return "\n".join(
        [
            f"# {model.name} {model.version}",
            "",
            "The probability that a Wikipedia-style dispute escalates to outside mediation, read"
            " from the judged thread: a logistic regression over thread features (share of"
            " attacks, mean level, longest run of attacks, participants, length, acts, trend).",
            "Fitted with scikit-learn at train time; stored as data (`config.json` +"
            " `weights.npz`) and applied with numpy. Reproduce it with"
            " `steelman train-escalation`.",
            "",
            "## Training data",
            "",
            "WikiTactics (de Kock, Stafford & Vlachos, EMNLP 2022), `escalation_label`:"
            f" {m.get('train_conversations', '?')} train conversations; val"
            f" {m.get('val_conversations', '?')} ({m.get('val_escalated', '?')} escalated).",
            "",
            *[f"- `{name}` sha256 `{digest}`" for name, digest in data.items()],
            f"- judge: {judge.get('name', '?')} {judge.get('version', '?')}; judged training"
            f" features sha256 `{info.get('features_sha256', '?')}` (retrain when the judge"
            " changes: the features, and so this hash, change with it)",
            "",
            "## Quality",
            "",
            f"ROC-AUC on val with a {round(first['level'] * 100)}% percentile bootstrap interval"
            f" ({first['resamples']} resamples, the same resamples for every row), and the mean"
            f" out-of-fold AUC of {m.get('cv_repeats', '?')} x stratified 5-fold"
            " cross-validation on train (one row per conversation). Baselines are one-feature"
            " logistic regressions fitted on train.",
            "",
            "| score | val AUC | interval | train CV AUC |",
            "|---|---|---|---|",
            *rows,
            "",
            f"Val holds only {m.get('val_conversations', '?')} conversations: its interval is"
            " wide, and the cross-validated figure on train is the steadier estimate."
            f" Regularisation C = {m.get('c', '?')}, picked by cross-validation on train"
            f" (AUC by C: {m.get('cv_auc_by_c', {})}).",
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
            "Trained on Wikipedia talk-page disputes only; the risk is a ranking signal for"
            " triage, not a verdict, and is less reliable on other sites, on very short threads,"
            " and where the judge misreads the replies.",
            "",
        ]
    )


def write_card(model: EscalationModel, path: str | Path) -> None:
    """Write :func:`render_card` to ``path`` atomically."""
    with atomic_output(path) as tmp:
        tmp.write_text(render_card(model), encoding="utf-8")
