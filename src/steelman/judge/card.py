"""The model card (``README.md`` of a model directory), written from ``config.json``'s figures.

Every number in the card is read from the metrics that ``steelman train`` measured on the dev
splits through the exported model; a test checks that ``steelman eval`` reproduces them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["render_card"]

_HEADS = (
    ("attack", "attacks the person (any DH0/DH1 label)"),
    ("attack_placed", "attack, stricter: highest level DH0/DH1"),
    ("disagreement", "disagrees at all"),
    ("agreement", "agrees"),
    ("toxicity", "toxic (abusive or offensive)"),
    ("insult", "insult"),
    ("identity_attack", "attacks an identity group"),
    ("threat", "threat"),
    ("profanity", "profanity"),
    ("reasons", "gives reasons (high-quality argument)"),
)


def _ci(pair: list[float]) -> str:
    return f"{pair[0]:.3f}-{pair[1]:.3f}"


def _kernels_section(m: dict[str, Any]) -> list[str]:
    """Which CPU and kernels the figures were measured with, and the other kind's figures."""
    on = m.get("measured_on", {})
    if not on:
        return []
    measured = m.get("kernels", "int8")
    out = [
        "",
        "## CPUs and kernels",
        "",
        "The judge picks the encoder's arithmetic per CPU at load (`kernels` in the output of",
        "`steelman eval`; `STEELMAN_JUDGE_KERNELS=int8|float` overrides): the fused int8",
        "kernels where the CPU has exact int8 dot products (AMX, AVX-512 VNNI, AVX-VNNI, Arm",
        "dot product), and elsewhere the same quantised graph in float arithmetic, which gives",
        "the same numbers on every CPU. Plain AVX2's int8 kernels saturate and moved 6 of the 84",
        "textbook decisions, so they are never chosen.",
        "",
        f"- The figures above: {measured} kernels, measured on {on.get(measured, '?')}.",
    ]
    for kernels, figs in sorted(m.get("by_kernels", {}).items()):
        dev = figs.get("dev", {})
        lv = dev.get("levels", {})
        aucs = [f["roc_auc"] for per in dev.get("roc_auc", {}).values() for f in per.values()]
        ref = [f["roc_auc"] for per in m["dev"].get("roc_auc", {}).values() for f in per.values()]
        gap = max((abs(a - b) for a, b in zip(aucs, ref, strict=True)), default=0.0)
        out.append(
            f"- {kernels} kernels, measured on {on.get(kernels, '?')}: level macro-F1"
            f" {lv.get('level_macro_f1', float('nan')):.3f}, within one"
            f" {lv.get('within_one', float('nan')):.3f}, acts macro-F1"
            f" {dev.get('acts', {}).get('macro_f1', float('nan')):.3f}, textbook exact level"
            f" {figs.get('textbook', {}).get('level_exact', float('nan')):.3f}; every ROC-AUC"
            f" within {gap:.4f} of the figures above."
        )
    return out


def _attribute_refits(refit: dict[str, Any]) -> list[str]:
    """The card's line on the attribute heads refit unweighted (their scores read as
    probabilities), with the penalty grouped cross-validation chose for each."""
    if not refit:
        return []
    each = ", ".join(
        f"{task.replace('_', ' ')} (C {f['C']:g}, grouped-CV ROC-AUC"
        f" {f['grouped_cv_roc_auc'][str(f['C'])]:.3f}, {f['positives']} positives)"
        for task, f in sorted(refit.items())
    )
    return [
        "- Refit unweighted on every train sample that labels them, C chosen by 3-fold",
        f"  cross-validation grouped by conversation: {each}.",
    ]


