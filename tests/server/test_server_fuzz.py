"""Schemathesis fuzzes every operation of the OpenAPI document: no input gives a 500, and
every answer (errors included) matches the schema the document declares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from serverkit import make_app

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402


def test_no_operation_answers_500(tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        rate_post_per_minute=0,
        rate_judge_per_minute=0,
        rate_login_per_minute=0,
        max_request_bytes=64 * 1024,
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    fuzzed = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

        fuzz()
        fuzzed.append(operation.label)
    assert len(fuzzed) == len(operations)
    app.state.steelman.batcher.stop()
    app.state.steelman.store.close()
