"""The widget's API: self-check, site policy, author tokens, the author's view, privacy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from serverkit import make_app

PAGE = "https://blog.example/post-1"


def _post(client: TestClient, text: str, **extra: Any) -> dict[str, Any]:
    r = client.post("/api/comments", json={"uri": PAGE, "text": text, **extra})
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


def test_check_nudges_below_the_minimum_level_only(client: TestClient) -> None:
    low = client.post("/api/comments/check", json={"uri": PAGE, "text": "Don't be so smug."}).json()
    assert low["nudge"] and low["judgement"]["level"] == "DH2"
    assert low["judgement"]["because"][0]["text"] == "smug"
    high = client.post(
        "/api/comments/check", json={"uri": PAGE, "text": "No, because it costs more."}
    ).json()
    assert not high["nudge"]
    question = client.post("/api/comments/check", json={"uri": PAGE, "text": "Which city?"}).json()
    assert not question["nudge"] and question["judgement"]["level"] is None


def test_good_reply_is_published_and_listed(client: TestClient) -> None:
    out = _post(client, "No, because the data says otherwise.", author="Ann")
    assert out["comment"]["status"] == "published" and out["token"]
    listed = client.get("/api/threads", params={"uri": PAGE}).json()
    assert [c["text"] for c in listed["comments"]] == ["No, because the data says otherwise."]
    assert listed["comments"][0]["author"] == "Ann"


@pytest.mark.parametrize(
    ("policy", "status", "noted"),
    [("hold", "pending", False), ("publish", "published", False), ("note", "published", True)],
)
def test_site_policy_for_replies_posted_anyway(
    tmp_path: Path, policy: str, status: str, noted: bool
) -> None:
    with TestClient(make_app(tmp_path, policy=policy)) as client:
        out = _post(client, "You idiot.", posted_anyway=True)
        assert out["comment"]["status"] == status
        assert bool(out["comment"]["note"]) is noted
        if noted:
            assert "DH0 Name-calling" in out["comment"]["note"]
        listed = [
            c["id"] for c in client.get("/api/threads", params={"uri": PAGE}).json()["comments"]
        ]
        assert (out["comment"]["id"] in listed) is (status == "published")


def test_min_level_setting_moves_the_line(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, min_level="DH1")) as client:
        assert _post(client, "Don't be so smug.")["comment"]["status"] == "published"
        assert _post(client, "Typical shill.")["comment"]["status"] == "published"
        assert _post(client, "You idiot.")["comment"]["status"] == "pending"


def test_author_sees_held_comment_reason_and_history(admin: TestClient) -> None:
    out = _post(admin, "You idiot.", posted_anyway=True)
    cid, token = out["comment"]["id"], out["token"]
    r = admin.post(f"/api/admin/comments/{cid}/reject", json={"reason": "Please argue the point."})
    assert r.status_code == 200
    view = admin.get(f"/api/comments/{cid}/author", headers={"X-Steelman-Token": token}).json()
    assert view["status"] == "rejected" and view["reason"] == "Please argue the point."
    assert [(h["actor"], h["action"]) for h in view["history"]] == [
        ("author", "post"),
        ("moderator", "reject"),
    ]
    assert view["judgement"]["level"] == "DH0"


def test_edit_and_delete_within_the_window(client: TestClient) -> None:
    out = _post(client, "You idiot.")
    cid, token = out["comment"]["id"], out["token"]
    assert out["comment"]["status"] == "pending"
    r = client.put(
        f"/api/comments/{cid}",
        json={"text": "No, because it costs more."},
        headers={"X-Steelman-Token": token},
    )
    assert r.status_code == 200 and r.json()["status"] == "published" and r.json()["level"] == "DH4"
    r = client.delete(f"/api/comments/{cid}", headers={"X-Steelman-Token": token})
    assert r.status_code == 200 and r.json()["status"] == "deleted" and r.json()["text"] == ""
    listed = client.get("/api/threads", params={"uri": PAGE}).json()["comments"]
    assert listed[0]["status"] == "deleted" and listed[0]["text"] == ""


def test_edit_needs_the_right_token_and_the_window(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, edit_window_s=0)) as client:
        out = _post(client, "No, because.")
        cid, token = out["comment"]["id"], out["token"]
        late = client.put(
            f"/api/comments/{cid}", json={"text": "x"}, headers={"X-Steelman-Token": token}
        )
        assert late.status_code == 403 and "window" in late.json()["error"]["message"]
        # viewing what happened stays possible after the window
        assert (
            client.get(
                f"/api/comments/{cid}/author", headers={"X-Steelman-Token": token}
            ).status_code
            == 200
        )
        other = _post(client, "No, because B.")
        forged = client.delete(f"/api/comments/{cid}", headers={"X-Steelman-Token": other["token"]})
        assert forged.status_code == 403
        missing = client.delete(f"/api/comments/{cid}")
        assert missing.status_code == 422 and missing.json()["error"]["field"] == "X-Steelman-Token"


def test_retried_post_is_stored_once(client: TestClient) -> None:
    first = client.post(
        "/api/comments", json={"uri": PAGE, "text": "No, because.", "request_id": "abc"}
    )
    again = client.post(
        "/api/comments", json={"uri": PAGE, "text": "No, because.", "request_id": "abc"}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["comment"]["id"] == again.json()["comment"]["id"]
    assert len(client.get("/api/threads", params={"uri": PAGE}).json()["comments"]) == 1


def test_replies_and_their_parent_context(client: TestClient) -> None:
    parent = _post(client, "Cars must go.")
    reply = _post(client, "No, because buses are rare.", parent_id=parent["comment"]["id"])
    assert reply["comment"]["parent_id"] == parent["comment"]["id"]
    r = client.post(
        "/api/comments",
        json={"uri": "https://other.example/", "text": "x", "parent_id": parent["comment"]["id"]},
    )
    assert r.status_code == 404


def test_email_is_never_shown_anywhere(admin: TestClient) -> None:
    email = "ann.secret@example.org"
    out = _post(admin, "You idiot.", author="Ann", email=email)
    cid = out["comment"]["id"]
    pages = [
        admin.get("/api/threads", params={"uri": PAGE}).text,
        admin.get(f"/api/comments/{cid}/author", headers={"X-Steelman-Token": out["token"]}).text,
        admin.get("/api/admin/queue").text,
        admin.get("/admin").text,
        admin.get("/api/admin/audit").text,
        str(out),
    ]
    for page in pages:
        assert "ann.secret" not in page and "example.org" not in page


def test_name_too_long_is_refused(client: TestClient) -> None:
    r = client.post("/api/comments", json={"uri": PAGE, "text": "Fine.", "author": "x" * 81})
    assert r.status_code == 422 and r.json()["error"]["field"] == "author"
