"""Benchmark the judge on real-length replies (WikiTactics + CMV from ../shared/data).

Prints, on this machine, in one run:
- the raw encoder's throughput (texts/s), as the reference;
- the library's judge_batch throughput (replies/s, reply + parent each);
- end-to-end ``steelman score`` throughput (replies/s) in a fresh process, with its peak memory;
- the time from process start to the first judgement (``steelman judge``), median of runs.

Usage: python benchmarks/bench_judge.py [--data ../shared/data] [--rows 600] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from steelman.judge import Encoder, Judge
from steelman.judge.training import load_labelled


def _child_peak_mb(before: int) -> float:
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(after, before) / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--rows", type=int, default=600)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    data = load_labelled(args.data)
    examples = (data.wiki_val + data.wiki_train + data.cmv_val)[: args.rows]
    texts = [e.text for e in examples]
    parents = [e.parent for e in examples]
    chars = statistics.median(len(t) for t in texts)
    print(f"rows: {len(texts)} real replies (median {chars:.0f} characters), with parents")

    enc = Encoder()
    rates = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        enc.encode(texts)
        rates.append(len(texts) / (time.perf_counter() - t))
    enc_rate = statistics.median(rates)
    print(f"encoder (MiniLM int8 ONNX, one text per call): {enc_rate:.1f} texts/s")

    model = Judge.load(encoder=enc).model
    rates = []
    for _ in range(args.repeat):
        judge = Judge(model, enc)  # a fresh judge: nothing remembered from the last repeat
        t = time.perf_counter()
        judge.judge_batch(texts, parents)
        rates.append(len(texts) / (time.perf_counter() - t))
    lib_rate = statistics.median(rates)
    print(f"library judge_batch (reply + parent): {lib_rate:.1f} replies/s")

    env = dict(os.environ, HF_HUB_OFFLINE="1")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        with src.open("w") as fh:
            for text, parent in zip(texts, parents, strict=True):
                fh.write(json.dumps({"text": text, "parent": parent}) + "\n")
        rates, peaks = [], []
        for _ in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            t = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "steelman",
                    "score",
                    str(src),
                    "--out",
                    str(Path(tmp) / "out.jsonl"),
                    "--workers",
                    "1",
                ],
                check=True,
                env=env,
                stderr=subprocess.DEVNULL,
            )
            rates.append(len(texts) / (time.perf_counter() - t))
            peaks.append(_child_peak_mb(before))
        print(
            f"end-to-end `steelman score --workers 1` (process start to file written):"
            f" {statistics.median(rates):.1f} replies/s; peak RSS {max(peaks):.0f} MB"
        )
    starts = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "steelman",
                "judge",
                "You clearly never read the article.",
                "--parent",
                "The study found a 12% drop.",
            ],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        starts.append(time.perf_counter() - t)
    first = statistics.median(starts)
    print(f"process start to first judgement (`steelman judge`): median {first:.2f} s")
    print(f"ratio library / encoder: {lib_rate / enc_rate:.2f}")


if __name__ == "__main__":
    main()
