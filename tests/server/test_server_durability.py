"""No acknowledged comment is lost: SIGKILL during a burst; concurrent posters over real sockets."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from serverkit import ServerProcess, ThreadedServer, make_app

from steelman.server.db import Store

PAGE = "https://blog.example/burst"
FAST = {"STEELMAN_RATE_POST_PER_MINUTE": "1000000", "STEELMAN_RATE_JUDGE_PER_MINUTE": "1000000"}


def test_sigkill_during_a_burst_loses_no_acknowledged_comment(database: str) -> None:
    url = database
    server = ServerProcess(url, env=FAST).start()
    acknowledged: dict[int, str] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def poster(worker: int) -> None:
        with httpx.Client(base_url=server.url, timeout=5) as client:
            i = 0
            while not stop.is_set():
                text = f"No, because reason {worker}-{i}."
                try:
                    r = client.post(
                        "/api/comments",
                        json={"uri": PAGE, "text": text, "request_id": f"{worker}-{i}"},
                    )
                except httpx.HTTPError:
                    return  # the server died mid-request: not acknowledged
                if r.status_code == 201:
                    with lock:
                        acknowledged[r.json()["comment"]["id"]] = text
                i += 1

    try:
        with ThreadPoolExecutor(6) as pool:
            for w in range(6):
                pool.submit(poster, w)
            deadline = time.monotonic() + 20
            while len(acknowledged) < 150 and time.monotonic() < deadline:
                time.sleep(0.01)
            server.kill()  # SIGKILL, mid-burst
            stop.set()
    finally:
        server.stop()
    assert len(acknowledged) >= 150
    restarted = ServerProcess(url, env=FAST).start()
    try:
        listed, cursor = [], None
        while True:
            params = {"uri": PAGE, **({"cursor": cursor} if cursor else {})}
            page = httpx.get(f"{restarted.url}/api/threads", params=params).json()
            listed += page["comments"]
            if not (cursor := page["next"]):
                break
    finally:
        restarted.stop()
    stored = {c["id"]: c["text"] for c in listed}
    missing = {i: t for i, t in acknowledged.items() if stored.get(i) != t}
    assert missing == {}


def test_concurrent_posters_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    app = make_app(tmp_path, rate_post_per_minute=1_000_000, rate_judge_per_minute=1_000_000)

    def poster(base: str, worker: int) -> list[int]:
        ids = []
        with httpx.Client(base_url=base, timeout=10) as client:
            for i in range(20):
                body = {
                    "uri": PAGE,
                    "text": f"No, because {worker}-{i}.",
                    "request_id": f"{worker}-{i}",
                }
                first = client.post("/api/comments", json=body)
                retry = client.post("/api/comments", json=body)  # as if the answer had been lost
                assert first.status_code == 201 and retry.status_code == 200
                assert first.json()["comment"]["id"] == retry.json()["comment"]["id"]
                ids.append(first.json()["comment"]["id"])
        return ids

    with ThreadedServer(app) as server, ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda w: poster(server.url, w), range(8)))
    store: Store = app.state.steelman.store
    thread = store.thread(PAGE)
    assert thread is not None
    texts = sorted(c.text for c in store.comments(thread.id))
    assert texts == sorted(f"No, because {w}-{i}." for w in range(8) for i in range(20))
    assert len({i for ids in results for i in ids}) == 160
