"""Issue 16, round two: the comment server under a judge flood, approval of a version the
moderator never saw, slow mode raced, moderator notes impersonated, banned authors editing, the
demo's empty "Heating up" page, and a client's X-Forwarded-Host passing the Origin check.

Each test failed on the code before its fix.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from serverkit import MODERATOR, BrokenJudge, RuleJudge, SlowJudge, login, make_app

from steelman.judge.result import Judgement
from steelman.server.demo import DEMO_URI, seed_demo
from steelman.server.forecasting import ThreadForecasts
from steelman.server.judging import MicroBatcher
from steelman.threads import EscalationModel

PAGE = "https://blog.example/hardening-c"
ABUSE = "You are a disgusting idiot and a liar, and everyone here knows it."


class GatedJudge(RuleJudge):
    """Holds its first batch until ``release`` is set (at most ``hold_s``), then takes
    ``per_text_s`` a reply: a judge busy with a flood, whose queue the test can fill first."""

    def __init__(self, per_text_s: float = 0.0, hold_s: float = 10.0) -> None:
        super().__init__()
        self.per_text_s = per_text_s
        self.hold_s = hold_s
        self.entered = threading.Event()
        self.release = threading.Event()
        self.seen: list[str] = []

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        if not self.entered.is_set():
            self.entered.set()
            self.release.wait(self.hold_s)
        time.sleep(self.per_text_s * len(texts))  # the work itself, not a wait for the test
        self.seen.extend(texts)
        return super().judge_batch(texts, parents)


def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for ``condition`` (a state of the server, polled), failing after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the server never reached the state the test waits for")
        time.sleep(0.005)


def _texts(tag: str, n: int) -> list[dict[str, str]]:
    return [
        {"text": f"{tag} {i}: " + "No, because the figures say otherwise. " * 25} for i in range(n)
    ]


def _in_background(fn: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    thread.start()
    return thread, out


# 1. A judge flood made abuse publish unjudged ------------------------------------------------


def test_abuse_posted_during_a_judge_batch_flood_is_judged_not_published_unjudged(
    tmp_path: Path,
) -> None:
    judge = GatedJudge(per_text_s=0.003)
    app = make_app(tmp_path, judge=judge, judge_timeout_s=1.0, batch_window_ms=0.0)
    queue = app.state.steelman.batcher._queue
    with TestClient(app) as client:
        flood = [
            _in_background(
                lambda i=i: client.post("/api/v1/judge:batch", json={"items": _texts(f"f{i}", 64)})
            )
            for i in range(12)
        ]
        judge.entered.wait(10)
        _until(lambda: queue.qsize() >= 400 or all(not t.is_alive() for t, _ in flood))
        before = queue.qsize()
        poster, posted = _in_background(
            lambda: client.post("/api/comments", json={"uri": PAGE, "text": ABUSE})
        )
        _until(lambda: queue.qsize() > before)  # the comment is queued behind (or before) it
        judge.release.set()
        poster.join(30)
        for thread, _ in flood:
            thread.join(60)
        r = posted[0]
        assert r.status_code == 201
        comment = r.json()["comment"]
        assert comment["level"] == "DH0"  # judged in time, ahead of the bulk work
        assert comment["status"] == "pending"
        shown = client.get("/api/threads", params={"uri": PAGE}).json()["comments"]
        assert shown == []
        codes = sorted(out[0].status_code for _, out in flood)
        assert 429 in codes  # one address cannot queue 768 replies (the cap is 512)
        assert all(code in (200, 429, 503) for code in codes)


def test_one_client_cannot_queue_more_judge_work_than_its_cap(tmp_path: Path) -> None:
    judge = GatedJudge()
    app = make_app(tmp_path, judge=judge, max_queued_per_client=128, batch_window_ms=0.0)
    queue = app.state.steelman.batcher._queue
    with TestClient(app) as client:
        first = [
            _in_background(
                lambda i=i: client.post("/api/v1/judge:batch", json={"items": _texts(f"c{i}", 64)})
            )
            for i in range(2)
        ]
        judge.entered.wait(10)
        _until(lambda: queue.qsize() >= 64)
        third = client.post("/api/v1/judge:batch", json={"items": _texts("c3", 64)})
        assert third.status_code == 429 and third.json()["error"]["code"] == "rate_limited"
        assert "waiting to be judged" in third.json()["error"]["message"]
        judge.release.set()
        for thread, out in first:
            thread.join(30)
            assert out[0].status_code == 200
        # the answers came back, so the cap is free again
        again = client.post("/api/v1/judge:batch", json={"items": _texts("c4", 64)})
        assert again.status_code == 200


def test_a_report_over_the_clients_cap_is_refused_at_once(tmp_path: Path) -> None:
    judge = RuleJudge()
    app = make_app(tmp_path, judge=judge, max_queued_per_client=20)
    lines = "\n".join(
        f'{{"id": "{i}", "parent_id": {"null" if i == 0 else f"{chr(34)}{i - 1}{chr(34)}"},'
        f' "thread": "t", "author": "a{i % 3}", "text": "No, because reason {i}."}}'
        for i in range(30)
    )
    with TestClient(app) as client:
        r = client.post("/report", files={"file": ("t.jsonl", lines.encode(), "application/jsonl")})
        assert r.status_code == 429
        assert judge.calls == []  # refused before any of it was queued


def test_the_replies_of_a_request_that_gave_up_are_dropped_from_the_queue() -> None:
    judge = GatedJudge()
    batcher = MicroBatcher(judge, window_ms=0.0, max_batch=4, timeout_s=0.2)
    texts = [f"No, reason {i}." for i in range(24)]
    try:
        try:
            batcher.judge_many(texts, [None] * len(texts))
        except Exception as exc:  # the first reply timed out: the request failed
            assert type(exc).__name__ == "JudgeUnavailable"
        else:
            raise AssertionError("the held judge answered in time")
    finally:
        judge.release.set()
        batcher.stop()  # drains the queue before it stops
    # only the batch already being judged when the request gave up; the rest were dropped
    assert len(judge.calls) == 1 and len(judge.seen) < len(texts)


def test_other_users_are_judged_while_one_floods_bulk_work() -> None:
    from steelman.server.judging import BULK

    judge = GatedJudge(per_text_s=0.001)
    batcher = MicroBatcher(judge, window_ms=0.0, max_batch=64, timeout_s=5.0)
    try:
        for i in range(640):
            batcher.submit(f"bulk {i}", None, priority=BULK)
        judge.entered.wait(10)
        future = batcher.submit("No, because of the data.", None)  # an interactive check
        judge.release.set()
        assert future.result(timeout=5).level == "DH4"
        # judged in the batch after the one already running, not after the 640 bulk replies
        assert judge.seen.index("No, because of the data.") < 128
    finally:
        judge.release.set()
        batcher.stop()


def test_a_comment_the_judge_cannot_judge_is_held_by_default(tmp_path: Path) -> None:
    judge = BrokenJudge()
    app = make_app(tmp_path, judge=judge)
    state = app.state.steelman
    with TestClient(app) as client:
        rude = client.post("/api/comments", json={"uri": PAGE, "text": ABUSE}).json()["comment"]
        fine = client.post("/api/comments", json={"uri": PAGE, "text": "No, because of X."})
        assert rude["status"] == "pending" and rude["level"] is None
        assert fine.json()["comment"]["status"] == "pending"
        assert client.get("/api/threads", params={"uri": PAGE}).json()["comments"] == []
        judge.fixed = True
        assert state.comments.rejudge_pending() == 2
        shown = client.get("/api/threads", params={"uri": PAGE}).json()["comments"]
        assert [c["text"] for c in shown] == ["No, because of X."]  # passed: published late
    assert state.store.comment(rude["id"]).status == "pending"  # DH0: held by the policy


def test_the_unjudged_policy_is_a_declared_setting(tmp_path: Path) -> None:
    app = make_app(tmp_path, judge=BrokenJudge(), unjudged_policy="publish")
    with TestClient(app) as client:
        r = client.post("/api/comments", json={"uri": PAGE, "text": "No, because of X."})
        assert r.json()["comment"]["status"] == "published"  # the site chose to fail open
    from steelman.errors import InputError
    from steelman.server import load_settings

    try:
        load_settings(unjudged_policy="maybe")
    except InputError as exc:
        assert "unjudged_policy" in str(exc)
    else:
        raise AssertionError("an unknown unjudged_policy was accepted")


# 2. Approving a version the moderator never saw -----------------------------------------------


def _held(client: TestClient) -> tuple[dict[str, Any], str]:
    r = client.post("/api/comments", json={"uri": PAGE, "text": "You idiot, read it again."})
    assert r.json()["comment"]["status"] == "pending"
    return r.json()["comment"], r.json()["token"]


def test_approving_names_the_version_the_moderator_read(admin: TestClient) -> None:
    held, token = _held(admin)
    shown = admin.get("/api/admin/queue").json()["items"][0]["comment"]
    edited = admin.put(
        f"/api/comments/{held['id']}",
        json={"text": "You idiot. I know where you live."},
        headers={"X-Steelman-Token": token},
    )
    assert edited.status_code == 200
    r = admin.post(f"/api/admin/comments/{held['id']}/approve", json={"version": shown["version"]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    assert admin.get("/api/threads", params={"uri": PAGE}).json()["comments"] == []
    now = admin.get("/api/admin/queue").json()["items"][0]["comment"]
    assert now["text"].endswith("I know where you live.") and now["version"] != shown["version"]
    ok = admin.post(f"/api/admin/comments/{held['id']}/approve", json={"version": now["version"]})
    assert ok.status_code == 200 and ok.json()["status"] == "published"


def test_approving_without_a_version_is_refused(admin: TestClient) -> None:
    held, _ = _held(admin)
    r = admin.post(f"/api/admin/comments/{held['id']}/approve")
    assert r.status_code == 422
    assert admin.get("/api/threads", params={"uri": PAGE}).json()["comments"] == []


def test_the_queue_page_approves_only_the_text_it_showed(admin: TestClient) -> None:
    held, token = _held(admin)
    page = admin.get("/admin").text
    form = re.search(
        rf'action="/admin/comments/{held["id"]}/approve">(.*?)</form>', page, re.DOTALL
    )
    assert form is not None
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1)))
    assert fields.get("version") == held["version"]
    admin.put(
        f"/api/comments/{held['id']}",
        json={"text": "You idiot. I know where you live."},
        headers={"X-Steelman-Token": token},
    )
    r = admin.post(f"/admin/comments/{held['id']}/approve", data=fields, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/admin")
    assert admin.get("/api/threads", params={"uri": PAGE}).json()["comments"] == []
    assert admin.get("/api/admin/queue").json()["held"] == 1  # back in the queue


def test_a_comment_its_author_withdrew_cannot_be_approved(admin: TestClient) -> None:
    held, token = _held(admin)
    gone = admin.delete(f"/api/comments/{held['id']}", headers={"X-Steelman-Token": token})
    assert gone.json()["status"] == "withdrawn"
    r = admin.post(
        f"/api/admin/comments/{held['id']}/approve", json={"version": gone.json()["version"]}
    )
    assert r.status_code == 409
    assert admin.get("/api/threads", params={"uri": PAGE}).json()["comments"] == []


# 6. Slow mode beaten by concurrent posts -----------------------------------------------------


def test_slow_mode_lets_one_of_eight_concurrent_posts_through(tmp_path: Path) -> None:
    app = make_app(tmp_path, judge=SlowJudge(delay=0.3))
    state = app.state.steelman
    thread = state.store.thread(PAGE, create=True)
    assert thread is not None
    state.comments.slow_down(thread.id, "mod", 120)
    with TestClient(app) as client:
        start = threading.Barrier(8)

        def post(i: int) -> int:
            start.wait(10)
            r = client.post("/api/comments", json={"uri": PAGE, "text": f"No, point {i}."})
            return r.status_code

        runs = [_in_background(lambda i=i: post(i)) for i in range(8)]
        for t, _ in runs:
            t.join(30)
        codes = sorted(out[0] for _, out in runs)
    assert codes == [201] + [403] * 7
    assert state.store.count_in_thread(thread.id, ("published", "pending")) == 1


# 7. Moderator notes impersonated --------------------------------------------------------------


def test_only_real_moderator_notes_are_marked_as_such(admin: TestClient) -> None:
    fake = admin.post(
        "/api/comments", json={"uri": PAGE, "author": "mod", "text": "No, mods say stop."}
    )
    assert fake.status_code == 201
    thread = admin.app.state.steelman.store.thread(PAGE)  # type: ignore[attr-defined]
    note = admin.post(f"/api/admin/threads/{thread.id}/note", json={"text": "Keep it civil."})
    assert note.status_code == 200
    shown = {
        c["text"]: c for c in admin.get("/api/threads", params={"uri": PAGE}).json()["comments"]
    }
    assert shown["No, mods say stop."]["moderator"] is False
    assert shown["Keep it civil."]["moderator"] is True
    claimed = admin.post(
        "/api/comments", json={"uri": PAGE, "text": "No, I am one.", "moderator": True}
    )
    assert claimed.status_code == 422  # a poster cannot set it


def test_the_widget_marks_moderator_notes_from_the_server_field() -> None:
    script = (Path(__file__).parents[2] / "src/steelman/server/static/embed.js").read_text()
    assert "c.moderator" in script and "sm-moderator" in script


# 8. A banned author could still edit ------------------------------------------------------------


def test_a_banned_author_cannot_edit_an_earlier_comment(admin: TestClient) -> None:
    earlier = admin.post("/api/comments", json={"uri": PAGE, "text": "No, because of X."}).json()
    later = admin.post("/api/comments", json={"uri": PAGE, "text": "You idiot."}).json()
    assert (
        admin.post(
            f"/api/admin/comments/{later['comment']['id']}/ban", json={"reason": "abuse"}
        ).status_code
        == 200
    )
    r = admin.put(
        f"/api/comments/{earlier['comment']['id']}",
        json={"text": "No, because BUY CHEAP PILLS at spam.example"},
        headers={"X-Steelman-Token": earlier["token"]},
    )
    assert r.status_code == 403
    shown = admin.get("/api/threads", params={"uri": PAGE}).json()["comments"]
    assert [c["text"] for c in shown] == ["No, because of X."]


# 13. The demo's "Heating up" page was empty ---------------------------------------------------


def test_the_demo_thread_has_a_forecast_on_the_heating_page(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    state = app.state.steelman
    model = EscalationModel(
        features=("attack_max", "toxicity_last"),
        mean=np.zeros(2),
        scale=np.ones(2),
        coef=np.array([3.0, 2.0]),
        intercept=-2.0,
        version="test",
    )
    state.comments.forecasts = ThreadForecasts(state.store, model)
    seed_demo(state.comments)
    with TestClient(app) as client:
        client.headers["X-CSRF-Token"] = login(client)
        items = client.get("/api/admin/heating").json()["items"]
    assert [i["uri"] for i in items] == [DEMO_URI] and items[0]["replies"] > 0


# Minor: X-Forwarded-Host from a client passed the Origin check ---------------------------------


def _login(client: TestClient, origin: str, forwarded_host: str) -> int:
    return client.post(
        "/api/admin/login",
        json=dict(zip(("username", "password"), MODERATOR, strict=True)),
        headers={"Origin": origin, "X-Forwarded-Host": forwarded_host},
    ).status_code


def test_a_clients_forwarded_host_does_not_pass_the_origin_check(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, trust_proxy=True)) as client:
        assert _login(client, "https://evil.example", "evil.example") == 403


def test_a_forwarded_host_counts_when_it_names_the_public_url(tmp_path: Path) -> None:
    app = make_app(tmp_path, trust_proxy=True, public_url="https://comments.example")
    with TestClient(app) as client:
        assert _login(client, "https://evil.example", "evil.example") == 403
        assert _login(client, "https://comments.example", "comments.example") == 200
