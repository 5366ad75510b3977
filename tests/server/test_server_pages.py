"""The web pages: judge a reply, report on a thread, the docs that cannot drift, the demo."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from serverkit import make_app

from steelman.levels import LEVELS
from steelman.server.perspective import ATTRIBUTES
from steelman.server.settings import settings_help


def test_index_has_both_forms_and_the_pyramid(client: TestClient) -> None:
    page = client.get("/").text
    assert 'action="/"' in page and 'action="/report"' in page
    for lv in LEVELS:
        assert lv.name in page


def test_judging_shows_level_highlight_and_suggestion(client: TestClient) -> None:
    page = client.post(
        "/", data={"text": "You clearly never read it.", "parent": "The data says so."}
    ).text
    assert "<h2>DH1 Ad hominem</h2>" in page
    assert '<mark class="dh1" title="DH1: about the person">You clearly</mark>' in page
    assert 'class="rung dh1 current"' in page
    assert LEVELS[1].climb.split(":")[0] in page


def test_empty_reply_is_a_form_error(client: TestClient) -> None:
    r = client.post("/", data={"text": "  "})
    assert r.status_code == 422 and "Paste a reply" in r.text


def test_thread_report_from_pasted_jsonl(client: TestClient) -> None:
    rows = [
        {"id": "1", "author": "ann", "text": "Trams first."},
        {"id": "2", "parent_id": "1", "author": "bob", "text": "You idiot."},
    ]
    r = client.post(
        "/report", data={"pasted": "\n".join(json.dumps(x) for x in rows), "format": "jsonl"}
    )
    assert r.status_code == 200 and "bob" in r.text and "DH0" in r.text


def test_thread_report_from_uploaded_file(client: TestClient) -> None:
    data = json.dumps({"id": "1", "author": "ann", "text": "Trams first."}).encode()
    r = client.post("/report", files={"file": ("t.jsonl", data)}, data={"format": "auto"})
    assert r.status_code == 200 and "ann" in r.text


def test_bad_thread_file_is_explained(client: TestClient) -> None:
    r = client.post("/report", data={"pasted": "{not json", "format": "jsonl"})
    assert r.status_code == 422 and 'role="alert"' in r.text


def test_docs_cover_every_setting_attribute_and_endpoint(client: TestClient) -> None:
    page = client.get("/docs").text
    for name in settings_help():
        assert f"<code>{name}</code>" in page
    for name in ATTRIBUTES:
        assert f"<code>{name}</code>" in page
    for path in client.get("/openapi.json").json()["paths"]:
        if not path.startswith("/api/admin") and not path.startswith("/api/comments"):
            assert path in page, path
    assert "WikiTactics" in page and "ChangeMyView" in page


def test_widget_script_and_styles_are_served(client: TestClient) -> None:
    js = client.get("/embed.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in js.text
    assert client.get("/static/embed.css").status_code == 200
    assert 'src="/embed.js"' in client.get("/demo").text


def test_public_url_is_the_address_in_the_snippet_and_discovery(tmp_path: Path) -> None:

    with TestClient(make_app(tmp_path, public_url="https://comments.example/")) as client:
        assert 'src="https://comments.example/embed.js"' in client.get("/docs").text
        assert client.get("/$discovery/rest").json()["rootUrl"] == "https://comments.example/"
