"""Attacks on the comment server that once worked (issue 9, part B), each pinned by a test.

Re-judging an approved comment edited into abuse, replaying someone else's ``request_id``,
deleting held or rejected comments into public placeholders, and telling a missing comment from
a forbidden one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from serverkit import BrokenJudge, RuleJudge, make_app

from steelman.data.comments import Comment as SourceComment
from steelman.server.db import Store, migrate, open_backend
from steelman.server.demo import DEMO_URI, seed_demo

FORMATS = Path(__file__).parent.parent / "fixtures" / "formats"
PAGE = "https://blog.example/hardening"
RUDE = "You idiot, nobody asked."
FINE = "No, because the figures say otherwise."


def _post(client: TestClient, text: str, **extra: Any) -> dict[str, Any]:
    r = client.post("/api/comments", json={"uri": PAGE, "text": text, **extra})
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


def _listed(client: TestClient, uri: str = PAGE) -> list[dict[str, Any]]:
    return list(client.get("/api/threads", params={"uri": uri}).json()["comments"])


# Defect 2: re-judging skipped anything a moderator had touched. -------------------------------


def test_approved_comment_edited_into_abuse_while_the_judge_is_down_is_held(
    tmp_path: Path,
) -> None:
    judge = BrokenJudge()
    judge.fixed = True
    app = make_app(tmp_path, judge=judge, unjudged_policy="publish")  # the site fails open
    state = app.state.steelman
    with TestClient(app) as client:
        posted = _post(client, "Don't be so smug about it.")  # DH2: held by the policy
        cid, token = posted["comment"]["id"], posted["token"]
        assert posted["comment"]["status"] == "pending"
        state.comments.approve(cid, "mod")  # a moderator approves that text
        judge.fixed = False  # the judge goes down; the author rewrites the comment as abuse
        edited = client.put(
            f"/api/comments/{cid}", json={"text": RUDE}, headers={"X-Steelman-Token": token}
        )
        assert edited.status_code == 200 and edited.json()["status"] == "published"  # fails open
        judge.fixed = True
        assert state.comments.rejudge_pending() == 1
        assert state.store.comment(cid).status == "pending"  # the policy applies to the new text
        assert [c.id for c in state.store.queue()] == [cid]
        assert _listed(client) == []


def test_moderator_decision_on_the_current_text_still_stands(tmp_path: Path) -> None:
    judge = BrokenJudge()
    app = make_app(tmp_path, judge=judge)
    state = app.state.steelman
    with TestClient(app) as client:
        posted = _post(client, FINE)
        cid, token = posted["comment"]["id"], posted["token"]
        client.put(f"/api/comments/{cid}", json={"text": RUDE}, headers={"X-Steelman-Token": token})
        state.comments.approve(cid, "mod")  # approved after the edit: this very text
        judge.fixed = True
        assert state.comments.rejudge_pending() == 1
    assert state.store.comment(cid).status == "published"


# Defect 3: replaying a request_id handed out another comment and its author token. -------------


def test_replayed_request_id_never_returns_someone_elses_comment(client: TestClient) -> None:
    victim = _post(client, RUDE, request_id="victim-1", author="Vic", email="vic@example.org")
    attack = client.post(
        "/api/comments",
        json={"uri": "https://elsewhere.example/", "text": "hello", "request_id": "victim-1"},
    )
    assert attack.status_code == 201  # a new comment of the attacker's own
    assert attack.json()["comment"]["id"] != victim["comment"]["id"]
    assert attack.json()["comment"]["text"] == "hello"
    same_words = client.post(  # even the same page and text, without the victim's details
        "/api/comments", json={"uri": PAGE, "text": RUDE, "request_id": "victim-1"}
    )
    assert same_words.json()["comment"]["id"] != victim["comment"]["id"]
    for token in (attack.json()["token"], same_words.json()["token"]):
        r = client.get(
            f"/api/comments/{victim['comment']['id']}/author", headers={"X-Steelman-Token": token}
        )
        assert r.status_code == 403


def test_a_genuine_retry_still_returns_the_first_post(client: TestClient) -> None:
    body = {"text": FINE, "request_id": "r-1", "author": "Ann", "email": "ann@example.org"}
    first, again = _post(client, **body), client.post("/api/comments", json={"uri": PAGE, **body})
    assert again.status_code == 200 and again.json()["comment"]["id"] == first["comment"]["id"]
    assert again.json()["token"] == first["token"]
    assert len(_listed(client)) == 1


def test_demo_and_import_request_ids_cannot_be_replayed(app: FastAPI, client: TestClient) -> None:
    state = app.state.steelman
    seed_demo(state.comments)
    thread = state.store.thread(DEMO_URI)
    assert thread is not None
    demo = {c.author: c for c in state.store.comments(thread.id, ("published", "pending"))}
    state.store.import_comments(
        [SourceComment("7", None, "imp", "Imported words.", PAGE)], actor="mod"
    )
    (imported,) = state.store.comments(state.store.thread(PAGE).id)
    for rid, uri, text, theirs in [
        ("demo:d", DEMO_URI, "anything", demo["Jules"].id),
        (f"import:{PAGE}:7", PAGE, "Imported words.", imported.id),
    ]:
        r = client.post("/api/comments", json={"uri": uri, "text": text, "request_id": rid})
        assert r.status_code == 201 and r.json()["comment"]["id"] != theirs


# Defect 10: deleting a held or rejected comment made a public placeholder. ----------------------


def test_deleting_a_held_comment_leaves_nothing_public(app: FastAPI, client: TestClient) -> None:
    posted = _post(client, RUDE, author="Spammer")
    cid = posted["comment"]["id"]
    assert posted["comment"]["status"] == "pending"
    r = client.delete(f"/api/comments/{cid}", headers={"X-Steelman-Token": posted["token"]})
    assert r.status_code == 200
    assert _listed(client) == []  # no placeholder, no name
    store = app.state.steelman.store
    assert store.comment(cid).status == "withdrawn" and store.queue() == []
    assert [e.action for e in store.audit_log(comment_id=cid)] == ["delete", "post"]


def test_deleting_a_rejected_comment_keeps_the_moderators_decision(
    app: FastAPI, admin: TestClient
) -> None:
    posted = _post(admin, RUDE, author="Spammer")
    cid = posted["comment"]["id"]
    admin.post(f"/api/admin/comments/{cid}/reject", json={"reason": "an insult"})
    r = admin.delete(f"/api/comments/{cid}", headers={"X-Steelman-Token": posted["token"]})
    assert r.status_code == 200
    assert _listed(admin) == []
    kept = app.state.steelman.store.comment(cid)
    assert (kept.status, kept.reason) == ("rejected", "an insult")
    assert [e.action for e in app.state.steelman.store.audit_log(comment_id=cid)] == [
        "delete",
        "reject",
        "post",
    ]
    assert app.state.steelman.comments.rejudge_pending() == 0  # nothing empty left to judge


def test_deleting_a_published_comment_still_keeps_its_place(client: TestClient) -> None:
    posted = _post(client, FINE, author="Ann")
    reply = _post(client, "I disagree, because of the data.", parent_id=posted["comment"]["id"])
    client.delete(
        f"/api/comments/{posted['comment']['id']}", headers={"X-Steelman-Token": posted["token"]}
    )
    listed = _listed(client)
    assert [(c["status"], c["text"]) for c in listed] == [
        ("deleted", ""),
        ("published", "I disagree, because of the data."),
    ]
    assert listed[1]["parent_id"] == posted["comment"]["id"] == reply["comment"]["parent_id"]


# A missing id and a forbidden one answered 404 and 403: held comments could be enumerated. -----


def test_missing_and_forbidden_comments_answer_the_same(client: TestClient) -> None:
    held = _post(client, RUDE)["comment"]["id"]
    missing = held + 1000
    bad = {"X-Steelman-Token": f"{held}.9999999999.forged"}

    def answers(cid: int) -> list[tuple[int, str, str]]:
        out = []
        for r in (
            client.get(f"/api/comments/{cid}/author", headers=bad),
            client.put(f"/api/comments/{cid}", json={"text": FINE}, headers=bad),
            client.delete(f"/api/comments/{cid}", headers=bad),
            client.post("/api/comments", json={"uri": PAGE, "text": FINE, "parent_id": cid}),
            client.post("/api/comments/check", json={"uri": PAGE, "text": FINE, "parent_id": cid}),
        ):
            error = r.json()["error"]
            out.append((r.status_code, error["code"], error["message"].replace(str(cid), "N")))
        return out

    assert answers(held) == answers(missing)
    assert all(status in (403, 404) for status, *_ in answers(held))


def test_upgrade_moves_old_client_ids_out_of_the_import_namespace(store_url: str) -> None:
    backend = open_backend(store_url)
    migrate(backend, target=2)
    store = Store(backend)
    thread = store.thread(PAGE, create=True)
    assert thread is not None
    store.add_comment(  # posted before the upgrade with a guessed import id
        thread_id=thread.id,
        text="planted",
        status="published",
        actor="author",
        request_id=f"import:{PAGE}:7",
    )
    migrate(backend)
    store.import_comments([SourceComment("7", None, "imp", "Imported words.", PAGE)], actor="mod")
    texts = sorted(c.text for c in store.comments(thread.id))
    assert texts == ["Imported words.", "planted"]
    store.close()


# Defect 6: a WordPress import published comments WordPress never approved. ---------------------


def test_wordpress_import_keeps_pending_held_and_spam_hidden(admin: TestClient) -> None:
    data = (FORMATS / "wordpress.xml").read_bytes()
    r = admin.post("/api/admin/import", files={"file": ("wordpress.xml", data)})
    assert r.status_code == 200, r.text
    assert (r.json()["held"], r.json()["hidden"]) == (1, 1)
    listed = _listed(admin, "https://blog.example.org/2024/05/on-reply-trees/")
    authors = {c["author"]: c for c in listed}
    assert "Cheap Pills" not in authors and "بسمة" not in authors  # spam, pending
    assert all(c["status"] == "published" for c in listed)
    assert authors["Carol"]["parent_id"] == authors["Alice"]["id"]  # the spam's reply moved up
    queue = admin.get("/api/admin/queue").json()
    assert [item["comment"]["author"] for item in queue["items"]] == ["بسمة"]
    store = admin.app.state.steelman.store  # type: ignore[attr-defined]
    assert store.count("rejected") == 1
    admin.post("/api/admin/rejudge")
    after = _listed(admin, "https://blog.example.org/2024/05/on-reply-trees/")
    assert [(c["id"], c["status"]) for c in after] == [(c["id"], c["status"]) for c in listed]


def test_disqus_import_hides_spam_and_names_no_one_on_placeholders(admin: TestClient) -> None:
    data = (FORMATS / "disqus.xml").read_bytes()
    assert admin.post("/api/admin/import", files={"file": ("d.xml", data)}).json()["hidden"] == 1
    listed = _listed(admin, "https://blog.example.org/on-trees/")
    assert "Spammer" not in {c["author"] for c in listed}
    (gone,) = [c for c in listed if c["status"] == "deleted"]
    assert gone["author"] == "" and gone["text"] == ""


# Defect 7: JSONL files without a thread all went into "upload", and duplicates vanished. -------


def test_jsonl_files_without_threads_do_not_collide(admin: TestClient) -> None:
    one = b'{"id": 1, "text": "First file, one."}\n{"id": 2, "text": "First file, two."}\n'
    two = b'{"id": 1, "text": "Second file, one."}\n'
    for name, data in (("monday.jsonl", one), ("tuesday.jsonl", two)):
        r = admin.post("/api/admin/import", files={"file": (name, data)})
        assert r.json()["imported"] == data.count(b"\n") and r.json()["duplicates"] == 0
    monday, tuesday = _named_after("monday", one), _named_after("tuesday", two)
    assert [c["text"] for c in _listed(admin, monday)] == ["First file, one.", "First file, two."]
    assert [c["text"] for c in _listed(admin, tuesday)] == ["Second file, one."]


def _named_after(stem: str, data: bytes) -> str:
    """The thread of records without one: the file's name and its content (issue 16)."""
    return f"{stem}-{hashlib.sha256(data).hexdigest()[:12]}"


