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
        "## Figures on the dev splits (never trained or tuned on)",
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
