"""Security: admin routes refuse without a login, CSRF, CORS, rate limits, passwords, sessions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from serverkit import MODERATOR, login, make_app
from starlette.routing import Route

from steelman.server.security import RateLimiter, check_author_token, make_author_token


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_admin_api_route_in_openapi_refuses_without_credentials(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    admin = {
        p: ops for p, ops in paths.items() if p.startswith("/api/admin") and p != "/api/admin/login"
    }
    assert len(admin) >= 8
    for path, ops in admin.items():
        for method in ops:
            r = client.request(method, _fill(path), json={})
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.json()["error"]["code"] == "unauthorised"


def test_every_admin_page_refuses_without_credentials(client: TestClient) -> None:
    from steelman.server.routes import admin_pages

    routes = [r for r in admin_pages.router.routes if isinstance(r, Route)]
    checked = 0
    for route in routes:
        if route.path == "/admin/login":
            continue
        for method in route.methods or ():
            if method == "HEAD":
                continue
            r = client.request(method, _fill(route.path), follow_redirects=False)
            if method == "GET":
                assert r.status_code == 303 and r.headers["location"] == "/admin/login", route.path
            else:
                assert r.status_code == 401, (method, route.path)
            checked += 1
    assert checked >= 7


def test_admin_write_needs_the_csrf_token(client: TestClient) -> None:

    csrf = login(client)
    r = client.post("/api/admin/rejudge")
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
    r = client.post("/api/admin/rejudge", headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403
    r = client.post(
        "/api/admin/rejudge", headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"}
    )
    assert r.status_code == 403
    assert client.post("/api/admin/rejudge", headers={"X-CSRF-Token": csrf}).status_code == 200


def test_cross_site_login_is_refused(client: TestClient) -> None:
    r = client.post(
        "/admin/login",
        data=dict(zip(("username", "password"), MODERATOR, strict=True)),
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403


def test_widget_writes_must_be_json(client: TestClient) -> None:
    r = client.post("/api/comments", data={"uri": "x", "text": "hello"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
    r = client.post(
        "/api/comments",
        content=b'{"uri": "x", "text": "hi"}',
        headers={"Content-Type": "text/plain"},
    )
    assert r.status_code == 403


def test_cors_only_for_configured_origins(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, cors_origins=["https://blog.example"])) as client:
        ok = client.options(
            "/api/comments",
            headers={
                "Origin": "https://blog.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == "https://blog.example"
        bad = client.options(
            "/api/comments",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in bad.headers
        simple = client.get(
            "/api/threads", params={"uri": "x"}, headers={"Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in simple.headers


def test_posting_is_rate_limited_per_address(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, rate_post_per_minute=2)) as client:
        codes = [
            client.post("/api/comments", json={"uri": "x", "text": f"No {i}."}).status_code
            for i in range(3)
        ]
        assert codes == [201, 201, 429]
        r = client.post("/api/comments", json={"uri": "x", "text": "No."})
        assert r.json()["error"]["code"] == "rate_limited" and int(r.headers["Retry-After"]) >= 1
        # judging has its own budget
        assert client.post("/api/v1/judge", json={"text": "No."}).status_code == 200


def test_rate_limiter_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    assert limiter.hit("post", "a", 2) == 0 and limiter.hit("post", "a", 2) == 0
    assert limiter.hit("post", "a", 2) == 30  # one token every 30 s
    assert limiter.hit("post", "b", 2) == 0  # another address
    now[0] = 31.0
    assert limiter.hit("post", "a", 2) == 0


def test_password_is_stored_as_argon2_and_wrong_password_fails(
    client: TestClient, app: FastAPI
) -> None:
    user = app.state.steelman.store.user(MODERATOR[0])
    assert user.password_hash.startswith("$argon2id$") and MODERATOR[1] not in user.password_hash
    r = client.post(
        "/api/admin/login", json={"username": MODERATOR[0], "password": "wrong password"}
    )
    assert r.status_code == 401
    r = client.post("/api/admin/login", json={"username": "nobody", "password": "wrong password"})
    assert r.status_code == 401
    assert [e.action for e in app.state.steelman.store.audit_log()][:2] == [
        "login-failed",
        "login-failed",
    ]


def test_session_expires(tmp_path: Path) -> None:

    with TestClient(make_app(tmp_path, session_ttl_s=0)) as client:
        login(client)
        assert client.get("/api/admin/queue").status_code == 401


def test_logout_ends_the_session(admin: TestClient) -> None:
    assert admin.get("/api/admin/queue").status_code == 200
    assert admin.post("/api/admin/logout").status_code == 200
    assert admin.get("/api/admin/queue").status_code == 401
    store = admin.app.state.steelman.store  # type: ignore[attr-defined]
    assert [e.action for e in store.audit_log()][:2] == ["logout", "login"]


def test_author_token_is_bound_to_comment_and_time() -> None:
    token = make_author_token("s3cret", 7, expires=100)
    assert check_author_token("s3cret", token, 7, now=99)
    assert not check_author_token("s3cret", token, 7, now=100)
    assert check_author_token("s3cret", token, 7, now=500, for_edit=False)
    assert not check_author_token("s3cret", token, 8, now=99)
    assert not check_author_token("other", token, 7, now=99)
    assert not check_author_token("s3cret", token.replace("100", "999"), 7, now=99)
    assert not check_author_token("s3cret", "garbage", 7)


@pytest.mark.parametrize("path", ["/", "/docs", "/demo", "/admin/login"])
def test_pages_have_a_strict_content_security_policy(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "http://" not in r.text.replace("http://testserver", "") and "https://cdn" not in r.text


def test_behind_a_proxy_the_forwarded_address_and_host_count(tmp_path: Path) -> None:
    app = make_app(
        tmp_path, rate_post_per_minute=1, trust_proxy=True, public_url="https://comments.example"
    )
    with TestClient(app) as client:
        for address in ("203.0.113.1", "203.0.113.2"):
            r = client.post(
                "/api/comments",
                json={"uri": "x", "text": "No."},
                headers={"X-Forwarded-For": f"10.0.0.1, {address}"},  # the proxy's hop last
            )
            assert r.status_code == 201
        again = client.post(
            "/api/comments",
            json={"uri": "x", "text": "No."},
            headers={"X-Forwarded-For": "203.0.113.1"},
        )
        assert again.status_code == 429
        r = client.post(
            "/api/admin/login",
            json=dict(zip(("username", "password"), MODERATOR, strict=True)),
            headers={"Origin": "https://comments.example", "X-Forwarded-Host": "comments.example"},
        )
        assert r.status_code == 200


def test_without_trust_proxy_forwarded_headers_are_ignored(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, rate_post_per_minute=1)) as client:
        codes = [
            client.post(
                "/api/comments",
                json={"uri": "x", "text": "No."},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(2)
        ]
        assert codes == [201, 429]
