"""The comment server under attack (issue 9, part A): each test replays one attack.

Bad characters (lone surrogates, NUL) at every boundary, a batch that must not fail for one
member, malformed JSON, forwarded addresses and rate-limit buckets, bans that can be lifted and
expire, demo mode, the Host header, the database file's mode and admin pages kept out of caches.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from serverkit import RuleJudge, login, make_app

from steelman.errors import InputError
from steelman.judge.result import Judgement
from steelman.server.db import Store
from steelman.server.judging import JudgeUnavailable, MicroBatcher
from steelman.server.security import RateLimiter

SURROGATE = "x \\ud800 y"  # as JSON spells it: a lone half of a surrogate pair
BAD = "@BAD@"  # where a body template takes SURROGATE
JSON = {"content-type": "application/json"}


class ChokingJudge(RuleJudge):
    """Fails the whole call, as the tokenizer does, when any text is not valid Unicode."""

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        for text in texts:
            text.encode("utf-8")  # raises UnicodeEncodeError on a lone surrogate
            if "POISON" in text:
                raise RuntimeError("the tokenizer failed")
        return super().judge_batch(texts, parents)


def _raw(client: TestClient, method: str, path: str, body: str, **kw: Any) -> Any:
    return client.request(method, path, content=body.encode(), headers={**JSON, **kw})


@pytest.fixture
def posted(client: TestClient) -> dict[str, Any]:
    r = client.post("/api/comments", json={"uri": "p", "text": "No, because."})
    assert r.status_code == 201
    return dict(r.json())


# 1. Lone surrogates: refused at the boundary, and a batch never fails for one member ---------

SURROGATE_BODIES = [
    ("POST", "/api/v1/judge", '{"text": "@BAD@"}', "text"),
    ("POST", "/api/v1/judge", '{"text": "No.", "parent": "@BAD@"}', "parent"),
    (
        "POST",
        "/api/v1/judge:batch",
        '{"items": [{"text": "No."}, {"text": "@BAD@"}]}',
        "items.1.text",
    ),
    ("POST", "/api/v1/thread:analyze", '{"comments": [{"id": "a", "text": "@BAD@"}]}', None),
    ("POST", "/api/comments", '{"uri": "p", "text": "@BAD@"}', "text"),
    ("POST", "/api/comments", '{"uri": "p", "text": "No.", "author": "@BAD@"}', "author"),
    ("POST", "/api/comments", '{"uri": "@BAD@", "text": "No."}', "uri"),
    ("POST", "/api/comments/check", '{"uri": "p", "text": "@BAD@"}', "text"),
]


@pytest.mark.parametrize(("method", "path", "template", "field"), SURROGATE_BODIES)
def test_lone_surrogate_is_refused_with_422_in_the_api_shape(
    client: TestClient, method: str, path: str, template: str, field: str | None
) -> None:
    r = _raw(client, method, path, template.replace(BAD, SURROGATE))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert "surrogate" in error["message"] or "unicode string" in error["message"]
    if field is not None:
        assert error["field"] == field


def test_lone_surrogate_in_an_edit_is_refused(client: TestClient, posted: dict[str, Any]) -> None:
    cid, token = posted["comment"]["id"], posted["token"]
    r = _raw(client, "PUT", f"/api/comments/{cid}", '{"text": "@BAD@"}'.replace(BAD, SURROGATE), **{
        "X-Steelman-Token": token
    })  # fmt: skip
    assert r.status_code == 422 and r.json()["error"]["field"] == "text"


@pytest.mark.parametrize(
    "body",
    [
        '{"comment": {"text": "@BAD@"}, "requestedAttributes": {"INSULT": {}}}',
        '{"comment": {"text": "No."}, "context": {"entries": [{"text": "@BAD@"}]},'
        ' "requestedAttributes": {"INSULT": {}}}',
        '{"comment": {"text": "No."}, "clientToken": "@BAD@",'
        ' "requestedAttributes": {"INSULT": {}}}',
        '{"comment": {"text": "No."}, "languages": ["en-@BAD@"],'
        ' "requestedAttributes": {"INSULT": {}}}',
        '{"comment": {"text": "No."}, "requestedAttributes": {"@BAD@": {}}}',
    ],
)
def test_lone_surrogate_on_the_perspective_endpoint_is_invalid_argument(
    client: TestClient, body: str
) -> None:
    r = _raw(client, "POST", "/v1alpha1/comments:analyze", body.replace(BAD, SURROGATE))
    assert r.status_code == 400, r.text
    assert r.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_lone_surrogate_as_a_field_name_still_gets_a_readable_error(client: TestClient) -> None:
    r = _raw(client, "POST", "/api/v1/judge", '{"text": "No.", "@BAD@": 1}'.replace(BAD, SURROGATE))
    assert r.status_code == 422
    r.json()  # the error body is valid UTF-8 JSON


def test_one_failing_member_fails_alone_not_its_whole_batch() -> None:
    judge = ChokingJudge()
    batcher = MicroBatcher(judge, window_ms=60_000, max_batch=5, cache_size=0)
    texts = ["No.", "x \ud800 y", "No, because.", "POISON", "You clearly never read it."]
    futures = [batcher.submit(t, None) for t in texts]  # the fifth closes the batch
    results: list[str | None] = []
    for future in futures:
        try:
            results.append(future.result(10).level)
        except JudgeUnavailable:
            results.append("unavailable")
    batcher.stop()
    assert results == ["DH3", "unavailable", "DH4", "unavailable", "DH1"]
    assert judge.calls[-1] == 1  # only the good ones were judged again, one at a time or so


def test_abusive_post_batched_with_poison_is_still_held(tmp_path: Path) -> None:
    """The attack: bad requests sent alongside an abusive post got it published unjudged."""
    app = make_app(tmp_path, judge=ChokingJudge(), policy="hold")
    state = app.state.steelman
    state.batcher.window, state.batcher.max_batch = 60.0, 4
    poison = [state.batcher.submit(f"POISON {i}", None) for i in range(3)]
    posted = state.comments.post(uri="p", text="You clearly never read it.", address="1.2.3.4")
    assert posted.comment.status == "pending" and posted.comment.level == "DH1"
    for future in poison:
        with pytest.raises(JudgeUnavailable):
            future.result(10)
    state.batcher.stop()
    state.store.close()


def test_rejudge_pass_is_not_held_up_by_one_comment_the_judge_fails_on(tmp_path: Path) -> None:
    app = make_app(tmp_path, judge=ChokingJudge(), policy="hold")
    state = app.state.steelman
    thread = state.store.thread("p", create=True)
    for text in ("POISON", "You idiot.", "No, because."):
        state.store.add_comment(thread_id=thread.id, text=text, status="published", actor="author")
    assert state.comments.rejudge_pending() == 2
    left = state.store.unjudged()
    assert [c.text for c in left] == ["POISON"]
    assert state.store.count("pending") == 1  # the insult, held by the policy
    state.batcher.stop()
    state.store.close()


def test_score_repairs_a_lone_surrogate_instead_of_failing(tmp_path: Path) -> None:
    from steelman.batch.prepare import Fields, iter_chunks
    from steelman.batch.readers import InputFile

    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "@BAD@", "parent": "a\\u0000b"}\n'.replace(BAD, SURROGATE))
    (chunk,) = iter_chunks(InputFile(src), Fields())
    (item,) = chunk.items
    assert item.error is None and item.text == "x \ufffd y" and item.parent == "ab"
    assert item.row is not None
    json.dumps(item.row, ensure_ascii=False).encode("utf-8")  # the output row can be written


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("t.jsonl", '{"id": "1", "thread": "t", "author": "@BAD@", "text": "@BAD@"}\n'),
        ("t.csv", "id,thread,author,text\n1,t,@BAD@,@BAD@\n"),
    ],
)
def test_importers_make_text_valid_at_the_reader(tmp_path: Path, name: str, data: str) -> None:
    from steelman.data.formats import read_comments

    bad = SURROGATE if name.endswith(".jsonl") else "x \x00 y"
    path = tmp_path / name
    path.write_text(data.replace(BAD, bad))
    (comment,) = list(read_comments(path))
    for value in (comment.text, comment.author or ""):
        assert "\x00" not in value
        value.encode("utf-8")


# 8. Malformed input: 4xx in the endpoint's own shape, one log line each -----------------------

DEEP = '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}"


@pytest.mark.parametrize(
    ("path", "body", "status", "shape"),
    [
        ("/api/v1/judge", DEEP, 400, "api"),
        ("/api/comments", DEEP, 400, "api"),
        ("/v1alpha1/comments:analyze", DEEP, 400, "perspective"),
        (
            "/v1alpha1/comments:analyze",
            '{"comment": {"text": "No."}, "context": [{"text": "a"}],'
            ' "requestedAttributes": {"INSULT": {}}}',
            400,
            "perspective",
        ),
        (
            "/v1alpha1/comments:analyze",
            '{"comment": {"text": "No."}, "context": {"entries": {"text": "a"}},'
            ' "requestedAttributes": {"INSULT": []}}',
            400,
            "perspective",
        ),
        ("/api/comments", '{"uri": "p", "text": "@BAD@"}'.replace(BAD, SURROGATE), 422, "api"),
    ],
)
def test_malformed_input_is_a_4xx_with_one_log_line(
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    path: str,
    body: str,
    status: int,
    shape: str,
) -> None:
    caplog.set_level(logging.DEBUG, logger="steelman")
    r = _raw(client, "POST", path, body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    if shape == "api":
        assert set(error) == {"code", "message", "field"}
    else:
        assert error["status"] == "INVALID_ARGUMENT" and error["code"] == 400
    ours = [rec for rec in caplog.records if rec.name.startswith("steelman")]
    assert len(ours) <= 1 and not any(rec.exc_info for rec in ours)


# 9. NUL: refused with 422 the same way on both stores -------------------------------------


def test_both_stores_refuse_nul_and_lone_surrogates_alike(store: Store) -> None:
    thread = store.thread("p", create=True)
    assert thread is not None
    for bad in ("a\x00b", "a\ud800b"):
        with pytest.raises(InputError, match=r"NUL|surrogate"):
            store.add_comment(thread_id=thread.id, text=bad, status="published", actor="author")
        with pytest.raises(InputError):
            store.thread(bad)
    assert store.count() == 0


@pytest.fixture
def any_store_app(store_url: str) -> Iterator[FastAPI]:
    from steelman.server import create_app, load_settings
    from steelman.server.auth import add_moderator

    app = create_app(load_settings(database=store_url, rejudge_interval_s=0.0), judge=RuleJudge())
    add_moderator(app.state.steelman.store, "mod", "correct horse battery")
    yield app
    app.state.steelman.batcher.stop()
    app.state.steelman.store.close()


def test_nul_is_422_not_503_on_both_stores(any_store_app: FastAPI) -> None:
    with TestClient(any_store_app) as client:
        for body in (
            {"uri": "p", "text": "No.\x00"},
            {"uri": "p\x00", "text": "No."},
            {"uri": "p", "text": "No.", "author": "a\x00"},
            {"uri": "p", "text": "No.", "request_id": "r\x00"},
        ):
            r = client.post("/api/comments", json=body)
            assert r.status_code == 422, (body, r.text)
            assert "NUL" in r.json()["error"]["message"]
        assert client.get("/api/threads", params={"uri": "p\x00"}).status_code == 422
        r = client.post("/api/admin/login", json={"username": "m\x00", "password": "x"})
        assert r.status_code == 422
        r = client.post("/admin/login", data={"username": "m\x00", "password": "x"})
        assert r.status_code == 422
        assert any_store_app.state.steelman.store.count() == 0


# 4. trust_proxy: the hop the trusted proxy added; buckets that cannot be flushed ------------


def _post_from(client: TestClient, forwarded: str) -> int:
    r = client.post(
        "/api/comments", json={"uri": "x", "text": "No."}, headers={"X-Forwarded-For": forwarded}
    )
    return r.status_code


def test_spoofed_leftmost_forwarded_hop_does_not_bypass_the_rate_limit(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, rate_post_per_minute=1, trust_proxy=True)) as client:
        # The client writes whatever it likes first; the proxy appends the address it saw.
        assert _post_from(client, "198.51.100.1, 203.0.113.7") == 201
        assert _post_from(client, "198.51.100.2, 203.0.113.7") == 429
        assert _post_from(client, "203.0.113.8") == 201  # another client


def test_trusted_proxy_hops_counts_from_the_right(tmp_path: Path) -> None:
    app = make_app(tmp_path, rate_post_per_minute=1, trust_proxy=True, trusted_proxy_hops=2)
    with TestClient(app) as client:
        assert _post_from(client, "spoof-1, 203.0.113.7, 10.0.0.2") == 201
        assert _post_from(client, "spoof-2, 203.0.113.7, 10.0.0.3") == 429
        assert _post_from(client, "203.0.113.9") == 201  # fewer hops: the first one there is


def test_a_spoofed_hop_does_not_escape_a_ban(tmp_path: Path) -> None:
    app = make_app(tmp_path, trust_proxy=True)
    with TestClient(app) as client:
        r = client.post(
            "/api/comments",
            json={"uri": "x", "text": "You idiot."},
            headers={"X-Forwarded-For": "203.0.113.7"},
        )
        app.state.steelman.comments.ban(r.json()["comment"]["id"], "mod", "abuse")
        assert _post_from(client, "198.51.100.99, 203.0.113.7") == 403


def test_flooding_new_addresses_does_not_reset_a_live_clients_bucket() -> None:
    now = [1000.0]
    limiter = RateLimiter(clock=lambda: now[0])
    assert limiter.hit("post", "attacker", 1) == 0
    assert limiter.hit("post", "attacker", 1) > 0
    for i in range(100_001):
        limiter.hit("post", f"spoof-{i}", 1)
    assert limiter.hit("post", "attacker", 1) > 0  # still limited
    assert len(limiter) <= limiter.capacity + 16  # and memory stays bounded


def test_idle_buckets_make_room_and_a_flood_shares_one_bucket() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0], capacity=10)
    for i in range(10):
        assert limiter.hit("post", f"c{i}", 2) == 0
    # Every bucket is in use: newcomers share one overflow bucket rather than evict anyone.
    assert limiter.hit("post", "new-1", 2) == 0
    assert limiter.hit("post", "new-2", 2) == 0
    assert limiter.hit("post", "new-3", 2) > 0
    now[0] = 61.0  # a minute later every bucket has refilled: idle ones are forgotten
    assert limiter.hit("post", "new-4", 2) == 0
    assert len(limiter) <= 11


# 5. Unban (API, page, CLI), ban expiry, the proxy warning ----------------------------------


def _ban_one(admin: TestClient, **body: Any) -> int:
    r = admin.post("/api/comments", json={"uri": "b", "text": "You idiot.", "email": "e@x.org"})
    cid = r.json()["comment"]["id"]
    r = admin.post(f"/api/admin/comments/{cid}/ban", json={"reason": "abuse", **body})
    assert r.status_code == 200, r.text
    assert admin.post("/api/comments", json={"uri": "b", "text": "No."}).status_code == 403
    return int(cid)


def test_unban_through_the_api_is_audited(admin: TestClient) -> None:
    _ban_one(admin)
    bans = admin.get("/api/admin/bans").json()
    assert {b["kind"] for b in bans} == {"address", "email"}
    assert all(b["reason"] == "abuse" and b["actor"] == "mod" for b in bans)
    for ban in bans:
        r = admin.post(f"/api/admin/bans/{ban['id']}/unban", json={"reason": "appealed"})
        assert r.status_code == 200, r.text
    assert admin.get("/api/admin/bans").json() == []
    assert admin.post("/api/comments", json={"uri": "b", "text": "No."}).status_code == 201
    audit = admin.get("/api/admin/audit").json()
    unbans = [e for e in audit if e["action"] == "unban"]
    assert len(unbans) == 2 and all(
        e["actor"] == "mod" and e["reason"] == "appealed" for e in unbans
    )
    r = admin.post("/api/admin/bans/999/unban", json={})
    assert r.status_code == 404


def test_unban_on_the_admin_page(admin: TestClient) -> None:
    _ban_one(admin)
    page = admin.get("/admin/bans")
    assert page.status_code == 200 and "abuse" in page.text
    csrf = admin.headers["X-CSRF-Token"]
    for ban in admin.get("/api/admin/bans").json():
        assert f"/admin/bans/{ban['id']}/unban" in page.text
        r = admin.post(
            f"/admin/bans/{ban['id']}/unban", data={"csrf": csrf}, follow_redirects=False
        )
        assert r.status_code == 303
    assert admin.get("/api/admin/bans").json() == []


def test_unban_from_the_command_line(tmp_path: Path) -> None:
    from steelman.cli import cli

    url = f"sqlite:///{tmp_path / 'c.db'}"
    store = Store.open(url)
    store.ban("address", "abc", actor="mod", reason="spam")
    (ban,) = store.bans()
    runner = CliRunner()
    r = runner.invoke(cli, ["admin", "bans", "--database", url])
    assert r.exit_code == 0 and "spam" in r.output and str(ban.id) in r.output
    r = runner.invoke(cli, ["admin", "unban", str(ban.id), "--database", url, "--reason", "ok"])
    assert r.exit_code == 0, r.output
    assert store.bans() == [] and store.banned([("address", "abc")]) is None
    (entry, *_) = store.audit_log()
    assert entry.action == "unban" and entry.actor == "cli" and entry.reason == "ok"
    r = runner.invoke(cli, ["admin", "unban", "12345", "--database", url])
    assert r.exit_code != 0
    store.close()


def test_bans_expire(admin: TestClient, app: FastAPI) -> None:
    _ban_one(admin, days=1)
    store = app.state.steelman.store
    bans = store.bans()
    assert bans and all(b.expires is not None for b in bans)
    assert all(abs(b.expires - time.time() - 86_400) < 600 for b in bans if b.expires)
    later = time.time() + 2 * 86_400
    assert store.banned([(b.kind, b.value) for b in bans], now=later) is None
    assert store.bans(now=later) == []


def test_ban_days_setting_is_the_default_expiry(tmp_path: Path) -> None:
    app = make_app(tmp_path, ban_days=0)
    with TestClient(app) as client:
        client.headers["X-CSRF-Token"] = login(client)
        _ban_one(client)
        assert all(b.expires is None for b in app.state.steelman.store.bans())


def test_forwarded_requests_without_trust_proxy_warn_once(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="steelman")
    for _ in range(3):
        client.get("/api/v1/health", headers={"X-Forwarded-For": "203.0.113.5"})
        client.post("/api/v1/judge", json={"text": "No."}, headers={"X-Forwarded-For": "1.2.3.4"})
    warnings = [r for r in caplog.records if "trust_proxy" in r.getMessage()]
    assert len(warnings) == 1


# 11. Demo mode only on its own temporary database ------------------------------------------


def test_demo_in_a_config_file_does_not_touch_the_configured_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    import steelman.server
    from steelman.cli import cli

    real = tmp_path / "real.db"
    config = tmp_path / "site.toml"
    config.write_text(f'demo = true\ndatabase = "sqlite:///{real}"\n')
    seen: dict[str, Any] = {}
    original = steelman.server.create_app

    def fake_create_app(settings: Any, **kw: Any) -> FastAPI:
        return original(settings, judge=RuleJudge())

    def fake_run(app: FastAPI, **kw: Any) -> None:
        state = app.state.steelman
        seen["database"] = state.settings.database
        seen["users"] = state.store.users()
        seen["demo_folder"] = Path(state.settings.database.removeprefix("sqlite:///")).parent
        seen["site_layers"] = Path(state.settings.site_layers)

    monkeypatch.setattr(steelman.server, "create_app", fake_create_app)
    monkeypatch.setattr(uvicorn, "run", fake_run)
    r = CliRunner().invoke(cli, ["serve", "--config", str(config)])
    assert r.exit_code == 0, r.output
    assert seen["database"] != f"sqlite:///{real}" and seen["users"] == ["demo"]
    assert not seen["demo_folder"].exists()  # the temporary database went with the demo
    assert seen["site_layers"].parent == seen["demo_folder"]  # and any layer adapted in it
    if real.exists():
        store = Store.open(f"sqlite:///{real}")
        assert store.users() == [] and store.threads() == []
        store.close()


# Also: the Host header, the database file's mode, admin pages not cached --------------------


def test_host_header_is_not_reflected_without_public_url(client: TestClient) -> None:
    evil = {"Host": "evil.example"}
    for path in ("/demo", "/docs"):
        r = client.get(path, headers=evil)
        assert r.status_code == 200 and "evil.example" not in r.text, path
    root = client.get("/$discovery/rest", headers=evil).json()["rootUrl"]
    assert "evil.example" not in root and root.startswith("http://")


def test_sqlite_file_holding_the_secret_is_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "comments.db"
    store = Store.open(f"sqlite:///{path}")
    store.meta("secret", "s3cret")
    store.close()
    for file in path.parent.iterdir():
        assert stat.S_IMODE(os.stat(file).st_mode) & 0o077 == 0, file


def test_admin_pages_and_api_are_not_cached(admin: TestClient) -> None:
    for path in ("/admin", "/admin/threads", "/admin/audit", "/admin/login", "/api/admin/queue"):
        r = admin.get(path)
        assert r.status_code == 200, path
        assert "no-store" in r.headers.get("cache-control", ""), path
    assert "no-store" not in admin.get("/api/threads", params={"uri": "p"}).headers.get(
        "cache-control", ""
    )
