"""The JSON judge API: one reply, a batch, a thread, health, version, limits."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from serverkit import RuleJudge, make_app


def test_judge_one_reply_with_parent(client: TestClient) -> None:
    r = client.post(
        "/api/v1/judge",
        json={"text": "You clearly never read it.", "parent": "The study found a 12% drop."},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["level"] == "DH1" and body["label"] == "DH1 Ad hominem"
    (span,) = body["because"]
    assert (
        "You clearly never read it."[span["start"] : span["end"]] == span["text"] == "You clearly"
    )
    assert body["suggestion"] and set(body["scores"]) == {f"DH{i}" for i in range(7)}


def test_judge_batch_answers_in_order(client: TestClient) -> None:
    items = [
        {"text": "You idiot."},
        {"text": "Why?"},
        {"text": "No, because the data says otherwise."},
    ]
    r = client.post("/api/v1/judge:batch", json={"items": items})
    assert r.status_code == 200
    assert [x["level"] for x in r.json()["results"]] == ["DH0", None, "DH4"]


def test_concurrent_requests_share_judge_calls(tmp_path: Path) -> None:
    judge = RuleJudge()
    app = make_app(tmp_path, judge=judge, batch_window_ms=50.0)
    import concurrent.futures

    with TestClient(app) as client, concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(lambda i: client.post("/api/v1/judge", json={"text": f"No {i}"}), range(16))
        )
    assert all(r.status_code == 200 for r in results)
    assert sum(judge.calls) == 16 and len(judge.calls) < 16  # micro-batched


def test_thread_analysis(client: TestClient) -> None:
    comments = [
        {"id": "1", "author": "ann", "text": "Cars should go."},
        {"id": "2", "parent_id": "1", "author": "bob", "text": "Typical, you people hate drivers."},
        {
            "id": "3",
            "parent_id": "2",
            "author": "ann",
            "text": "You say I hate drivers, but I drive.",
        },
    ]
    r = client.post("/api/v1/thread:analyze", json={"comments": comments})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["comments"] == 3
    assert report["shape"]["levels"]["DH1"] == 1 and report["shape"]["levels"]["DH5"] == 1
    assert {p["author"] for p in report["participants"]} == {"ann", "bob"}
    assert [x["level"] for x in report["replies"]] == report["timeline"]
    rose = report["risk_rose_most"]  # the comment after which the forecast rose most
    assert rose is None or (rose["after"] > rose["before"] and rose["id"] in {"1", "2", "3"})


def test_health_and_version(client: TestClient) -> None:
    health = client.get("/api/v1/health").json()
    assert health["status"] == "ok"
    assert health["database"] == client.app.state.steelman.store.backend.kind  # type: ignore[attr-defined]
    assert health["judge"] == {"name": "rule-judge", "version": "test"}
    version = client.get("/api/v1/version").json()
    assert version["api"] == "v1" and version["model"]["name"] == "rule-judge"


def test_openapi_document_lists_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/judge",
        "/api/v1/judge:batch",
        "/api/v1/thread:analyze",
        "/v1alpha1/comments:analyze",
        "/api/comments",
        "/api/admin/queue",
    ):
        assert path in paths


def test_too_long_text_is_422_naming_the_field(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, max_text_chars=20)) as client:
        r = client.post("/api/v1/judge", json={"text": "x" * 21})
        assert r.status_code == 422
        assert r.json()["error"] == {
            "code": "too_long",
            "message": "text is over 20 characters",
            "field": "text",
        }


def test_too_many_items_is_422(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, max_batch=3)) as client:
        r = client.post("/api/v1/judge:batch", json={"items": [{"text": "no"}] * 4})
        assert r.status_code == 422 and r.json()["error"]["field"] == "items"
        r = client.post("/api/v1/judge:batch", json={"items": []})
        assert r.status_code == 422 and r.json()["error"]["code"] == "empty"


def test_too_large_body_is_413(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, max_request_bytes=1000)) as client:
        r = client.post("/api/v1/judge", json={"text": "x" * 2000})
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "too_large"


def test_too_large_body_without_content_length_is_413(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, max_request_bytes=1000)) as client:
        chunks = (b'{"text": "' + b"x" * 600, b"x" * 600 + b'"}')
        r = client.post(
            "/api/v1/judge", content=iter(chunks), headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "too_large"
