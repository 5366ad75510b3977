"""How well TOXICITY's scores read as probabilities: the calibration table on the dev splits.

Judges every dev sample with a toxicity label (the same dev splits and per-domain cap as the
model card: ``steelman.judge.train.dev_samples``) through the bundled judge, then prints, per
domain and pooled, the share of comments labelled toxic in each score bin, the expected
calibration error, and what a 0.8 threshold (Coral Talk's default) means: the share of comments
at or over 0.8 that are labelled toxic, and the share of toxic ones it catches. ToxicSpans holds
only toxic posts, so it is left out of the pooled table (its row shows recall alone).

Usage: python benchmarks/calibration_toxicity.py [DATA_DIR] [--model DIR] [--bins 10] [--out F]
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np

from steelman.data.corpus import read_corpus
from steelman.judge import Judge
from steelman.judge.train import DEFAULT_DATA_DIR, dev_samples

THRESHOLD = 0.8


def table(scores: np.ndarray, labels: np.ndarray, bins: int) -> dict[str, Any]:
    edges = np.linspace(0, 1, bins + 1)
    rows = []
    ece = 0.0
    for lo, hi in itertools.pairwise(edges):
        inside = (scores >= lo) & ((scores < hi) if hi < 1 else (scores <= hi))
        n = int(inside.sum())
        if n == 0:
            rows.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": 0})
            continue
        mean, rate = float(scores[inside].mean()), float(labels[inside].mean())
        ece += n / len(scores) * abs(mean - rate)
        rows.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": n, "mean_score": mean, "toxic": rate})
    over = scores >= THRESHOLD
    return {
        "n": len(scores),
        "positives": int(labels.sum()),
        "ece": ece,
        "rows": rows,
        "precision_at_0.8": float(labels[over].mean()) if over.any() else None,
        "recall_at_0.8": float(over[labels == 1].mean()) if labels.any() else None,
    }


def show(name: str, t: dict[str, Any]) -> None:
    print(f"\n{name}: {t['n']} comments, {t['positives']} labelled toxic, ECE {t['ece']:.3f}")
    print("  score bin   n      mean score  labelled toxic")
    for r in t["rows"]:
        if r["n"]:
            print(f"  {r['bin']}  {r['n']:5d}  {r['mean_score']:10.3f}  {r['toxic']:14.3f}")
    p, rec = t["precision_at_0.8"], t["recall_at_0.8"]
    print(
        f"  at >= 0.8: {'-' if p is None else f'{p:.3f}'} of flagged are toxic;"
        f" {'-' if rec is None else f'{rec:.3f}'} of toxic are flagged"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    ap.add_argument("--model", help="a model directory (default: the bundled one)")
    ap.add_argument("--bins", type=int, default=10)
    ap.add_argument("--out", help="also write the tables as JSON here")
    args = ap.parse_args()
    judge = Judge.load(args.model) if args.model else Judge.load()
    samples = [s for s in dev_samples(read_corpus(args.data_dir)) if "toxicity" in s.labels]
    judged = judge.judge_batch([s.text for s in samples], [s.parent for s in samples])
    scores = np.array([j.attributes["toxicity"] for j in judged])
    labels = np.array([s.labels["toxicity"] for s in samples])
    domains = np.array([s.domain for s in samples])
    out: dict[str, Any] = {"model": judge.info, "by_domain": {}}
    for d in sorted(set(domains)):
        keep = domains == d
        out["by_domain"][d] = table(scores[keep], labels[keep], args.bins)
        show(d, out["by_domain"][d])
    pooled = domains != "toxic-spans"
    if pooled.any():
        out["pooled"] = table(scores[pooled], labels[pooled], args.bins)
        show("pooled (without ToxicSpans)", out["pooled"])
    print(f"\nmodel: {judge.info['name']} {judge.info['version']}")
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
