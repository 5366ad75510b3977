"""Attacks on the comment server (issue 16, "under attack, round two"), each pinned by a test.

Keys too long for PostgreSQL's indexes and the database's own words in responses, uploads nested
too deeply to sniff, WordPress statuses and reply order, JSONL exports of one name, the demo's
database left behind by SIGTERM, and the server's temporary paths in import errors.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from serverkit import free_port

from steelman.errors import InputError
from steelman.server.db import STATUSES, Store
from steelman.server.feedback import add_key

PAGE = "https://blog.example/round-two"
CJK = "漢"  # three bytes in UTF-8


def _error(r: httpx.Response) -> dict[str, Any]:
    return dict(r.json()["error"])


# Defect 4: keys over PostgreSQL's btree limit, and the database's error text in the answer. ---


@pytest.mark.parametrize("path", ["/api/comments", "/api/comments/check"])
def test_a_uri_too_long_in_bytes_is_refused_alike_by_both_stores(
    client: TestClient, path: str
) -> None:
    r = client.post(path, json={"uri": CJK * 2000, "text": "No, because it rained."})
    assert r.status_code == 422, r.text  # was 201 on SQLite, 503 on PostgreSQL
    error = _error(r)
    assert error["field"] == "uri" and "bytes" in error["message"]
    assert client.get("/api/threads", params={"uri": CJK * 2000}).json()["count"] == 0
    fits = CJK * 600  # 1,800 bytes: under the limit, stored alike by both
    r = client.post("/api/comments", json={"uri": fits, "text": "No, because it rained."})
    assert r.status_code == 201, r.text
    assert client.get("/api/threads", params={"uri": fits}).json()["count"] == 1


def test_the_store_refuses_a_thread_uri_too_long_in_bytes(store: Store) -> None:
    with pytest.raises(InputError, match="bytes"):
        store.thread(CJK * 2000, create=True)
    assert store.thread(CJK * 2000) is None
    assert store.thread(CJK * 600, create=True) is not None


def test_a_community_id_too_long_in_bytes_is_refused_alike_by_both_stores(
    client: TestClient,
) -> None:
    body = {
        "comment": {"text": "No, because it rained."},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.1}}},
        "communityId": CJK * 20000,
    }
    key = {"key": add_key(client.app.state.steelman.store, "site")[1]}  # type: ignore[attr-defined]
    r = client.post("/v1alpha1/comments:suggestscore", params=key, json=body)
    assert r.status_code == 400, r.text  # was 200 on SQLite, 503 on PostgreSQL
    error = r.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert "communityId" in error["message"] and "bytes" in error["message"]
    assert list(client.app.state.steelman.store.iter_feedback()) == []  # type: ignore[attr-defined]
    body["communityId"] = CJK * 300
    assert client.post("/v1alpha1/comments:suggestscore", params=key, json=body).status_code == 200


def test_the_store_refuses_a_community_id_too_long_in_bytes(store: Store) -> None:
    with pytest.raises(InputError, match="bytes"):
        store.add_feedback("text", {}, community_id=CJK * 20000)
    assert list(store.iter_feedback()) == []


def _varied(n: int, start: int = 0) -> str:
    """``n`` different CJK characters: text PostgreSQL cannot compress into an index entry."""
    return "".join(chr(0x4E00 + start + i) for i in range(n))


def test_an_import_keeps_to_the_byte_limits_of_both_stores(admin: TestClient) -> None:
    long_thread = json.dumps({"id": "1", "text": "x", "thread": _varied(1000)}) + "\n"
    r = admin.post("/api/admin/import", files={"file": ("long.jsonl", long_thread.encode())})
    assert r.status_code == 422, r.text  # was 503 on PostgreSQL
    assert _error(r)["message"].startswith("line 1, field 'thread': the thread is 3000 bytes")
    # A thread and an id that fit, but not together in the request id the import is keyed on.
    both = json.dumps({"id": _varied(600, 600), "text": "x", "thread": _varied(600)}) + "\n"
    r = admin.post("/api/admin/import", files={"file": ("both.jsonl", both.encode())})
    assert r.status_code == 200 and r.json()["imported"] == 1, r.text
    r = admin.post("/api/admin/import", files={"file": ("both.jsonl", both.encode())})
    assert (r.json()["imported"], r.json()["duplicates"]) == (0, 1)


@pytest.mark.parametrize(
    ("sabotage", "status", "code", "names"),
    [
        ("DROP TABLE audit", 503, "store_unavailable", ("audit",)),
        ("CREATE UNIQUE INDEX one_text ON comments (text)", 409, "conflict", ("one_text", "text")),
    ],
)
def test_a_database_error_never_reaches_a_response(
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    sabotage: str,
    status: int,
    code: str,
    names: tuple[str, ...],
) -> None:
    store = client.app.state.steelman.store  # type: ignore[attr-defined]
    body = {"uri": PAGE, "text": "No, because it rained."}
    if "INDEX" in sabotage:
        assert client.post("/api/comments", json=body).status_code == 201
    with store.backend.transaction() as cur:
        cur.execute(sabotage)
    with caplog.at_level(logging.ERROR, logger="steelman.server"):
        r = client.post("/api/comments", json=body)
    assert r.status_code == status, r.text
    error = _error(r)
    assert error["code"] == code
    for leak in (*names, "SQLite", "PostgreSQL", "relation", "table", "constraint", "UNIQUE"):
        assert leak not in error["message"]
    assert any(name in caplog.text for name in names)  # the details are in the log


# Defect 5: an upload nested too deeply crashed the format sniffing (and the WikiTactics reader).


DEEP = "[" * 20000 + "]" * 20000


@pytest.mark.parametrize(
    ("name", "data", "format"),
    [
        ("deep.jsonl", '{"id": "1", "text": "x"}\n{"id": "2", "text": "y", "m": %s}\n', "auto"),
        ("deep.jsonl", '{"id": "2", "text": "y", "m": %s}\n', "auto"),
        ("deep.jsonl", '{"id": "2", "text": "y", "m": %s}\n', "jsonl"),
        ("deep.json", '[{"conv_id": "c", "utterances": [{"text": "x", "m": %s}]}]', "auto"),
        ("deep.json", '[{"conv_id": "c",\n"utterances": [{"text": "x", "m": %s}]}]', "wikitactics"),
    ],
)
def test_an_upload_nested_too_deeply_is_an_input_error(
    client: TestClient, admin: TestClient, name: str, data: str, format: str
) -> None:
    upload = (data % DEEP).encode()
    line = upload.index(b"[[[[") and upload[: upload.index(b"[[[[")].count(b"\n") + 1
    r = admin.post("/api/admin/import", files={"file": (name, upload)}, data={"format": format})
    assert r.status_code == 422, r.text  # was 500 and a traceback
    message = _error(r)["message"]
    assert f"{name}, line {line}" in message and "nested" in message
    page = client.post("/report", files={"file": (name, upload)}, data={"format": format})
    assert page.status_code == 422 and "nested" in page.text


# Defect 9: WordPress statuses other than "1" and "0", and replies listed before their parent.


def _wxr(*comments: tuple[str, str, str]) -> bytes:
    """A WordPress export of one post with comments ``(id, parent, comment_approved)``."""
    body = "".join(
        f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
        f"<wp:comment_author>Author {cid}</wp:comment_author>"
        f"<wp:comment_content><![CDATA[No, because of reason {cid}.]]></wp:comment_content>"
        f"<wp:comment_approved>{approved}</wp:comment_approved>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
        for cid, parent, approved in comments
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        f"<item><title>A post</title><link>{PAGE}</link><wp:post_id>7</wp:post_id>"
        f"{body}</item></channel></rss>"
    ).encode()


def test_wordpress_publishes_only_approved_comments_whatever_the_case(admin: TestClient) -> None:
    data = _wxr(
        ("1", "0", "1"),
        ("2", "0", "Spam"),
        ("3", "0", "TRASH"),
        ("4", "0", "unapproved"),
        ("5", "0", "0"),
        ("6", "0", "approve"),
        ("7", "0", "post-trashed"),
    )
    r = admin.post("/api/admin/import", files={"file": ("wp.xml", data)})
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["imported"], report["held"], report["hidden"]) == (7, 2, 3)
    store = admin.app.state.steelman.store  # type: ignore[attr-defined]
    everything = store.comments(store.thread(PAGE).id, STATUSES)
    assert {c.author: c.status for c in everything} == {
        "Author 1": "published",
        "Author 2": "rejected",  # was published
        "Author 3": "rejected",  # was published
        "Author 4": "pending",  # was published
        "Author 5": "pending",
        "Author 6": "published",
        "Author 7": "rejected",
    }
    assert sorted(c["author"] for c in _public(admin)) == ["Author 1", "Author 6"]


def _public(client: TestClient) -> list[dict[str, Any]]:
    listed = client.get("/api/threads", params={"uri": PAGE}).json()["comments"]
    return [c for c in listed if c["status"] == "published"]


def test_a_wordpress_reply_listed_before_its_parent_keeps_its_parent(admin: TestClient) -> None:
    data = _wxr(("12", "11", "1"), ("13", "12", "1"), ("11", "0", "1"))
    r = admin.post("/api/admin/import", files={"file": ("wp.xml", data)})
    assert r.json()["imported"] == 3, r.text
    by_author = {c["author"]: c for c in _public(admin)}
    assert by_author["Author 11"]["parent_id"] is None
    assert by_author["Author 12"]["parent_id"] == by_author["Author 11"]["id"]  # was top level
    assert by_author["Author 13"]["parent_id"] == by_author["Author 12"]["id"]


# Defect 10: two different exports called comments.jsonl, neither naming its thread. ----------


def test_different_jsonl_files_of_one_name_do_not_collide(admin: TestClient) -> None:
    one = b'{"id": 1, "text": "First export, one."}\n{"id": 2, "text": "First export, two."}\n'
    two = b'{"id": 1, "text": "Second export, one."}\n{"id": 2, "text": "Second export, two."}\n'
    first = admin.post("/api/admin/import", files={"file": ("comments.jsonl", one)}).json()
    assert (first["imported"], first["duplicates"]) == (2, 0)
    second = admin.post("/api/admin/import", files={"file": ("comments.jsonl", two)}).json()
    assert (second["imported"], second["duplicates"]) == (2, 0)  # was 0 and 2 "imported before"
    again = admin.post("/api/admin/import", files={"file": ("comments.jsonl", one)}).json()
    assert (again["imported"], again["duplicates"]) == (0, 2)  # the same file: idempotent
    assert {s["why"] for s in again["skipped"]} == {"imported before"}
    store = admin.app.state.steelman.store  # type: ignore[attr-defined]
    texts = [[c.text for c in store.comments(t.id)] for t, _ in reversed(store.threads())]
    assert texts == [
        ["First export, one.", "First export, two."],
        ["Second export, one.", "Second export, two."],
    ]
    assert all(t.uri.startswith("comments") for t, _ in store.threads())


# Minor: import errors named the server's temporary file. --------------------------------------


def test_import_errors_name_the_uploaded_file_not_a_temporary_path(admin: TestClient) -> None:
    data = b'{"id": 1, "text": "fine"}\n{"id": 2, "text": 5}\n'
    r = admin.post("/api/admin/import", files={"file": ("monday.jsonl", data)})
    assert r.status_code == 422
    message = _error(r)["message"]
    assert message.startswith("monday.jsonl, line 2, field 'text':"), message
    assert "steelman-upload" not in message and "/tmp" not in message
    csrf = admin.headers["X-CSRF-Token"]
    page = admin.post(
        "/admin/import", files={"file": ("monday.txt", b"hello")}, data={"csrf": csrf}
    )
    assert "monday.txt" in page.text and "steelman-upload" not in page.text


# Defect 11: SIGTERM left the demo database (the demo login's hash, the signing secret) behind.


def test_sigterm_removes_the_demo_database(database: str, tmp_path: Path) -> None:
    if not database.startswith("sqlite"):
        pytest.skip("the demo makes its own SQLite database; once is enough")
    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    args = [sys.executable, "-m", "steelman", "serve", "--demo", "--port", str(port)]
    proc = subprocess.Popen(
        args, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.communicate()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the demo did not start in 60 s"
            time.sleep(0.1)
        assert [p.name[:14] for p in tmp_path.glob("steelman-demo-*")] == ["steelman-demo-"]
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 0, err.decode()
    assert b"Traceback" not in err
    assert list(tmp_path.glob("steelman-demo-*")) == []  # was left with demo.db inside
    assert b"Steelman demo:" in out and b"removed at exit" in out
