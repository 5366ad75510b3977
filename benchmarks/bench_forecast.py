"""Benchmark the thread forecast in the server: how long after a comment is stored its thread's
forecast is up to date (target: within 50 ms). Printed, not asserted.

A thread of N comments is stored with judgements shaped like the judge's (stand-ins: the judge
has already answered by the time a comment is stored, so its time is not part of this), then
each new comment is stored and :meth:`ThreadForecasts.update` timed from the moment it returns:
reading the thread back, one feature computation, the model, writing the forecast. A moderation
action recomputes the whole trajectory instead; that is timed too. The bundled escalation model
is used.

    python benchmarks/bench_forecast.py                  # threads of 10, 100, 500 comments
    python benchmarks/bench_forecast.py --sizes 50 2000 --repeats 50
    python benchmarks/bench_forecast.py --database postgresql://localhost/steelman_bench
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from steelman.levels import ACTS, LEVELS
from steelman.server.db import Store
from steelman.server.forecasting import ThreadForecasts
from steelman.threads.escalation import load_bundled_escalation


def judgement(rng: random.Random) -> dict[str, Any]:
    """A judgement dict as the server stores it (its evidence is what a real one holds)."""
    top = rng.choice([lv.code for lv in LEVELS])
    scores = {lv.code: (0.7 if lv.code == top else 0.05) for lv in LEVELS}
    attack = scores["DH0"] + scores["DH1"]
    return {
        "level": top,
        "label": top,
        "scores": scores,
        "disagreement": rng.random(),
        "attack": attack,
        "acts": {a.code: rng.random() * 0.3 for a in ACTS},
        "act_labels": [],
        "top_level": top,
        "attributes": {
            k: rng.random() * attack
            for k in ("toxicity", "insult", "identity_attack", "threat", "profanity", "reasons")
        },
        "because": [{"start": 0, "end": 5, "text": "words", "reason": "a cue", "points_to": top}],
        "suggestion": "Say why.",
        "model": {"name": "steelman-judge", "version": "bench"},
    }


def ms(xs: list[float]) -> str:
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(0.95 * len(xs)))]
    return f"median {statistics.median(xs) * 1000:6.2f} ms  p95 {p95 * 1000:6.2f} ms"


def run(url: str, sizes: list[int], repeats: int) -> None:
    store = Store.open(url)
    forecasts = ThreadForecasts(store, load_bundled_escalation())
    rng = random.Random(0)
    text = "You clearly never read the audit, because the 2019 figures say otherwise. " * 3
    print(f"database: {url.split('?')[0]}")
    for n in sizes:
        thread = store.thread(f"https://bench.example/{n}-{time.time_ns()}", create=True)
        assert thread is not None
        last = None
        for _ in range(n):
            last, _ = store.add_comment(
                thread_id=thread.id,
                parent_id=last.id if last is not None and rng.random() < 0.7 else None,
                text=text,
                status="published",
                actor="bench",
                judgement=judgement(rng),
            )
        forecasts.update(thread.id)
        new_comment, full = [], []
        for _ in range(repeats):
            assert last is not None
            last, _ = store.add_comment(
                thread_id=thread.id,
                parent_id=last.id,
                text=text,
                status="published",
                actor="bench",
                judgement=judgement(rng),
            )
            t0 = time.perf_counter()
            forecasts.update(thread.id, new=last)
            new_comment.append(time.perf_counter() - t0)
        for _ in range(max(3, repeats // 10)):
            t0 = time.perf_counter()
            forecasts.update(thread.id)
            full.append(time.perf_counter() - t0)
        print(
            f"thread of {n:5d} comments: after a new comment {ms(new_comment)}"
            f"  | whole trajectory (after moderation) {ms(full)}"
        )
    store.close()
    print("target: the forecast is up to date within 50 ms of a new comment being stored")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--database", default=None, help="A database URL (default: SQLite).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="steelman-bench-") as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench.db'}"
        run(url, args.sizes, args.repeats)


if __name__ == "__main__":
    main()
