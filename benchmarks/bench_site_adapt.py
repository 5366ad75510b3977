"""Site layers: does a layer learn a simulated community's rule, and how fast is `steelman adapt`?

Part 1 (the targets in issue 19): a community from CAD whose moderators remove identity-directed
abuse and leave abuse aimed at a person up (see :mod:`steelman.site.simulate`). Layers are fitted
on the first N = 100, 300, 1000 decisions of 2,000 and on all 2,000 ("all labels"), and scored on
800 held-out comments of the same site (from CAD dev): ROC-AUC for "the site removes it" with 95%
bootstrap intervals by thread, against the bundled judge's attack probability. Also printed: the
same layer without the pooled encoding (the ablation that keeps it), and the best single bundled
probability chosen on the held-out labels (a baseline that peeks).

Part 2: `steelman adapt` end to end (a subprocess: load the judge, read the decisions, cross-
validate, bootstrap, write the layer) on an SQLite store holding 10,000 decided comments whose
pooled encodings are kept (as the server keeps them), and the cost of encoding them cold.

The bundled judge's answers and encodings are cached in --cache (first run: a few minutes).

Usage: python benchmarks/bench_site_adapt.py [--cache DIR] [--data ../shared/data] [--skip-timing]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from steelman.judge import Judge
from steelman.site.evaluate import compare
from steelman.site.features import baseline_scores, probabilities, probability_names
from steelman.site.fit import Examples, design, fit_choosing, fit_layer
from steelman.site.simulate import JudgedCache, read_cad, simulated_community

ROOT = Path(__file__).resolve().parent.parent


def cpu_name() -> str:
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def examples(community: Any, cache: JudgedCache) -> Examples:
    judged, pooled = cache.get(community.texts)
    return Examples(
        judged,
        pooled.astype(np.float64),
        community.rejected,
        community.groups,
        np.ones(len(community)),
    )


def fit_predict(train: Examples, test: Examples, *, mode: str = "adapt") -> np.ndarray:
    """The held-out scores of a layer fitted on ``train``: as ``steelman adapt`` fits it (its
    design chosen by inner grouped cross-validation), or always reading the pooled encoding
    (``pooled``), or the judge's probabilities alone (``probabilities``)."""
    names = probability_names(train.judgements)
    if mode == "adapt":
        head, reads = fit_choosing(train, names)
        xp = test.pooled if reads else test.pooled[:, :0]
        return head.predict_proba(design(test.judgements, xp, names))
    tp = train.pooled if mode == "pooled" else train.pooled[:, :0]
    head = fit_layer(
        design(train.judgements, tp, names),
        Examples(train.judgements, tp, train.rejected, train.groups, train.weights),
    )
    xp = test.pooled if mode == "pooled" else test.pooled[:, :0]
    return head.predict_proba(design(test.judgements, xp, names))


def part1(data: Path, cache: JudgedCache, seed: int) -> None:
    history = simulated_community(read_cad(data / "cad" / "train.jsonl"), 2000, seed=seed)
    heldout = simulated_community(
        read_cad(data / "cad" / "dev.jsonl"), 800, seed=seed + 1, prefix="h"
    )
    t = time.perf_counter()
    hist, test = examples(history, cache), examples(heldout, cache)
    print(f"judged/encoded (cache) in {time.perf_counter() - t:.1f} s", flush=True)
    base = baseline_scores(test.judgements)
    print(
        f"held-out: {len(test)} comments, {int(test.rejected.sum())} removed by the rule;"
        f" history: {len(hist)} decisions, {int(hist.rejected.sum())} removed"
    )
    names = probability_names(test.judgements)
    probs = probabilities(test.judgements, names)
    peek = max(
        (
            (
                compare(
                    test.rejected, probs[:, i], probs[:, i], test.groups, resamples=50
                ).auc_adapted.value,
                n,
            )
            for i, n in enumerate(names)
        ),
    )
    print(f"best single bundled probability on held-out labels (peeking): {peek[1]} {peek[0]:.3f}")
    all_scores = fit_predict(hist, test)
    print(
        "| decisions | bundled ROC-AUC | layer ROC-AUC (as adapt fits it) | gain | always reading"
        " the pooled encoding | probabilities alone | layer - all labels |"
    )
    print("|---|---|---|---|---|---|---|")
    for n in (100, 300, 1000, len(hist)):
        sub = hist.take(np.arange(n))
        p = all_scores if n == len(hist) else fit_predict(sub, test)
        c = compare(test.rejected, base, p, test.groups, resamples=1000, seed=seed)
        pooled = compare(
            test.rejected, base, fit_predict(sub, test, mode="pooled"), test.groups, seed=seed
        )
        alone = compare(
            test.rejected,
            base,
            fit_predict(sub, test, mode="probabilities"),
            test.groups,
            seed=seed,
        )
        vs_all = compare(test.rejected, all_scores, p, test.groups, seed=seed)
        label = f"{n} (all labels)" if n == len(hist) else str(n)
        print(
            f"| {label} | {c.auc_bundled} | {c.auc_adapted} | {c.gain} | {pooled.auc_adapted}"
            f" | {alone.auc_adapted} | {vs_all.gain} |",
            flush=True,
        )
    # the spread over different draws of 300 decisions
    gains = []
    for s in range(5):
        idx = np.random.default_rng(100 + s).choice(len(hist), 300, replace=False)
        p = fit_predict(hist.take(np.sort(idx)), test)
        gains.append(compare(test.rejected, base, p, test.groups, resamples=200).gain.value)
    print(f"gain with 300 decisions over 5 random draws: {', '.join(f'{g:+.3f}' for g in gains)}")


