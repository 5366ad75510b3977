"""Benchmark the thread analysis (``steelman threads``).

1. Speed: comments/s of ``steelman threads`` (read -> group -> judge -> summarise -> CSV) on a
   generated set of threads, with the real bundled judge.
2. Memory: peak RSS while streaming generated Reddit-format (Pushshift-style JSONL) files of
   growing size through the same pipeline, each in a fresh process. The judge's time dominates
   part 1, so part 2 uses a cheap keyword STAND-IN scorer in place of the judge (said again in
   the output): it measures the reading, grouping (spilled to SQLite) and summarising, not the
   encoder.

    python benchmarks/bench_threads.py                       # 2,000 comments; 50 and 200 MB
    python benchmarks/bench_threads.py --stream-mb 200 1000  # the 1 GB variant too
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from steelman.data.comments import Comment
from steelman.data.formats import read_comments
from steelman.judge.result import Judgement
from steelman.levels import ACTS, LEVELS
from steelman.threads import iter_threads, summarise, write_summary
from steelman.threads.analyse import JudgeLike

WORDS = [
    "the",
    "source",
    "says",
    "bridge",
    "steel",
    "concrete",
    "cost",
    "audit",
    "figures",
    "you",
    "are",
    "wrong",
    "because",
    "evidence",
    "clearly",
    "page",
    "edit",
    "revert",
    "policy",
    "consensus",
    "idiot",
    "liar",
    "agenda",
    "tone",
    "rude",
    "article",
    "section",
    "citation",
    "needed",
    "however",
    "actually",
    "point",
    "argument",
]


class StandInJudge:
    """A keyword scorer with the judge's interface: no encoder, for the memory benchmark."""

    def __init__(self) -> None:
        self.texts = 0
        self.calls = 0

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        self.calls += 1
        self.texts += len(texts)
        return [self._one(t) for t in texts]

    @staticmethod
    def _one(text: str) -> Judgement:
        code = "DH0" if "idiot" in text else "DH1" if "liar" in text else "DH4"
        scores = {lv.code: 0.9 if lv.code == code else 0.1 / 6 for lv in LEVELS}
        return Judgement(
            level=code,
            scores=scores,
            disagreement=0.9,
            attack=0.9 if code in ("DH0", "DH1") else 0.05,
            acts={a.code: 0.0 for a in ACTS},
            because=(),
            suggestion="",
            model={"name": "stand-in", "version": "0"},
            top_level=code,
        )


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def make_jsonl_threads(path: Path, threads: int, per_thread: int, seed: int = 0) -> int:
    """Steelman JSONL: ``threads`` threads of ``per_thread`` replies each."""
    rng = random.Random(seed)
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for t in range(threads):
            for i in range(per_thread):
                parent = None if i == 0 else f"{t}-{rng.randrange(i)}"
                row = {
                    "id": f"{t}-{i}",
                    "parent_id": parent,
                    "author": f"u{rng.randrange(6)}",
                    "text": _text(rng, 8, 60),
                    "thread": f"t{t}",
                }
                fh.write(json.dumps(row) + "\n")
                n += 1
    return n


def make_reddit(path: Path, megabytes: int, seed: int = 0) -> int:
    """A Pushshift-style dump of about ``megabytes`` MB, threads interleaved in time order."""
    rng = random.Random(seed)
    target = megabytes * 1_000_000
    size = n = 0
    live: list[tuple[str, int]] = []  # (post id, comments so far)
    with open(path, "w", encoding="utf-8") as fh:
        while size < target:
            if len(live) < 400 or rng.random() < 0.02:
                live.append((f"p{n}", 0))
            k = rng.randrange(len(live))
            post, count = live[k]
            parent = f"t3_{post}" if count == 0 else f"t1_{post}c{rng.randrange(count)}"
            row = {
                "id": f"{post}c{count}",
                "parent_id": parent,
                "link_id": f"t3_{post}",
                "author": f"u{rng.randrange(5000)}",
                "body": _text(rng, 10, 80),
                "created_utc": 1_600_000_000 + n,
                "subreddit": "bench",
            }
            line = json.dumps(row) + "\n"
            fh.write(line)
            size += len(line)
            n += 1
            live[k] = (post, count + 1)
            if count + 1 >= 60:
                live.pop(k)
    return n


def run_pipeline(source: Path, out: Path, judge: JudgeLike) -> tuple[int, int]:
    """What ``steelman threads SOURCE --out OUT`` does; returns (comments, threads)."""
    counted = [0]

    def counting(stream: Iterable[Comment]) -> Iterator[Comment]:
        for c in stream:
            counted[0] += 1
            yield c

    with read_comments(source) as comments:
        threads = write_summary(summarise(iter_threads(counting(comments)), judge), out)
    return counted[0], threads


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def speed(threads: int, per_thread: int, stand_in: bool) -> None:
    with tempfile.TemporaryDirectory() as work:
        src = Path(work) / "threads.jsonl"
        make_jsonl_threads(src, threads, per_thread)
        if stand_in:
            judge: JudgeLike = StandInJudge()
            name = "STAND-IN keyword scorer (not the judge)"
        else:
            from steelman.judge import Judge

            judge = Judge.load()
            name = "the bundled judge"
        start = time.perf_counter()
        n, t = run_pipeline(src, Path(work) / "summary.csv", judge)
        took = time.perf_counter() - start
    print(
        f"speed: {n} comments in {t} threads with {name}: {took:.1f} s, {n / took:.1f} comments/s"
    )


def memory(sizes: list[int]) -> None:
    print(
        "memory: streaming Reddit-format files through `steelman threads` with a cheap"
        " STAND-IN keyword scorer in place of the judge (reading, grouping, summarising only)"
    )
    with tempfile.TemporaryDirectory() as work:
        for mb in sizes:
            src = Path(work) / f"reddit-{mb}mb.jsonl"
            made = make_reddit(src, mb)
            proc = subprocess.run(
                [sys.executable, __file__, "--_stream", str(src)],
                capture_output=True,
                text=True,
                check=True,
            )
            peak, took, threads = proc.stdout.split()
            print(
                f"  {mb:>5} MB, {made:>9,} comments, {int(threads):>7,} threads:"
                f" peak RSS {float(peak):7.1f} MB, {float(took):6.1f} s"
            )
            src.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=100, help="Threads for the speed run.")
    ap.add_argument("--per-thread", type=int, default=20, help="Comments per thread.")
    ap.add_argument("--stand-in", action="store_true", help="Speed run without the judge.")
    ap.add_argument(
        "--stream-mb",
        type=int,
        nargs="*",
        default=[50, 200],
        help="Sizes (MB) of the Reddit files for the memory run.",
    )
    ap.add_argument("--_stream", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._stream:
        start = time.perf_counter()
        src = Path(args._stream)
        _, threads = run_pipeline(src, src.with_suffix(".csv"), StandInJudge())
        print(f"{_peak_mb():.1f} {time.perf_counter() - start:.1f} {threads}")
        return
    speed(args.threads, args.per_thread, args.stand_in)
    if args.stream_mb:
        memory(args.stream_mb)


if __name__ == "__main__":
    main()
