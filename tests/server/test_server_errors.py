"""One JSON error shape for every error: {"error": {"code", "message", "field"}}."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from fastapi.testclient import TestClient
from serverkit import make_app


def _shape(body: dict[str, object]) -> None:
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error, dict) and set(error) == {"code", "message", "field"}
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("get", "/api/no-such-thing", {}, 404, "not_found"),
        ("delete", "/api/v1/judge", {}, 405, "method_not_allowed"),
        ("post", "/api/v1/judge", {"json": {}}, 422, "invalid"),
        ("post", "/api/v1/judge", {"json": {"text": "   "}}, 422, "empty_text"),
        ("post", "/api/v1/judge", {"json": {"text": "x", "colour": "red"}}, 422, "invalid"),
        (
            "post",
            "/api/v1/judge",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            422,
            "invalid",
        ),
        ("post", "/api/v1/judge", {"data": {"text": "x"}}, 403, "csrf"),
        # a missing comment answers as a forbidden one does: held ones cannot be enumerated
        ("get", "/api/comments/1/author", {"headers": {"X-Steelman-Token": "x"}}, 403, "forbidden"),
        ("get", "/api/admin/queue", {}, 401, "unauthorised"),
    ],
)
def test_error_shape(
    client: TestClient, method: str, path: str, kwargs: dict[str, object], status: int, code: str
) -> None:
    r = getattr(client, method)(path, **kwargs)
    assert r.status_code == status, r.text
    _shape(r.json())
    assert r.json()["error"]["code"] == code


def test_validation_error_names_the_field(client: TestClient) -> None:
    r = client.post("/api/v1/judge", json={"text": 3})
    assert r.status_code == 422 and r.json()["error"]["field"] == "text"


def test_internal_errors_keep_the_shape_and_hide_details(tmp_path: Path) -> None:
    class Exploding:
        info: ClassVar[dict[str, str]] = {"name": "x", "version": "0"}

        def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[object]:
            raise AssertionError("secret internals")

    app = make_app(tmp_path, judge=Exploding())
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post("/api/v1/judge", json={"text": "hello"})
    assert r.status_code == 503  # the judge failing is "unavailable", not a crash
    _shape(r.json())
    assert r.json()["error"]["code"] == "judge_unavailable"
    assert "secret" not in r.text


def test_openapi_declares_the_error_shape_for_every_operation(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            ref = operation["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"]
            expected = "PerspectiveErrorOut" if path.startswith("/v1alpha1/") else "ErrorOut"
            assert ref.endswith(expected), (method, path)


def test_ids_beyond_64_bits_are_invalid_not_a_crash(client: TestClient) -> None:
    """Found by the fuzzer: SQLite cannot bind integers over 2**63 - 1."""
    huge = 2**63
    r = client.get(f"/api/comments/{huge}/author", headers={"X-Steelman-Token": "x"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "comment_id"
    r = client.post("/api/comments", json={"uri": "x", "text": "No.", "parent_id": huge})
    assert r.status_code == 422 and r.json()["error"]["field"] == "parent_id"
