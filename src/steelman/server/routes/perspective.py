"""Perspective API drop-in: comments:analyze and comments:suggestscore, the discovery document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from steelman.data.text import clean_text
from steelman.server import batch_http, lenient_json
from steelman.server.attributes import model_metrics
from steelman.server.deps import State, client_address, public_base, rate_limit
from steelman.server.feedback import authenticate, keep_suggestion
from steelman.server.perspective import (
    PerspectiveError,
    analyze_response,
    discovery_document,
    error_body,
    parse_request,
    parse_suggestion,
    parts,
    suggest_response,
)
from steelman.server.state import AppState

__all__ = ["perspective_error", "router"]

router = APIRouter(tags=["perspective"])


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


_JSON_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


def _json(raw: bytes) -> Any:
    try:
        return lenient_json.loads(raw)
    except RecursionError:
        raise PerspectiveError("Invalid JSON payload received: nested too deeply.") from None
    except ValueError:
        raise PerspectiveError("Invalid JSON payload received.") from None


def _error_of(exc: PerspectiveError) -> tuple[int, dict[str, Any]]:
    return exc.status, error_body(exc.status, clean_text(str(exc)), exc.error_type, exc.detail)


async def _analyze(state: AppState, raw: bytes) -> tuple[int, Any]:
    try:
        req = parse_request(
            _json(raw), max_chars=state.settings.max_text_chars, metrics=model_metrics(state.judge)
        )
        if not req.attributes:  # everything asked for was dropped: nothing to judge
            return 200, analyze_response(req, {})
        todo = parts(req)
        judged = await state.batcher.ajudge_many(
            [t for t, _ in todo], [p for _, p in todo], remember=not req.do_not_store
        )
        return 200, analyze_response(req, dict(zip(todo, judged, strict=True)))
    except PerspectiveError as exc:
        return _error_of(exc)


async def _suggest(
    state: AppState, raw: bytes, content_type: str, secret: str | None
) -> tuple[int, Any]:
    try:
        if content_type.split(";")[0].strip().lower() != "application/json":
            raise PerspectiveError("Send the suggestion as application/json.")
        key = await run_in_threadpool(
            authenticate, state.store, state.limiter, state.settings, secret
        )
        s = parse_suggestion(_json(raw), max_chars=state.settings.max_text_chars)
        await run_in_threadpool(keep_suggestion, state.store, key, s, state.settings)
    except PerspectiveError as exc:
        return _error_of(exc)
    return 200, suggest_response(s)


def _secret(query: Mapping[str, str], headers: Mapping[str, str]) -> str | None:
    return query.get("key") or headers.get("x-goog-api-key")


@router.post(
    "/v1alpha1/comments:analyze",
    dependencies=[Depends(rate_limit("judge"))],
    openapi_extra=_JSON_BODY,
)
async def analyze(request: Request, state: State) -> Any:
    """Perspective's ``comments:analyze``: TOXICITY and the production attributes, the attacks,
    the bridging attributes the model has figures for, and STEELMAN_* (see /docs#perspective)."""
    status, out = await _analyze(state, await request.body())
    return JSONResponse(out, status_code=status)


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
    secret = _secret(request.query_params, request.headers)
    raw = await request.body()
    status, out = await _suggest(state, raw, request.headers.get("content-type", ""), secret)
    return JSONResponse(out, status_code=status)


_METHODS = {"/v1alpha1/comments:analyze": "analyze", "/v1alpha1/comments:suggestscore": "suggest"}


@router.post("/batch", dependencies=[Depends(rate_limit("judge"))])
async def batch(request: Request, state: State) -> Response:
    """Google's HTTP batch (``batchPath``, google-api-python-client's
    ``new_batch_http_request``): a multipart/mixed body of comments:analyze and
    comments:suggestscore requests, answered multipart/mixed, a response per request. Each
    request counts against the judge rate limit."""
    try:
        parts = batch_http.parse(
            request.headers.get("content-type", ""),
            await request.body(),
            max_parts=state.settings.max_batch,
        )
    except batch_http.BatchError as exc:
        return perspective_error(400, str(exc))
    address = client_address(request)
    answers: list[tuple[batch_http.Part, int, Any]] = []
    for i, part in enumerate(parts):
        method = _METHODS.get(part.path) if part.method == "POST" else None
        wait = i and state.limiter.hit("judge", address, state.settings.rate_judge_per_minute)
        if method is None:
            status, out = (
                404,
                error_body(404, f"No such method in a batch: {part.method} {part.path}"),
            )
        elif wait:
            status, out = 429, error_body(429, f"Too many requests; try again in {wait:g} s.")
        elif method == "analyze":
            status, out = await _analyze(state, part.body)
        else:
            secret = _secret(part.query, part.headers)
            status, out = await _suggest(
                state, part.body, part.headers.get("content-type", ""), secret
            )
        answers.append((part, status, out))
    content_type, body = batch_http.answer(answers)
    return Response(body, media_type=content_type)


@router.get("/$discovery/rest", include_in_schema=False)
def discovery(request: Request) -> dict[str, Any]:
    """The discovery document google-api-python-client reads (``discoveryServiceUrl``)."""
    return discovery_document(public_base(request) + "/")
