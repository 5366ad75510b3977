"""Perspective API drop-in: ``POST /v1alpha1/comments:analyze`` and its discovery document."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from steelman.data.text import clean_text
from steelman.server.deps import State, public_base, rate_limit
from steelman.server.perspective import (
    PerspectiveError,
    analyze_response,
    discovery_document,
    parse_request,
)

__all__ = ["perspective_error", "router"]

router = APIRouter(tags=["perspective"])


def perspective_error(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    names = {
        400: "INVALID_ARGUMENT",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        413: "INVALID_ARGUMENT",
        429: "RESOURCE_EXHAUSTED",
        503: "UNAVAILABLE",
    }
    status_name = names.get(status, "INTERNAL")
    return JSONResponse(
        {"error": {"code": status, "message": clean_text(message), "status": status_name}},
        status_code=status,
        headers=headers,
    )


@router.post(
    "/v1alpha1/comments:analyze",
    dependencies=[Depends(rate_limit("judge"))],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def analyze(request: Request, state: State) -> Any:
    """Perspective's ``comments:analyze``: ATTACK_ON_COMMENTER, INSULT and STEELMAN_* attributes."""
    try:
        body = json.loads(await request.body())
    except RecursionError:
        return perspective_error(400, "Invalid JSON payload received: nested too deeply.")
    except ValueError:
        return perspective_error(400, "Invalid JSON payload received.")
    try:
        req = parse_request(body, max_chars=state.settings.max_text_chars)
    except PerspectiveError as exc:
        return perspective_error(400, str(exc))
    (judgement,) = await state.batcher.ajudge_many([req.text], [req.parent])
    return analyze_response(req, judgement)


@router.get("/$discovery/rest", include_in_schema=False)
def discovery(request: Request) -> dict[str, Any]:
    """The discovery document google-api-python-client reads (``discoveryServiceUrl``)."""
    return discovery_document(public_base(request) + "/")
