"""Benchmark ``steelman score`` (streaming batch scoring).

1. Speed, with the real bundled judge, on the same generated rows in the same run:
   - the raw model: ``Judge.judge_batch`` on chunks of 256 rows (no reading, no writing);
   - ``score_file`` end to end with ``--workers 1`` and with ``--workers 2``;
   each repeated (``--repeats``) and reported as the median, with end-to-end / raw model, in
   wall-clock replies/s and in CPU time per reply (this process plus its worker processes,
   start-up included), which other work on a shared machine does not distort.
2. Memory: peak RSS of ``score_file`` on generated JSONL inputs of growing size (10k, 100k, 1M
   rows), each in a fresh process. Judging 1M rows would take hours here, so this part uses a
   NULL STAND-IN judge (a fixed judgement, said again in the output): it measures everything but
   the encoder (reading, preparing, parent lookup by id, writing, checkpoints, joining). The
   judge's own memory does not grow with the input (it sees one chunk at a time).

    python benchmarks/bench_score.py                     # 1,000 rows x 3; 10k/100k/1M rows
    python benchmarks/bench_score.py --rows 2000 --memory-rows 10000 100000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

from steelman.batch import JudgeFactory, score_file
from steelman.judge.result import Judgement

OPENERS = [
    "You clearly never read the article.",
    "The study you cite had 40 participants and no control group.",
    "That is not what the author claims; she says the effect is regional.",
    "Only an idiot would believe that.",
    "Can you link the source for the 12% figure?",
    "Fair point, I had not considered the tax side.",
    "Your tone is rude, but the numbers do support you.",
    "The central claim fails: wages rose in both states, so the policy cannot explain the gap.",
]
FILLER = ["the", "data", "from", "audit", "shows", "costs", "rose", "while", "output", "stayed"]
FILLER += ["flat", "in", "every", "region", "because", "evidence", "says", "otherwise"]


def make_row(i: int, rng: random.Random) -> dict[str, Any]:
    """A synthetic reply with an id, a parent id in the same thread, and a parent text."""
    thread = i // 50
    words = rng.choices(FILLER, k=rng.randint(5, 60))
    return {
        "id": f"c{i}",
        "parent_id": f"c{i - rng.randint(1, 20)}" if i % 50 else None,
        "thread": f"t{thread}",
        "text": f"{rng.choice(OPENERS)} {' '.join(words)}",
        "parent": f"{rng.choice(OPENERS)} {' '.join(rng.choices(FILLER, k=20))}",
    }


def write_input(path: Path, rows: int, *, with_parent_text: bool = True) -> Path:
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(rows):
            row = make_row(i, rng)
            if not with_parent_text:
                del row["parent"]
            fh.write(json.dumps(row) + "\n")
    return path


class NullJudge:
    """STAND-IN judge for the memory runs: the same fixed judgement for every reply."""

    info: ClassVar[dict[str, str]] = {"name": "null-stand-in", "version": "0"}

    def __init__(self) -> None:
        levels = ("DH0", "DH1", "DH2", "DH3", "DH4", "DH5", "DH6")
        self.fixed = Judgement(
            level="DH4",
            scores={code: 1 / 7 for code in levels},
            disagreement=0.9,
            attack=0.1,
            acts={"question": 0.1},
            because=(),
            suggestion="Quote the claim you disagree with.",
            model=dict(self.info),
        )

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        return [self.fixed] * len(texts)


def speed(rows: int, repeats: int, folder: Path) -> None:
    from steelman.judge import Judge

    src = write_input(folder / "speed.jsonl", rows)
    data = [json.loads(line) for line in src.read_text().splitlines()]
    texts, parents = [r["text"] for r in data], [r["parent"] for r in data]
    load_before = os.getloadavg()[0]
    raw, one, two = [], [], []
    cpu: dict[str, list[float]] = {"raw": [], "one": [], "two": []}
    for _ in range(repeats):  # a fresh judge each time: its embedding cache starts empty
        judge = Judge.load()  # as users get it: encodes on every core
        with _Cpu(cpu["raw"], rows):
            raw.append(_raw(judge, texts, parents))
        with _Cpu(cpu["one"], rows):
            one.append(_run(src, folder / "out1.jsonl", 1))
        with _Cpu(cpu["two"], rows):
            two.append(_run(src, folder / "out2.jsonl", 2))
    model = statistics.median(raw)
    print(f"speed ({rows:,} rows, median of {repeats}; {os.cpu_count()} cores here;"
          f" load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after):")  # fmt: skip
    print(
        f"  raw model judge_batch, chunks of 256 {model:8.1f} replies/s (Judge.load(), all cores)"
    )
    for name, rates in (("--workers 1", one), ("--workers 2", two)):
        rate = statistics.median(rates)
        print(f"  score_file {name}             {rate:8.1f} replies/s = {rate / model:6.1%} of raw")
    per_reply = {name: statistics.median(values) for name, values in cpu.items()}
    print("  CPU time per reply (this process and its workers; unaffected by other load):")
    for name, label in (("raw", "raw model"), ("one", "--workers 1"), ("two", "--workers 2")):
        share = per_reply["raw"] / per_reply[name]
        print(f"    {label:<12} {per_reply[name] * 1000:7.2f} ms  = model share {share:6.1%}")
    print(f"  all runs: raw {_fmt(raw)}; workers 1 {_fmt(one)}; workers 2 {_fmt(two)}")


class _Cpu:
    """Adds the CPU seconds per reply of this process and its finished children to ``into``."""

    def __init__(self, into: list[float], replies: int) -> None:
        self.into, self.replies = into, replies

    @staticmethod
    def _now() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    def __enter__(self) -> None:
        self.began = self._now()

    def __exit__(self, *exc: object) -> None:
        self.into.append((self._now() - self.began) / self.replies)


def _raw(judge: Any, texts: list[str], parents: list[str | None]) -> float:
    began = time.perf_counter()
    for start in range(0, len(texts), 256):
        judge.judge_batch(texts[start : start + 256], parents[start : start + 256])
    return len(texts) / (time.perf_counter() - began)


def _run(src: Path, out: Path, workers: int) -> float:
    """Replies/s of one end-to-end run, wall clock (worker start-up included)."""
    began = time.perf_counter()
    summary = score_file(src, out, JudgeFactory(), workers=workers, resume=False)
    return summary.judged / (time.perf_counter() - began)


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def memory(sizes: list[int], folder: Path) -> None:
    print("peak RSS of score_file with the NULL STAND-IN judge (not the model), fresh process:")
    for by_id in (False, True):
        for rows in sizes:
            _memory_run(folder, rows, by_id)


def _memory_run(folder: Path, rows: int, by_id: bool) -> None:
    src = write_input(folder / f"mem{rows}.jsonl", rows, with_parent_text=not by_id)
    out = folder / f"mem{rows}.out.jsonl.zst"
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(src), str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    peak_mb, seconds, judged = json.loads(result.stdout.splitlines()[-1])
    size = src.stat().st_size / 1e6
    mode = "parents by id, window 100k" if by_id else "parent text in the row"
    print(
        f"  {rows:>9,} rows ({size:7.1f} MB JSONL, {mode}) -> {peak_mb:6.1f} MB peak"
        f" RSS, {judged / seconds:8.0f} rows/s (pipeline without the model)"
    )
    src.unlink()
    out.unlink()


def child(src: Path, out: Path) -> None:
    began = time.perf_counter()
    summary = score_file(src, out, NullJudge, workers=1, resume=False)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps([peak_kb / 1024, time.perf_counter() - began, summary.judged]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1000, help="rows for the speed part")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-rows", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="bench-score-") as tmp:
        folder = Path(tmp)
        if args.rows:
            speed(args.rows, args.repeats, folder)
        if args.memory_rows:
            memory(args.memory_rows, folder)


if __name__ == "__main__":
    main()
