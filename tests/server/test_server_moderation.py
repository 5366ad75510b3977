"""Moderation: the risk-sorted queue, approve/reject/ban, closed threads, the audit log, import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from serverkit import MODERATOR, RuleJudge, login

PAGE = "https://blog.example/post-2"


def _post(client: TestClient, text: str, **extra: object) -> dict[str, object]:
    r = client.post("/api/comments", json={"uri": PAGE, "text": text, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json()["comment"])


def test_queue_is_riskiest_first_with_context(admin: TestClient) -> None:
    parent = _post(admin, "Cars must go.")
    _post(admin, "Don't be so smug.", parent_id=parent["id"])
    _post(admin, "You idiot.", parent_id=parent["id"], posted_anyway=True)
    queue = admin.get("/api/admin/queue").json()["items"]
    assert [q["comment"]["level"] for q in queue] == ["DH0", "DH2"]
    assert queue[0]["risk"] > queue[1]["risk"]
    assert queue[0]["parent"]["text"] == "Cars must go." and queue[0]["thread_uri"] == PAGE
    assert queue[0]["posted_anyway"] and queue[0]["comment"]["judgement"]["because"]


def test_approve_publishes_and_is_audited(admin: TestClient) -> None:
    held = _post(admin, "You idiot.")
    r = admin.post(f"/api/admin/comments/{held['id']}/approve", json={"version": held["version"]})
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert admin.get("/api/admin/queue").json() == {"held": 0, "items": [], "next": None}
    entry = admin.get("/api/admin/audit").json()[0]
    assert (entry["actor"], entry["action"], entry["comment_id"]) == ("mod", "approve", held["id"])


def test_reject_needs_a_reason(admin: TestClient) -> None:
    held = _post(admin, "You idiot.")
    r = admin.post(f"/api/admin/comments/{held['id']}/reject", json={"reason": " "})
    assert r.status_code == 422


def test_ban_refuses_the_next_post(admin: TestClient) -> None:
    held = _post(admin, "You idiot.", email="troll@example.org")
    r = admin.post(f"/api/admin/comments/{held['id']}/ban", json={"reason": "repeated insults"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    again = admin.post("/api/comments", json={"uri": PAGE, "text": "Hello again."})
    assert again.status_code == 403 and "repeated insults" in again.json()["error"]["message"]


def test_closed_thread_takes_no_comments_until_reopened(admin: TestClient) -> None:
    _post(admin, "First.")
    thread_id = admin.app.state.steelman.store.thread(PAGE).id  # type: ignore[attr-defined]
    r = admin.post(
        f"/api/admin/threads/{thread_id}/close", json={"closed": True, "reason": "heated"}
    )
    assert r.json()["closed"]
    assert admin.get("/api/threads", params={"uri": PAGE}).json()["closed"]
    refused = admin.post("/api/comments", json={"uri": PAGE, "text": "Late."})
    assert refused.status_code == 403 and "closed" in refused.json()["error"]["message"]
    admin.post(f"/api/admin/threads/{thread_id}/close", json={"closed": False})
    assert admin.post("/api/comments", json={"uri": PAGE, "text": "Fine."}).status_code == 201
    actions = [e["action"] for e in admin.get("/api/admin/audit").json()]
    assert "close" in actions and "reopen" in actions


def test_html_queue_shortcuts_work_with_the_csrf_field(admin: TestClient) -> None:
    held = _post(admin, "You idiot.")
    page = admin.get("/admin").text
    assert '<mark class="dh0" title="DH0: an insult">idiot</mark>' in page and "risk" in page
    csrf = admin.headers.pop("X-CSRF-Token")
    assert f'value="{csrf}"' in page
    no_token = admin.post(
        f"/admin/comments/{held['id']}/reject", data={"reason": "x"}, follow_redirects=False
    )
    assert no_token.status_code == 403
    r = admin.post(
        f"/admin/comments/{held['id']}/reject",
        data={"reason": "Argue the point.", "csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert admin.app.state.steelman.store.comment(held["id"]).reason == "Argue the point."  # type: ignore[attr-defined]
    audit = admin.get("/admin/audit").text
    assert "Argue the point." in audit


FORMATS = Path(__file__).parent.parent / "fixtures" / "formats"


@pytest.mark.parametrize(
    ("name", "format", "uri"),
    [
        ("wordpress.xml", "wxr", "https://blog.example.org/2024/05/on-reply-trees/"),
        ("disqus.xml", "disqus", "https://blog.example.org/on-trees/"),
    ],
)
def test_import_wordpress_and_disqus_exports(
    admin: TestClient, name: str, format: str, uri: str
) -> None:
    data = (FORMATS / name).read_bytes()
    r = admin.post("/api/admin/import", files={"file": (name, data)}, data={"format": format})
    assert r.status_code == 200, r.text
    imported = r.json()["imported"]
    assert imported >= 4
    again = admin.post("/api/admin/import", files={"file": (name, data)}, data={"format": format})
    assert again.json()["imported"] == 0 and again.json()["duplicates"] >= imported
    listed = admin.get("/api/threads", params={"uri": uri}).json()["comments"]
    by_id = {c["id"]: c for c in listed}
    replies = [c for c in listed if c["parent_id"] is not None]
    assert replies and all(c["parent_id"] in by_id for c in replies)
    assert any(c["status"] == "deleted" for c in listed) is (format == "disqus")  # not spam
    store = admin.app.state.steelman.store  # type: ignore[attr-defined]
    judged = admin.post("/api/admin/rejudge").json()["judged"]
    assert judged == store.count("published") + store.count("pending")
    assert store.unjudged() == []


def test_import_jsonl_from_the_threads_page(admin: TestClient) -> None:
    lines = [{"id": "a", "author": "Ann", "text": "Hello.", "thread": "https://blog.example/j"}]
    data = "\n".join(json.dumps(x) for x in lines).encode()
    csrf = admin.headers["X-CSRF-Token"]
    r = admin.post(
        "/admin/import", files={"file": ("c.jsonl", data)}, data={"format": "jsonl", "csrf": csrf}
    )
    assert r.status_code == 200 and "Imported 1 comments" in r.text
    assert "https://blog.example/j" in r.text


def test_post_hold_and_approve_on_either_database(store_url: str) -> None:

    from steelman.server import create_app, load_settings
    from steelman.server.auth import add_moderator

    app = create_app(load_settings(database=store_url, rejudge_interval_s=0.0), judge=RuleJudge())
    add_moderator(app.state.steelman.store, *MODERATOR)
    with TestClient(app) as client:
        client.headers["X-CSRF-Token"] = login(client)
        held = _post(client, "You idiot.")
        assert held["status"] == "pending"
        assert (
            client.post(
                f"/api/admin/comments/{held['id']}/approve", json={"version": held["version"]}
            ).json()["status"]
            == "published"
        )
        listed = client.get("/api/threads", params={"uri": PAGE}).json()["comments"]
        assert [c["id"] for c in listed] == [held["id"]]
    app.state.steelman.store.close()
