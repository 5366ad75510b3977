"""Benchmark `steelman serve` on loopback: judge requests/s and p50/p99 latency.

Starts the server (bundled model, temporary SQLite) in a child process, then for each
concurrency level sends single-reply requests (POST /api/v1/judge, 300-character replies)
and batched requests (POST /api/v1/judge:batch, 16 replies each) for a bounded time, once
clean and once with malformed requests mixed in (every fifth request of each client: a lone
surrogate, a NUL, JSON nested 100,000 deep, a Perspective body with a list for its context).
Latencies are those of the good requests; any 5xx a good request sees is counted and reported,
as is any malformed request not answered with a 4xx. The library's own judge_batch throughput
on the same replies is measured first, as the reference the server's micro-batcher should
approach. Each figure is the median of --repeat runs.

Usage: python benchmarks/bench_server.py [--seconds 4] [--levels 1,10] [--repeat 3] [--out F]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from steelman.judge import Judge

TARGET_P99_MS = 100.0
BATCH = 16
_SENTENCE = (
    "the study you cite measured visitors not sales so the footfall figure says little about"
    " whether shops did better because turnover is what pays rent and I think the data from"
    " Ghent shows buses first then the ban which is the order that matters here honestly"
)
_WORDS = _SENTENCE.split()


def replies(n: int, seed: int = 7) -> list[str]:
    """``n`` different replies of 300 characters."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        text = ""
        while len(text) < 300:
            text += rng.choice(_WORDS) + " "
        out.append(text[:299].strip() + ".")
    return out


