"""Issue 16, item 3: anonymous poisoning of the training data sent to ``comments:suggestscore``.

Feedback is taken only with a key a site owner issued (``steelman feedback-keys``), as JSON,
within the key's rate, size and row limits; every row records its key and the export names it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from serverkit import make_app

from steelman.cli import main
from steelman.server.db import Store
from steelman.server.feedback import add_key, export_feedback

URL = "/v1alpha1/comments:suggestscore"
POISON = "You are a worthless idiot and a liar."


def _poison(**extra: Any) -> dict[str, Any]:
    return {
        "comment": {"text": POISON},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.0}}},
        "communityId": "nytimes",
        "clientToken": "moderator-team",
        **extra,
    }


def _key(database: str, name: str = "forum-1") -> str:
    store = Store.open(database)
    try:
        return add_key(store, name)[1]
    finally:
        store.close()


def _count(database: str) -> int:
    store = Store.open(database)
    try:
        return store.count_feedback()
    finally:
        store.close()


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[TestClient]:
    app: FastAPI = make_app(
        tmp_path, feedback_per_minute=5, feedback_max_rows=3, feedback_max_bytes=2000
    )
    with TestClient(app) as c:
        yield c


def test_anonymous_suggestions_are_refused_and_kept_nowhere(
    client: TestClient, database: str
) -> None:
    for _ in range(20):
        r = client.post(URL, json=_poison())
        assert r.status_code == 403, r.text
        error = r.json()["error"]
        assert error["status"] == "PERMISSION_DENIED" and "API key" in error["message"]
    assert _count(database) == 0


@pytest.mark.parametrize("secret", ["stm_not-a-key-we-issued", "AIzaSyD-a-google-key", "x" * 5000])
def test_a_key_not_issued_here_is_refused(client: TestClient, database: str, secret: str) -> None:
    _key(database)
    r = client.post(URL, params={"key": secret}, json=_poison())
    assert r.status_code == 400, r.text
    assert r.json()["error"]["message"] == "API key not valid. Please pass a valid API key."
    assert _count(database) == 0


def test_a_key_is_taken_as_key_parameter_or_x_goog_api_key_header(
    client: TestClient, database: str
) -> None:
    secret = _key(database)
    assert client.post(URL, params={"key": secret}, json=_poison()).status_code == 200
    r = client.post(URL, headers={"x-goog-api-key": secret}, json=_poison())
    assert r.status_code == 200, r.text
    assert _count(database) == 2


@pytest.mark.parametrize(
    "kind", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_bodies_a_web_page_can_post_without_a_preflight_are_refused(
    client: TestClient, database: str, kind: str
) -> None:
    secret = _key(database)
    r = client.post(
        URL,
        params={"key": secret},
        content=json.dumps(_poison()),
        headers={"content-type": kind, "origin": "https://evil.example"},
    )
    assert r.status_code == 400, r.text
    assert "application/json" in r.json()["error"]["message"]
    assert _count(database) == 0


def test_the_secret_is_kept_only_as_a_hash(database: str) -> None:
    secret = _key(database)
    store = Store.open(database)
    try:
        with store.backend.transaction() as cur:
            rows = cur.execute("SELECT * FROM feedback_keys")
    finally:
        store.close()
    assert secret.startswith("stm_") and len(secret) > 40
    assert secret not in json.dumps(rows) and len(rows) == 1


def test_a_revoked_key_is_refused_and_purge_deletes_what_it_sent(
    client: TestClient, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["feedback-keys", "add", "--database", database, "poisoner"])
    secret = capsys.readouterr().out.strip()
    good = _key(database, "good-site")
    for _ in range(3):
        assert client.post(URL, params={"key": secret}, json=_poison()).status_code == 200
    assert client.post(URL, params={"key": good}, json=_poison()).status_code == 200
    main(["feedback-keys", "list", "--database", database])
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["poisoner", "good-site"]
    assert listed[0].endswith("in force\t3 suggestions")
    main(["feedback-keys", "revoke", "--database", database, "poisoner"])
    assert "revoked" in capsys.readouterr().out
    r = client.post(URL, params={"key": secret}, json=_poison())
    assert r.status_code == 400, r.text
    main(["feedback-keys", "purge", "--database", database, "poisoner"])
    assert capsys.readouterr().out.startswith("3 suggestions sent with 'poisoner' deleted")
    assert _count(database) == 1
    main(["feedback-keys", "list", "--database", database])
    assert "revoked\t0 suggestions" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["feedback-keys", "revoke", "--database", database, "nobody"])
    with pytest.raises(SystemExit):
        main(["feedback-keys", "add", "--database", database, "bad name!"])


def test_each_row_names_its_key_and_unkeyed_rows_are_left_out(
    client: TestClient, database: str, tmp_path: Path
) -> None:
    secret = _key(database, "site-a")
    assert client.post(URL, params={"key": secret}, json=_poison()).status_code == 200
    store = Store.open(database)
    try:
        store.add_feedback("Kept before keys existed.", {"TOXICITY": {"summary": 0.0, "spans": []}})
        out = tmp_path / "feedback.jsonl"
        assert export_feedback(store, out) == 1
        (row,) = [json.loads(line) for line in out.read_text().splitlines()]
        assert row["suggested"]["key"] == "site-a" and row["domain"] == "feedback:site-a:nytimes"
        assert export_feedback(store, out, unkeyed=True) == 2
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert rows[1]["suggested"]["key"] is None and rows[1]["domain"].startswith(
            "feedback:unkeyed:"
        )
    finally:
        store.close()


def test_a_key_has_its_own_rate(limited: TestClient, database: str) -> None:
    secret = _key(database)
    other = _key(database, "site-b")
    codes = [
        limited.post(URL, params={"key": secret}, json=_poison()).status_code for _ in range(6)
    ]
    assert codes[:3] == [200] * 3 and codes[3:] == [429] * 3  # row limit 3, then rate 5
    r = limited.post(URL, params={"key": secret}, json=_poison())
    assert r.status_code == 429 and r.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert limited.post(URL, params={"key": other}, json=_poison()).status_code == 200


def test_a_key_has_a_row_limit(limited: TestClient, database: str) -> None:
    secret = _key(database)
    for _ in range(3):
        assert limited.post(URL, params={"key": secret}, json=_poison()).status_code == 200
    r = limited.post(URL, params={"key": secret}, json=_poison())
    assert r.status_code == 429, r.text
    assert "feedback_max_rows" in r.json()["error"]["message"]
    assert _count(database) == 3


def test_a_suggestion_over_the_size_limit_is_refused(limited: TestClient, database: str) -> None:
    secret = _key(database)
    body = _poison(communityId="c" * 1000, context={"entries": [{"text": "parent " * 200}]})
    r = limited.post(URL, params={"key": secret}, json=body)
    assert r.status_code == 400, r.text
    assert "feedback_max_bytes" in r.json()["error"]["message"]
    assert _count(database) == 0
