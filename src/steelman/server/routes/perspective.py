"""Perspective API drop-in: comments:analyze and comments:suggestscore, the discovery document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from steelman.data.text import clean_text
from steelman.judge.result import Judgement
from steelman.server import lenient_json
from steelman.server.attributes import model_metrics
from steelman.server.deps import State, public_base, rate_limit
from steelman.server.feedback import authenticate, keep_suggestion
from steelman.server.perspective import (
    PerspectiveError,
    analyze_response,
    discovery_document,
    error_body,
    parse_request,
    parse_suggestion,
    suggest_response,
)

__all__ = ["perspective_error", "router"]

router = APIRouter(tags=["perspective"])

# What analyze_response reads when every attribute asked for was dropped (nothing is judged).
_NOTHING = Judgement(None, {}, 0.0, 0.0, {}, (), "", {})


def perspective_error(
    status: int,
    message: str,
    headers: Mapping[str, str] | None = None,
    error_type: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(status, clean_text(message), error_type, detail),
        status_code=status,
        headers=headers,
    )


def _refused(exc: PerspectiveError) -> JSONResponse:
    return perspective_error(exc.status, str(exc), error_type=exc.error_type, detail=exc.detail)


_JSON_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


async def _body(request: Request) -> Any:
    try:
        return lenient_json.loads(await request.body())
    except RecursionError:
        raise PerspectiveError("Invalid JSON payload received: nested too deeply.") from None
    except ValueError:
        raise PerspectiveError("Invalid JSON payload received.") from None


@router.post(
    "/v1alpha1/comments:analyze",
    dependencies=[Depends(rate_limit("judge"))],
    openapi_extra=_JSON_BODY,
)
async def analyze(request: Request, state: State) -> Any:
    """Perspective's ``comments:analyze``: TOXICITY and the production attributes, the attacks,
    the bridging attributes the model has figures for, and STEELMAN_* (see /docs#perspective)."""
    try:
        body = await _body(request)
        req = parse_request(
            body, max_chars=state.settings.max_text_chars, metrics=model_metrics(state.judge)
        )
        if not req.attributes:  # everything asked for was dropped: nothing to judge
            return analyze_response(req, _NOTHING)
        parents = req.parents()
        judged = await state.batcher.ajudge_many(
            [req.text] * len(parents), parents, remember=not req.do_not_store
        )
        return analyze_response(req, judged[0], judged[-1])
    except PerspectiveError as exc:
        return _refused(exc)


@router.post(
    "/v1alpha1/comments:suggestscore",
    dependencies=[Depends(rate_limit("judge"))],
    openapi_extra=_JSON_BODY,
)
async def suggestscore(request: Request, state: State) -> Any:
    """Perspective's ``comments:suggestscore``: the scores a site says a comment deserves, kept
    with its text as labelled data (``steelman export-feedback``). Only with a feedback key
    (``?key=`` or ``x-goog-api-key``), and only as JSON (a form or text/plain post, which any
    web page can make, is refused)."""
    try:
        if _content_type(request) != "application/json":
            raise PerspectiveError("Send the suggestion as application/json.")
        secret = request.query_params.get("key") or request.headers.get("x-goog-api-key")
        key = await run_in_threadpool(
            authenticate, state.store, state.limiter, state.settings, secret
        )
        s = parse_suggestion(await _body(request), max_chars=state.settings.max_text_chars)
        await run_in_threadpool(keep_suggestion, state.store, key, s, state.settings)
    except PerspectiveError as exc:
        return _refused(exc)
    return suggest_response(s)


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


@router.get("/$discovery/rest", include_in_schema=False)
def discovery(request: Request) -> dict[str, Any]:
    """The discovery document google-api-python-client reads (``discoveryServiceUrl``)."""
    return discovery_document(public_base(request) + "/")