def build_store(db: Path, data: Path, cache: JudgedCache, n: int) -> None:
    from steelman.server.db import Store
    from steelman.server.db.site import SiteTables, text_hash

    rows = read_cad(data / "cad" / "train.jsonl")[:n]
    texts = [r["text"] for r in rows]
    judged, pooled = cache.get(texts)
    store = Store.open(f"sqlite:///{db}")
    tables = SiteTables(store)
    key = f"{judged[0]['model']['name']} {judged[0]['model']['version']}"
    thread = None
    for i, (r, j) in enumerate(zip(rows, judged, strict=True)):
        if i % 8 == 0:
            thread = store.thread(f"https://site.example/t/{i // 8}", create=True)
        assert thread is not None
        c, _ = store.add_comment(
            thread_id=thread.id, text=r["text"], status="pending", actor="author", judgement=j
        )
        removed = "IdentityDirectedAbuse" in r["labels"]
        store.update(
            c.id,
            actor="mod",
            action="reject" if removed else "approve",
            status="rejected" if removed else "published",
        )
    tables.put_encodings([(text_hash(t), v) for t, v in zip(texts, pooled, strict=True)], key)
    store.close()


def part2(data: Path, cache: JudgedCache, n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "site.db"
        t = time.perf_counter()
        build_store(db, data, cache, n)
        print(f"built a store with {n} decided comments in {time.perf_counter() - t:.0f} s")
        cmd = [
            sys.executable,
            "-m",
            "steelman",
            "adapt",
            "--database",
            f"sqlite:///{db}",
            "--layers",
            str(Path(tmp) / "layers"),
            "--json",
        ]
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ})
        wall = time.perf_counter() - t
        import json

        try:
            report = json.loads(out.stdout)
        except json.JSONDecodeError:
            print(out.stdout, out.stderr)
            raise
        print(
            f"`steelman adapt` on {n} decisions: {wall:.1f} s wall (exit {out.returncode});"
            f" stages {report['seconds']}; accepted {report['accepted']}"
        )
        c = report["comparison"]
        if c:
            print(f"  its held-out ROC-AUC: bundled {c['auc_bundled']}, adapted {c['auc_adapted']}")
    judge = Judge.load()
    texts = [r["text"] for r in read_cad(data / "cad" / "dev.jsonl")[:256]]
    t = time.perf_counter()
    judge.pooled(texts)
    rate = len(texts) / (time.perf_counter() - t)
    print(
        f"cold encoding (once per decided text, kept afterwards): {rate:.0f} texts/s,"
        f" so about {n / rate:.0f} s for {n} texts never encoded before"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache/steelman/site-sim")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--decisions", type=int, default=10_000)
    ap.add_argument("--skip-timing", action="store_true")
    args = ap.parse_args()
    print(f"CPU: {cpu_name()}, {os.cpu_count()} cores")
    judge = Judge.load()

    def judge_fn(texts: list[str]) -> tuple[list[dict[str, Any]], np.ndarray]:
        js = judge.judge_batch(texts, [None] * len(texts))
        return [j.to_dict() for j in js], judge.pooled(texts)

    cache = JudgedCache(args.cache, f"{judge.info['name']} {judge.info['version']}", judge_fn)
    part1(args.data, cache, args.seed)
    if not args.skip_timing:
        part2(args.data, cache, args.decisions)


if __name__ == "__main__":
    main()