def test_duplicate_ids_are_reported_with_their_lines(admin: TestClient) -> None:
    data = b'{"id": 1, "text": "a"}\n{"id": 2, "text": "b"}\n{"id": 1, "text": "c"}\n'
    r = admin.post("/api/admin/import", files={"file": ("dup.jsonl", data)}).json()
    assert (r["imported"], r["duplicates"]) == (2, 1)
    thread = _named_after("dup", data)
    assert r["skipped"] == [
        {"line": 3, "thread": thread, "id": "1", "why": "the same id as line 1"}
    ]
    again = admin.post("/api/admin/import", files={"file": ("dup.jsonl", data)}).json()
    assert (again["imported"], again["duplicates"]) == (0, 3)
    assert [s["line"] for s in again["skipped"]] == [1, 2, 3]
    page = admin.post(
        "/admin/import",
        files={"file": ("dup.jsonl", data)},
        data={"csrf": admin.headers["X-CSRF-Token"]},
    )
    assert "Skipped 3 duplicates: line 1 (id 1: imported before)" in page.text


# The queue said "100 held" when thousands were; /api/threads answered a whole thread at once. ---


def _seed(app: FastAPI, n: int, status: str, uri: str = PAGE) -> list[int]:
    store = app.state.steelman.store
    thread = store.thread(uri, create=True)
    ids = []
    for i in range(n):
        judgement = {**RuleJudge().judge("You idiot.").to_dict(), "attack": (i % 7) / 10}
        comment, _ = store.add_comment(
            thread_id=thread.id,
            text=f"comment {i}",
            status=status,
            actor="author",
            judgement=judgement,
            created=1_700_000_000.0 + i // 3,  # ties in time: the id breaks them
        )
        ids.append(comment.id)
    return ids


