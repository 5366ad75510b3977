"""Benchmark the Perspective drop-in on loopback: p50/p99 latency per comment at 10 connections.

Starts `steelman serve` (bundled model, temporary SQLite) in a child process, then 10 concurrent
clients (one keep-alive connection each, as a site's comment pipeline would hold) send
``comments:analyze`` requests for a bounded time: Coral Talk's shape (TOXICITY, doNotStore,
languages) and Discourse's (TOXICITY or SEVERE_TOXICITY, sessionId), alternating, every comment
distinct (the server remembers judgements it has already made, except with doNotStore). Each
request is one comment, so its latency is the latency per comment. By default each client sends
its next request as soon as the last is answered (the most the server can take); with --rate the
clients together send that many requests a second, spread evenly (a site's real traffic: the free
Perspective quota is 1 a second). The target in issue 10 is p99 <= 100 ms; the figures are
printed, not asserted. Each figure is the median of --repeat runs.

Usage: python benchmarks/bench_perspective.py [--seconds 8] [--clients 10] [--rate 0] [--repeat 3]
       [--out F]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_server import replies, start_server

TARGET_P99_MS = 100.0
PATH = "/v1alpha1/comments:analyze?key=not-a-google-key"


def coral(text: str) -> dict[str, Any]:
    """Coral Talk's request (tests/server/perspective_clients.py says where it comes from)."""
    return {
        "comment": {"text": text},
        "doNotStore": True,
        "requestedAttributes": {"TOXICITY": {}},
        "languages": ["en"],
    }


def discourse(text: str, severe: bool) -> dict[str, Any]:
    """The Discourse plugin's request."""
    name = "SEVERE_TOXICITY" if severe else "TOXICITY"
    return {
        "comment": {"text": text},
        "doNotStore": True,
        "sessionId": "https://forum.example_7",
        "requestedAttributes": {name: {"scoreType": "PROBABILITY"}},
    }


async def run(
    url: str, texts: list[str], clients: int, seconds: float, tag: str, rate: float = 0.0
) -> dict[str, Any]:
    latencies: list[float] = []
    gap = clients / rate if rate > 0 else 0.0  # seconds between one client's requests
    failures = 0
    stop = time.perf_counter() + seconds

    async def loop(k: int) -> None:
        nonlocal failures
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
            await client.post(PATH, json=coral("Warm-up."))  # open the connection
            i = k
            due = time.perf_counter() + gap * k / clients
            while time.perf_counter() < stop:
                if gap:
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                    due += gap
                text = f"{texts[i % len(texts)]} ({tag}{i})"
                body = coral(text) if i % 2 == 0 else discourse(text, severe=i % 4 == 1)
                t0 = time.perf_counter()
                r = await client.post(PATH, json=body)
                latencies.append((time.perf_counter() - t0) * 1000)
                failures += int(r.status_code != 200)
                i += clients

    start = time.perf_counter()
    await asyncio.gather(*(loop(k) for k in range(clients)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "failures": failures,
        "comments_per_s": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0, help="per run")
    ap.add_argument("--clients", type=int, default=10, help="concurrent connections")
    ap.add_argument("--rate", type=float, default=0.0, help="requests/s in all (0: flat out)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", help="also write the figures as JSON here")
    args = ap.parse_args()
    texts = replies(512)
    runs = []
    with tempfile.TemporaryDirectory(prefix="steelman-bench-") as folder:
        proc, url = start_server(Path(folder))
        try:
            for r in range(args.repeat):
                runs.append(
                    asyncio.run(run(url, texts, args.clients, args.seconds, f"r{r}-", args.rate))
                )
        finally:
            proc.terminate()
            proc.wait(10)
    summary = {
        key: statistics.median(run[key] for run in runs)
        for key in ("comments_per_s", "p50_ms", "p99_ms")
    }
    summary |= {"failures": sum(r["failures"] for r in runs), "clients": args.clients}
    pace = f"{args.rate:g} requests/s" if args.rate else "flat out"
    print(
        f"Perspective drop-in, {args.clients} connections ({pace}), 300-character comments"
        f" (Coral and Discourse requests): {summary['comments_per_s']:.0f} comments/s,"
        f" p50 {summary['p50_ms']:.1f} ms, p99 {summary['p99_ms']:.1f} ms"
        f" (target p99 <= {TARGET_P99_MS:.0f} ms), {summary['failures']} non-200 answers"
    )
    if args.out:
        Path(args.out).write_text(json.dumps({"summary": summary, "runs": runs}, indent=2))


if __name__ == "__main__":
    main()