def library_rate(texts: list[str]) -> float:
    judge = Judge.load()
    judge.judge_batch(texts[:32], [None] * 32)  # warm up
    start = time.perf_counter()
    for i in range(0, len(texts), 32):
        chunk = texts[i : i + 32]
        judge.judge_batch(chunk, [None] * len(chunk))
    return len(texts) / (time.perf_counter() - start)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    env = {**os.environ, "STEELMAN_RATE_JUDGE_PER_MINUTE": "0", "STEELMAN_REJUDGE_INTERVAL_S": "0"}
    cmd = [
        sys.executable,
        "-c",
        "from steelman.cli import main; main()",
        "serve",
        "--database",
        f"sqlite:///{folder / 'bench.db'}",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start within 60 s")


MALFORMED: tuple[tuple[str, bytes], ...] = (
    ("/api/v1/judge", b'{"text": "one bad \\ud800 character"}'),
    ("/api/comments", b'{"uri": "bench", "text": "x \\ud800 y"}'),
    ("/api/v1/judge", b'{"text": "a NUL \\u0000 here"}'),
    ("/api/v1/judge", b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    (
        "/v1alpha1/comments:analyze",
        b'{"comment": {"text": "No."}, "context": [{"text": "a"}],'
        b' "requestedAttributes": {"INSULT": {}}}',
    ),
)
MALFORMED_EVERY = 5


async def run_level(
    url: str,
    texts: list[str],
    clients: int,
    seconds: float,
    batch: int,
    tag: str,
    malformed: bool = False,
) -> dict[str, float]:
    """``clients`` concurrent loops for ``seconds``; latencies in ms, throughput in replies/s.

    With ``malformed``, every fifth request of each loop is a malformed one (not timed)."""
    latencies: list[float] = []
    done = 0
    errors = 0
    good_5xx = 0
    bad_sent = 0
    bad_not_4xx = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def loop(client: httpx.AsyncClient, k: int) -> None:
        nonlocal done, errors, good_5xx, bad_sent, bad_not_4xx
        i = k
        n = 0
        while time.perf_counter() < stop:
            n += 1
            if malformed and n % MALFORMED_EVERY == 0:
                path, raw = MALFORMED[(n // MALFORMED_EVERY + k) % len(MALFORMED)]
                r = await client.post(
                    path, content=raw, headers={"content-type": "application/json"}
                )
                bad_sent += 1
                bad_not_4xx += int(not 400 <= r.status_code < 500)
                continue
            # every request distinct (the server remembers judgements it has already made)
            if batch == 1:
                path, body = "/api/v1/judge", {"text": f"{texts[i % len(texts)]} ({tag}{i})"}
            else:
                items = [
                    {"text": f"{texts[(i + j) % len(texts)]} ({tag}{i}.{j})"} for j in range(batch)
                ]
                path, body = "/api/v1/judge:batch", {"items": items}
            t0 = time.perf_counter()
            r = await client.post(path, json=body)
            latencies.append((time.perf_counter() - t0) * 1000)
            if r.status_code == 200:
                done += batch
            else:
                errors += 1
                good_5xx += int(r.status_code >= 500)
            i += clients

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        await client.post("/api/v1/judge", json={"text": "Warm-up."})  # open the connection
        start = time.perf_counter()
        await asyncio.gather(*(loop(client, k) for k in range(clients)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "good_5xx": good_5xx,
        "malformed_sent": bad_sent,
        "malformed_not_4xx": bad_not_4xx,
        "replies_per_s": done / elapsed,
        "requests_per_s": len(latencies) / elapsed,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=4.0, help="per concurrency level and mode")
    ap.add_argument("--levels", default="1,10", help="concurrent clients, comma-separated")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", help="also write the figures as JSON here")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    texts = replies(512)
    lib = statistics.median(library_rate(texts) for _ in range(args.repeat))
    print(f"library judge_batch: {lib:.0f} replies/s (300-character replies, batches of 32)")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="steelman-bench-") as folder:
        proc, url = start_server(Path(folder))
        try:
            modes = [(m, b, bad) for m, b in (("single", 1), ("batch", BATCH)) for bad in (0, 1)]
            for mode, batch, bad in modes:
                for clients in levels:
                    runs = [
                        asyncio.run(
                            run_level(
                                url,
                                texts,
                                clients,
                                args.seconds,
                                batch,
                                f"{mode}{clients}{bad}.{r}:",
                                malformed=bool(bad),
                            )
                        )
                        for r in range(args.repeat)
                    ]
                    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                    worst = {k: max(r[k] for r in runs) for k in ("good_5xx", "malformed_not_4xx")}
                    mix = "+bad" if bad else "clean"
                    rows.append({"mode": mode, "mix": mix, "clients": clients, **med, **worst})
                    print(
                        f"{mode:6} {mix:5} x{clients:<3} {med['replies_per_s']:7.0f} replies/s"
                        f" {med['requests_per_s']:7.1f} req/s  p50 {med['p50_ms']:6.1f} ms"
                        f"  p99 {med['p99_ms']:6.1f} ms  errors {med['errors']:.0f}"
                        f"  5xx on good {worst['good_5xx']:.0f}"
                        + (
                            f"  malformed {med['malformed_sent']:.0f} sent,"
                            f" {worst['malformed_not_4xx']:.0f} not 4xx"
                            if bad
                            else ""
                        )
                    )
        finally:
            proc.terminate()
            proc.wait(10)
    hurt = sum(r["good_5xx"] for r in rows)
    print(f"5xx answers to good requests: {hurt:.0f}" + ("" if hurt else " (none)"))
    target = next(
        (r for r in rows if r["mode"] == "single" and r["mix"] == "clean" and r["clients"] == 10),
        None,
    )
    if target is not None:
        verdict = "meets" if target["p99_ms"] <= TARGET_P99_MS else "MISSES"
        print(
            f"target: p99 <= {TARGET_P99_MS:.0f} ms for one reply at 10 clients:"
            f" {target['p99_ms']:.1f} ms, {verdict} it"
        )
    if args.out:
        Path(args.out).write_text(
            json.dumps({"library_replies_per_s": lib, "rows": rows}, indent=2)
        )


if __name__ == "__main__":
    main()