def test_queue_tells_the_true_count_and_pages_through_everything(
    app: FastAPI, admin: TestClient
) -> None:
    ids = _seed(app, 250, "pending")
    seen, cursor, pages = [], None, 0
    while True:
        r = admin.get(
            "/api/admin/queue", params={"limit": 100, **({"cursor": cursor} if cursor else {})}
        )
        body = r.json()
        assert r.status_code == 200 and body["held"] == 250
        seen += [(item["risk"], item["comment"]["id"]) for item in body["items"]]
        pages += 1
        if not (cursor := body["next"]):
            break
    assert pages == 3 and sorted(i for _, i in seen) == ids  # each once
    assert [r for r, _ in seen] == sorted((r for r, _ in seen), reverse=True)  # riskiest first
    page = admin.get("/admin")
    assert "250 held" in page.text and "showing 100" in page.text and 'rel="next"' in page.text


def test_threads_are_paged_with_a_cursor(app: FastAPI, client: TestClient) -> None:
    ids = _seed(app, 45, "published")
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"uri": PAGE, "limit": 20}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/api/threads", params=params).json()
        assert body["count"] == 45 and len(body["comments"]) <= 20
        seen += [c["id"] for c in body["comments"]]
        if not (cursor := body["next"]):
            break
    assert seen == ids  # oldest first, every comment once
    assert len(client.get("/api/threads", params={"uri": PAGE}).json()["comments"]) == 45
    for bad in ("nonsense", "W10", "WzEsMiwzXQ", "WzFlOTk5LDFd"):  # not a cursor, [], [1,2,3], huge
        r = client.get("/api/threads", params={"uri": PAGE, "cursor": bad})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"
    assert client.get("/api/threads", params={"uri": PAGE, "limit": 100_000}).status_code == 422