def render_card(config: dict[str, Any]) -> str:
    m = config.get("metrics", {})
    dev = m.get("dev", {})
    tr = config.get("training", {})
    out = [
        f"# {config['name']} {config['version']}",
        "",
        "Places a reply on Graham's hierarchy of disagreement (DH0-DH6), says whether it attacks",
        "the person, whether it disagrees at all, which other acts it performs (question,",
        "clarification, compromise, concession, context, coordination, agreement), and rates",
        "toxicity, insult, identity attack, threat and profanity, with the words that put it",
        "there.",
        "",
        "## How it is built",
        f"- Base: {config.get('base', '?')}, fine-tuned for one pass over a domain-balanced mix of",
        "  every set in `shared/data` (per domain below); bf16 autocast on CPU; seeded.",
        "- One encoder pass per comment (mean-pooled); an interaction head reads the reply, its",
        f"  parent, their product and {len(config.get('cues', []))} pair cues (quoting, reasons,"
        " the parent sentence answered",
        "  and its centrality) and answers every binary question; a token head trained on the",
        "  rated toxic spans marks abusive wording.",
        "- Refit on the frozen encoder (class-balanced, for macro-F1): the level of a",
        "  non-attacking disagreement (softmax over DH2-DH6) and the six WikiTactics acts.",
        *_attribute_refits(tr.get("refit", {}).get("attributes", {})),
        "- The encoder is int8 ONNX with static (calibrated) activation scales, attention's own",
        "  products in float: a reply's scores do not depend on the batch it is run in.",
        "- Files: `encoder.onnx`, `tokenizer.json`, `heads.npz` (no pickle), `config.json` (with",
        "  every file's sha256, checked on load).",
        "",
        "## Training data (samples drawn per domain for the pass)",
        "",
        "| domain | samples |",
        "|---|---|",
    ]
    for d, n in sorted(tr.get("per_domain", {}).items()):
        out.append(f"| {d} | {n} |")
    out += [
        "",
        f"Steps: {tr.get('steps', '?')}, seconds: {tr.get('seconds', '?')}.",
        "",
        "## Figures on the dev splits (never trained on)",
        "",
        "WikiTactics val and the textbook set were also used for a few design choices (listed",
        "under the notes), so their figures are somewhat optimistic.",
        "",
        "Dev splits: WikiTactics val, the CAD and ToxiChat dev files, the Insults competition's",
        "public test, IBM-ArgQ's dev/test, and a fixed hashed fifth of the groups of CMV, Ruddit,",
        "DEBAGREEMENT, subreddit-agreement and ToxicSpans (at most 1,500 per domain).",
        "",
        "| head | domain | ROC-AUC | n (positives) |",
        "|---|---|---|---|",
    ]
    for head, label in _HEADS:
        for domain, f in sorted(dev.get("roc_auc", {}).get(head, {}).items()):
            out.append(f"| {label} | {domain} | {f['roc_auc']:.3f} | {f['n']} ({f['positives']}) |")
    lv = dev.get("levels")
    if lv:
        out += [
            "",
            f"### Levels (WikiTactics val: {lv['n_replies']} replies in"
            f" {lv['n_conversations']} conversations)",
            "",
            "| figure | value | 95% interval (bootstrap over conversations) |",
            "|---|---|---|",
            f"| macro-F1 over all seven levels | {lv['level_macro_f1']:.3f}"
            f" | {_ci(lv['level_macro_f1_ci'])} |",
            f"| within one level | {lv['within_one']:.3f} | {_ci(lv['within_one_ci'])} |",
            "",
            "| level | F1 | support |",
            "|---|---|---|",
        ]
        for code, f1 in lv["per_level_f1"].items():
            out.append(f"| {code} | {f1:.3f} | {lv['per_level_support'][code]} |")
    acts = dev.get("acts")
    if acts:
        out += [
            "",
            f"### Acts (WikiTactics val, {acts['n']} replies): macro-F1 {acts['macro_f1']:.3f}",
            "",
        ]
        out += [f"- {a}: F1 {f:.3f}" for a, f in acts["per_act_f1"].items()]
    sp = dev.get("spans")
    if sp:
        out += [
            "",
            f"### Evidence against the rated toxic spans ({sp['n']} ToxicSpans dev posts)",
            "",
            "- Character F1 (SemEval 2021 measure), toxic-span head evidence:"
            f" {sp['span_head_f1']:.3f}",
            f"- Character F1, all evidence shown: {sp['evidence_f1']:.3f}",
        ]
    tb = m.get("textbook")
    if tb:
        out += [
            "",
            f"### Textbook replies (tests/fixtures/textbook.json: {tb['n']} written for this"
            " project)",
            "",
            f"- Exact level: {tb['level_exact']:.3f}; act exact: {tb['act_exact']:.3f}",
            "- Per expected answer: "
            + ", ".join(f"{k} {v:.2f}" for k, v in tb["per_expected"].items()),
        ]
    out += _kernels_section(m)
    extra = m.get("notes")
    if extra:
        out += ["", "## Ablations and notes", ""] + [f"- {n}" for n in extra]
    out += [
        "",
        "## Limits",
        "- English only. The levels are learnt from one community (Wikipedia talk pages); the",
        "  upper levels (DH5, DH6) have few examples, and their figures have wide intervals.",
        "- Scores are the heads' sigmoid outputs on a domain-balanced mix; calibration differs",
        "  between communities.",
        "",
    ]
    return "\n".join(out)
