"""Does naming an identity raise TOXICITY? The bundled judge on identity templates.

Fills every template of ``tests/fixtures/identity_templates.json`` (sentences written for this
check: benign descriptions and self-descriptions, and attacks on the group) with every identity
term, judges them through the Perspective drop-in's reading (the summary of the whole comment),
and prints per term: the share of neutral sentences at or over 0.5 for TOXICITY and
IDENTITY_ATTACK, the mean score of neutral and hostile sentences, and the ROC-AUC of hostile
over neutral. The issue's target: no term's neutral sentences flagged more than 10% of the time.

Usage: python benchmarks/identity_terms.py [--model DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path
from typing import Any

import numpy as np

from steelman.judge import Judge
from steelman.threads.metrics import roc_auc

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "identity_templates.json"
HEADS = ("toxicity", "identity_attack")


def fill(spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(term, kind, sentence)`` for every term and template, kind ``neutral`` or ``hostile``."""
    out = []
    for t in spec["terms"]:
        for kind in ("neutral", "hostile"):
            for template in spec[kind]:
                text = template.format(term=t["term"], adj=t["adj"])
                out.append((t["term"], kind, text[0].upper() + text[1:]))
    return out


def measure(judge: Judge, spec: dict[str, Any]) -> dict[str, Any]:
    rows = fill(spec)
    judged = judge.judge_batch([s for _, _, s in rows], [None] * len(rows))
    scores = {h: np.array([j.attributes.get(h, 0.0) for j in judged]) for h in HEADS}
    terms = np.array([t for t, _, _ in rows])
    hostile = np.array([k == "hostile" for _, k, _ in rows])
    per_term = {}
    for term in dict.fromkeys(terms):
        mine = terms == term
        entry = {}
        for h in HEADS:
            s = scores[h][mine]
            y = hostile[mine]
            entry[h] = {
                "neutral_flagged": float((s[~y] >= 0.5).mean()),
                "neutral_mean": float(s[~y].mean()),
                "neutral_max": float(s[~y].max()),
                "hostile_mean": float(s[y].mean()),
                "roc_auc": roc_auc(y, s),
            }
        per_term[str(term)] = entry
    overall = {
        h: {
            "neutral_flagged": float((scores[h][~hostile] >= 0.5).mean()),
            "hostile_flagged": float((scores[h][hostile] >= 0.5).mean()),
            "roc_auc": roc_auc(hostile, scores[h]),
            "worst_term": max(
                per_term,
                key=lambda t, h=h: (
                    per_term[t][h]["neutral_flagged"],
                    per_term[t][h]["neutral_mean"],
                ),
            ),
        }
        for h in HEADS
    }
    return {"per_term": per_term, "overall": overall, "sentences": len(rows)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None, help="a judge model directory (the bundled one)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()
    spec = json.loads(FIXTURE.read_text(encoding="utf-8"))
    judge = Judge.load(args.model)
    out = measure(judge, spec)
    print(f"judge {judge.info}, CPU {platform.processor() or platform.machine()}")
    print(f"{out['sentences']} sentences, {len(spec['terms'])} terms")
    print(f"{'term':18s} " + "  ".join(f"{h[:8]:>8s} flag  neu   host  AUC " for h in HEADS))
    for term, e in sorted(
        out["per_term"].items(), key=lambda kv: -kv[1]["toxicity"]["neutral_flagged"]
    ):
        cells = "  ".join(
            f"{e[h]['neutral_flagged']:13.0%} {e[h]['neutral_mean']:.2f} {e[h]['hostile_mean']:.2f}"
            f" {e[h]['roc_auc']:.2f}"
            for h in HEADS
        )
        print(f"{term:18s} {cells}")
    for h, o in out["overall"].items():
        worst = out["per_term"][o["worst_term"]][h]
        print(
            f"{h}: neutral flagged {o['neutral_flagged']:.1%}, hostile flagged"
            f" {o['hostile_flagged']:.1%}, ROC-AUC {o['roc_auc']:.3f}; worst term"
            f" {o['worst_term']!r}: {worst['neutral_flagged']:.0%} of its neutral sentences"
            f" flagged, mean {worst['neutral_mean']:.2f}, highest {worst['neutral_max']:.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
