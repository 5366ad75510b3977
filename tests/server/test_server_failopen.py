"""Failing open: a broken or slow judge never stops posting; comments are judged later."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from serverkit import BrokenJudge, SlowJudge, make_app

PAGE = "https://blog.example/open"


def test_broken_judge_posts_unjudged_then_rejudges_with_the_policy(tmp_path: Path) -> None:
    judge = BrokenJudge()
    app = make_app(tmp_path, judge=judge, unjudged_policy="publish")  # fail open, by choice
    state = app.state.steelman
    with TestClient(app) as client:
        nice = client.post(
            "/api/comments", json={"uri": PAGE, "text": "No, because it costs more."}
        )
        rude = client.post("/api/comments", json={"uri": PAGE, "text": "You idiot."})
        assert nice.status_code == rude.status_code == 201
        assert nice.json()["comment"]["judgement"] is None
        assert rude.json()["comment"]["status"] == "published"  # failed open
        assert client.post("/api/v1/judge", json={"text": "x"}).status_code == 503
        assert client.get("/api/v1/health").json()["unjudged"] == 2
        assert state.comments.rejudge_pending() == 0  # still down: nothing lost, retried later
        judge.fixed = True
        assert state.comments.rejudge_pending() == 2
        assert client.get("/api/v1/health").json()["unjudged"] == 0
    rude_now = state.store.comment(rude.json()["comment"]["id"])
    assert rude_now.level == "DH0" and rude_now.status == "pending"  # the site policy, late
    entry = state.store.audit_log(comment_id=rude_now.id)[0]
    assert entry.actor == "steelman" and "held by the site's policy" in entry.reason
    assert state.store.comment(nice.json()["comment"]["id"]).status == "published"


def test_rejudge_does_not_override_a_moderator(tmp_path: Path) -> None:
    judge = BrokenJudge()
    app = make_app(tmp_path, judge=judge)
    state = app.state.steelman
    with TestClient(app) as client:
        rude = client.post("/api/comments", json={"uri": PAGE, "text": "You idiot."}).json()[
            "comment"
        ]
        state.comments.approve(rude["id"], "mod")
        judge.fixed = True
        assert state.comments.rejudge_pending() == 1
    assert state.store.comment(rude["id"]).status == "published"


def test_slow_judge_times_out_and_posting_still_works(tmp_path: Path) -> None:
    app = make_app(tmp_path, judge=SlowJudge(delay=0.5), judge_timeout_s=0.1)
    with TestClient(app) as client:
        r = client.post("/api/comments", json={"uri": PAGE, "text": "You idiot."})
        assert r.status_code == 201 and r.json()["comment"]["judgement"] is None
        check = client.post("/api/comments/check", json={"uri": PAGE, "text": "You idiot."})
        assert check.status_code == 503 and check.json()["error"]["code"] == "judge_unavailable"
        assert check.headers["Retry-After"] == "5"


def test_background_pass_rejudges_on_its_own(tmp_path: Path) -> None:
    import time

    judge = BrokenJudge()
    app = make_app(tmp_path, judge=judge, rejudge_interval_s=0.05)
    with TestClient(app) as client:
        client.post("/api/comments", json={"uri": PAGE, "text": "No, because."})
        judge.fixed = True
        deadline = time.monotonic() + 5
        while client.get("/api/v1/health").json()["unjudged"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/api/v1/health").json()["unjudged"] == 0
