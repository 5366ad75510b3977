"""Benchmark Judge 2 on real-length replies with their parents (dev splits from ../shared/data).

Prints, on this machine, in one run, medians of ``--repeat`` runs:
- sentence-transformers fp32 on torch (all-MiniLM-L6-v2) embedding the same replies and parents:
  the reference the judge must beat by 3x (skipped when sentence-transformers is not installed);
- the bundled encoder alone on the same texts, with each kind of kernel (``int8``: the fused
  integer kernels; ``float``: the same quantised graph in float arithmetic) and the one that
  ``auto`` picks on this CPU;
- the library's ``judge_batch`` (reply + parent, evidence and suggestions included);
- end-to-end ``steelman score --workers 1`` in a fresh process, with its peak RSS, for the
  ``auto`` kernels and for the other kind;
- the time from process start to the first judgement (``steelman judge``).

Usage: python benchmarks/bench_judge.py [--data ../shared/data] [--rows 600] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from steelman.data.corpus import read_corpus
from steelman.judge import Judge
from steelman.judge.network import choose_kernels, cpu_flags

# Forks ``argv`` from itself, a small process, waits for it and prints its peak RSS (kB). Linux
# keeps the largest memory a process ever had across exec, so a command forked straight from this
# benchmark (torch loaded, over 1 GB) would report this benchmark's size, not its own.
_PEAK = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execvp(sys.argv[1], sys.argv[1:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "print(usage.ru_maxrss, file=sys.stderr)\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def _run_peak_mb(cmd: list[str], env: dict[str, str]) -> float:
    """Run ``cmd``; its own peak RSS in MB."""
    proc = subprocess.run(
        [sys.executable, "-S", "-c", _PEAK, *cmd],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd, stderr=proc.stderr)
    return int(proc.stderr.strip().splitlines()[-1]) / 1024.0


def _median_rate(n: int, repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    rates = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        rates.append(n / (time.perf_counter() - t))
    return statistics.median(rates)


def _sentence_transformers(texts: list[str], repeat: int) -> float | None:
    try:
        from sentence_transformers import SentenceTransformer

        from steelman.judge.finetune import base_encoder_dir
    except ImportError:
        return None
    model = SentenceTransformer(str(base_encoder_dir()), device="cpu")
    model.max_seq_length = 128
    return _median_rate(len(texts), repeat, lambda: model.encode(texts, batch_size=32))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--rows", type=int, default=600)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    samples = [
        s
        for s in read_corpus(args.data, ("wikitactics", "cmv", "debagreement", "toxichat"))
        if s.split == "dev"
    ][: args.rows]
    texts = [s.text for s in samples]
    parents = [s.parent for s in samples]
    both = texts + [p for p in parents if p]
    chars = statistics.median(len(t) for t in texts)
    print(
        f"rows: {len(texts)} real replies (median {chars:.0f} characters),"
        f" {sum(1 for p in parents if p)} with parents: {len(both)} texts to embed"
    )

    st_rate = _sentence_transformers(both, args.repeat)
    if st_rate is not None:
        print(f"sentence-transformers fp32 (torch), replies + parents: {st_rate:.1f} texts/s")
        print(f"  = {st_rate * len(texts) / len(both):.1f} replies/s with their parents")

    auto = choose_kernels()
    print(f"CPU: {cpu_flags()[0]}; kernels chosen by auto: {auto}")
    for kernels in ("int8", "float"):
        net = Judge.load(kernels=kernels).model.network
        net.encode(both[:32])
        enc_rate = _median_rate(len(both), args.repeat, lambda net=net: net.encode(both))
        print(f"bundled encoder, {kernels} kernels: {enc_rate:.1f} texts/s")
    judge = Judge.load()

    def library() -> None:
        Judge(judge.model).judge_batch(texts, parents)  # nothing remembered between repeats

    lib_rate = _median_rate(len(texts), args.repeat, library)
    print(f"library judge_batch (reply + parent, evidence, suggestion): {lib_rate:.1f} replies/s")

    env = dict(os.environ, HF_HUB_OFFLINE="1")
    e2e = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        with src.open("w") as fh:
            for text, parent in zip(texts, parents, strict=True):
                fh.write(json.dumps({"text": text, "parent": parent}) + "\n")
        for kernels in (auto, "float" if auto == "int8" else "int8"):
            rates, peaks = [], []
            for _ in range(args.repeat):
                t = time.perf_counter()
                out = str(Path(tmp) / "out.jsonl")
                cmd = [sys.executable, "-m", "steelman", "score", str(src), "--out", out]
                peak = _run_peak_mb(
                    [*cmd, "--workers", "1"], dict(env, STEELMAN_JUDGE_KERNELS=kernels)
                )
                rates.append(len(texts) / (time.perf_counter() - t))
                peaks.append(peak)
            e2e[kernels] = statistics.median(rates)
            print(
                f"end-to-end `steelman score --workers 1`, {kernels} kernels (process start to"
                f" file written): {e2e[kernels]:.1f} replies/s; peak RSS {max(peaks):.0f} MB"
            )
    starts = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "steelman", "judge", "You clearly never read the article."],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        starts.append(time.perf_counter() - t)
    print(
        "process start to first judgement (`steelman judge`):"
        f" median {statistics.median(starts):.2f} s"
    )
    if st_rate is not None:
        per_reply = st_rate * len(texts) / len(both)
        print(
            "ratio end-to-end score (auto kernels) / sentence-transformers (replies/s):"
            f" {e2e[auto] / per_reply:.2f}x"
        )


if __name__ == "__main__":
    main()
