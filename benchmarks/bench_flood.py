"""Benchmark the comment server under a judge flood: does any comment publish unjudged?

Runs the app in this process on loopback (uvicorn on 127.0.0.1, a free port, a temporary SQLite
database) for a bounded time. One client (203.0.113.1, by X-Forwarded-For with trust_proxy on)
floods POST /api/v1/judge:batch from --flooders concurrent tasks, each batch 64 unique ~1 KB
replies; another (203.0.113.2) posts a comment every --every seconds, every other one abusive,
and times each post. At the end it prints the flood's answers by status, how many comments were
published unjudged (must be 0), how many abusive ones readers can see (must be 0), and the
posting p50/p99 under the flood. Stops by itself after --seconds.

Usage: python benchmarks/bench_flood.py [--seconds 8] [--flooders 12] [--every 0.25]
       [--judge bundled|simulated] [--per-text-ms 3]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

import httpx

ABUSE = "You are a disgusting idiot and a liar, and everyone here knows it"
FINE = "No, because the figures you cite measured visitors, not what they spent"
PAGE = "https://blog.example/flood"
FLOODER = {"X-Forwarded-For": "203.0.113.1"}
POSTER = {"X-Forwarded-For": "203.0.113.2"}


class SimulatedJudge:
    """The bundled judge's answers for short texts, at a fixed cost per reply (no model load)."""

    info: ClassVar[dict[str, str]] = {"name": "simulated", "version": "bench"}

    def __init__(self, per_text_s: float) -> None:
        self.per_text_s = per_text_s
        from steelman.judge.result import Judgement

        self._judgement = Judgement

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Any]:
        time.sleep(self.per_text_s * len(texts))
        out = []
        for text in texts:
            rude = "idiot" in text
            code = "DH0" if rude else "DH4"
            out.append(
                self._judgement(
                    level=code,
                    scores={code: 0.9},
                    disagreement=0.9,
                    attack=0.9 if rude else 0.02,
                    acts={},
                    because=(),
                    suggestion="",
                    model=dict(self.info),
                    top_level=code,
                    attributes={"toxicity": 0.9 if rude else 0.05},
                )
            )
        return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _batch(flooder: int, round_: int) -> dict[str, Any]:
    filler = "the study measured footfall rather than turnover, which is what pays the rent. " * 13
    return {
        "items": [
            {"text": f"[{flooder}/{round_}/{i}] No, because {filler}"[:1024]} for i in range(64)
        ]
    }


async def _flood(base: str, flooder: int, until: float, codes: collections.Counter[int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=FLOODER) as client:
        round_ = 0
        while time.monotonic() < until:
            round_ += 1
            try:
                r = await client.post("/api/v1/judge:batch", json=_batch(flooder, round_))
                codes[r.status_code] += 1
            except httpx.HTTPError:
                codes[0] += 1


async def _post(base: str, every: float, until: float, waits: list[float]) -> int:
    posted = 0
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=POSTER) as client:
        await asyncio.sleep(1.0)  # let the flood fill the queue first
        while time.monotonic() < until:
            text = f"{ABUSE if posted % 2 == 0 else FINE} (#{posted})."
            started = time.perf_counter()
            r = await client.post("/api/comments", json={"uri": PAGE, "text": text})
            waits.append(time.perf_counter() - started)
            if r.status_code not in (200, 201):
                print(f"post {posted}: {r.status_code} {r.text[:200]}", file=sys.stderr)
            posted += 1
            await asyncio.sleep(every)
    return posted


async def _run(base: str, args: argparse.Namespace) -> tuple[Any, ...]:
    until = time.monotonic() + args.seconds
    codes: collections.Counter[int] = collections.Counter()
    waits: list[float] = []
    flood = [_flood(base, i, until, codes) for i in range(args.flooders)]
    results = await asyncio.gather(_post(base, args.every, until, waits), *flood)
    return results[0], codes, waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--flooders", type=int, default=12)
    parser.add_argument("--every", type=float, default=0.25)
    parser.add_argument("--judge", choices=("bundled", "simulated"), default="bundled")
    parser.add_argument("--per-text-ms", type=float, default=3.0)
    args = parser.parse_args()

    import uvicorn

    from steelman.server import create_app, load_settings

    judge: Any
    if args.judge == "bundled":
        from steelman.judge import Judge

        judge = Judge.load()
    else:
        judge = SimulatedJudge(args.per_text_ms / 1000)
    with tempfile.TemporaryDirectory(prefix="steelman-flood-") as folder:
        settings = load_settings(
            database=f"sqlite:///{Path(folder) / 'flood.db'}",
            trust_proxy=True,
            rate_post_per_minute=100_000,
            rate_judge_per_minute=100_000,
            rejudge_interval_s=3600.0,  # the figure is what posting did, not what caught up
        )
        app = create_app(settings, judge=judge)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="on")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise SystemExit("the server did not start")
            time.sleep(0.05)
        try:
            posted, codes, waits = asyncio.run(_run(f"http://127.0.0.1:{port}", args))
        finally:
            server.should_exit = True
            thread.join(30)
        store = app.state.steelman.store
        with store.backend.transaction() as cur:
            rows = cur.execute("SELECT status, judged, text FROM comments WHERE source = 'widget'")
        store.close()
    unjudged_published = sum(1 for r in rows if r["status"] == "published" and not r["judged"])
    held_unjudged = sum(1 for r in rows if r["status"] == "pending" and not r["judged"])
    abuse_shown = sum(1 for r in rows if r["status"] == "published" and ABUSE in r["text"])
    waits.sort()
    p99 = waits[min(len(waits) - 1, int(0.99 * len(waits)))] if waits else float("nan")
    print(f"judge: {args.judge}; {args.seconds:g} s; {args.flooders} flooding tasks of 64 replies")
    print("flood answers by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(codes.items())))
    print(f"comments posted: {posted} (stored {len(rows)})")
    print(f"comments published unjudged: {unjudged_published} (must be 0)")
    print(f"abusive comments readers can see: {abuse_shown} (must be 0)")
    print(f"comments held unjudged (for the re-judge pass): {held_unjudged}")
    if waits:
        print(
            f"posting latency under flood: p50 {statistics.median(waits) * 1000:.0f} ms,"
            f" p99 {p99 * 1000:.0f} ms"
        )
    if unjudged_published or abuse_shown:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
