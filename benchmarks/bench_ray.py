"""Benchmark the Ray engine against the local engine, and estimate a month of Reddit.

1. Replies/s of ``score_file`` on the same generated rows with the real bundled judge:
   the local engine with 2 worker processes, and the Ray engine on a local Ray cluster with
   2 CPUs (2 judge actors); wall clock, start-up included, median of ``--repeats``.
2. An estimate of the hours and cost to judge one month of Reddit comments (~250M) on N nodes,
   from the measured per-worker throughput (Ray replies/s / 2 workers), assuming one worker per
   vCPU on 16-vCPU nodes at an assumed on-demand price (``--node-price``, default $0.714/h, an
   AWS c7i.4xlarge in us-east-1). One output file is written by one driver, so the estimate is
   capped by the driver's measured rate without the model (reading, preparing, writing).

    python benchmarks/bench_ray.py                  # 600 rows x 3
    python benchmarks/bench_ray.py --rows 2000 --repeats 5
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench_score import NullJudge, write_input
from steelman.batch import JudgeFactory, score_file

MONTH = 250_000_000


def _rate(src: Path, out: Path, **options: object) -> float:
    began = time.perf_counter()
    summary = score_file(src, out, resume=False, **options)  # type: ignore[arg-type]
    return summary.judged / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--vcpus", type=int, default=16, help="vCPUs (workers) per node")
    parser.add_argument("--node-price", type=float, default=0.714, help="USD per node-hour")
    args = parser.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray
    import ray.data  # sets up its loggers on import: quieten them after

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    logging.getLogger("ray").setLevel(logging.ERROR)
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    load_before = os.getloadavg()[0]
    try:
        with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
            folder = Path(tmp)
            src = write_input(folder / "in.jsonl", args.rows)
            local, remote = [], []
            for _ in range(args.repeats):
                local.append(_rate(src, folder / "local.jsonl", workers=2))
                remote.append(
                    _rate(src, folder / "ray.jsonl", workers=2, engine="ray",
                          judge_factory=JudgeFactory())
                )  # fmt: skip
            same = (folder / "local.jsonl").read_bytes() == (folder / "ray.jsonl").read_bytes()
            big = write_input(folder / "big.jsonl", 50_000)
            driver = _rate(big, folder / "big.out.jsonl", workers=1, judge_factory=NullJudge)
    finally:
        ray.shutdown()
    load_after = os.getloadavg()[0]
    local_rate, ray_rate = statistics.median(local), statistics.median(remote)
    print(
        f"{args.rows:,} rows, median of {args.repeats} (wall clock, start-up included;"
        f" {os.cpu_count()} cores, load average {load_before:.1f} before, {load_after:.1f} after):"
    )
    print(f"  local engine, 2 worker processes  {local_rate:7.1f} replies/s  (runs: {_f(local)})")
    print(f"  Ray engine, 2 actors (local Ray)  {ray_rate:7.1f} replies/s  (runs: {_f(remote)})")
    print(f"  Ray / local                       {ray_rate / local_rate:7.1%}")
    print(f"  same output bytes as local: {same}")
    per_worker = ray_rate / 2
    print(f"\nestimate for one month of Reddit ({MONTH / 1e6:.0f}M comments):")
    print(f"  per worker (measured, Ray): {per_worker:.1f} replies/s; {args.vcpus} workers/node;")
    print(f"  node price assumed ${args.node_price:.3f}/h (16-vCPU c7i.4xlarge on-demand)")
    print(f"  one driver writes one file at most {driver:,.0f} rows/s (measured, no model)")
    print("   nodes   replies/s     hours      cost")
    for nodes in (1, 10, 25, 50, 100):
        rate = min(per_worker * args.vcpus * nodes, driver)
        hours = MONTH / rate / 3600
        capped = " (driver-bound: split the month into files)" if rate == driver else ""
        cost = hours * nodes * args.node_price
        print(f"  {nodes:>6} {rate:>11,.0f} {hours:>9.1f} {cost:>9,.0f} USD{capped}")


def _f(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


if __name__ == "__main__":
    main()
