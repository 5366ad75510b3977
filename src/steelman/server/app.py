"""The application factory: ``create_app(settings)`` wires settings, store, judge and routes."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

from steelman.errors import InputError, SteelmanError
from steelman.server.db import Conflict, NotFound, Store, StoreError
from steelman.server.errors import ApiError, Forbidden, error_body
from steelman.server.judging import (
    JudgeLike,
    JudgeQuota,
    JudgeUnavailable,
    MicroBatcher,
    load_judge,
)
from steelman.server.middleware import BodyLimit, SecurityHeaders
from steelman.server.routes import (
    admin_api,
    admin_pages,
    api,
    bans,
    heating,
    pages,
    perspective,
    site_layers,
    widget,
)
from steelman.server.schemas import ErrorOut, PerspectiveErrorOut
from steelman.server.security import RateLimiter
from steelman.server.service import Comments
from steelman.server.settings import Settings
from steelman.server.state import HERE, AppState
from steelman.site.judge import SiteJudge
from steelman.site.registry import SiteLayers

__all__ = ["create_app"]

log = logging.getLogger(__name__)

_STATUS = {
    NotFound: (404, "not_found"),
    Forbidden: (403, "forbidden"),
    Conflict: (409, "conflict"),
    JudgeQuota: (429, "rate_limited"),
    JudgeUnavailable: (503, "judge_unavailable"),
    StoreError: (503, "store_unavailable"),
    InputError: (422, "invalid"),
}
# What a response says of a database error (its own text, in the log, says which).
_STORE_FAILED = (
    "the comment database could not complete the request; try again shortly"
    " (the details are in the server's log)"
)
_STORE_CONFLICT = (
    "the request conflicts with what is stored (a duplicate, or a record that is gone);"
    " reload and try again"
)
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


def _error(
    request: Request,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if request.url.path.startswith("/v1alpha1/"):
        return perspective.perspective_error(status, message, headers)
    return JSONResponse(error_body(code, message, field), status_code=status, headers=headers)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return _error(request, exc.status, exc.code, exc.message, exc.field, exc.headers)

    @app.exception_handler(SteelmanError)
    async def steelman_error(request: Request, exc: SteelmanError) -> Response:
        message = str(exc)
        if isinstance(exc, StoreError) and exc.driver:  # names tables, indexes, values: log it
            log.error("database error on %s: %s", request.url.path, exc, exc_info=exc)
            message = _STORE_CONFLICT if isinstance(exc, Conflict) else _STORE_FAILED
        for kind, (status, code) in _STATUS.items():
            if isinstance(exc, kind):
                retry = {"Retry-After": "5"} if status == 503 else None
                return _error(request, status, code, message, headers=retry)
        log.exception("unexpected Steelman error", exc_info=exc)
        return _error(request, 500, "internal", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
        return _error(request, 422, "invalid", str(first.get("msg")), ".".join(loc) or None)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return _error(request, exc.status_code, code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path, exc_info=exc)
        return _error(request, 500, "internal", "internal error; it has been logged")


def create_app(
    settings: Settings,
    *,
    judge: JudgeLike | None = None,
    store: Store | None = None,
    limiter: RateLimiter | None = None,
) -> FastAPI:
    """The Steelman server for ``settings``; ``judge`` and ``store`` default to the real ones."""
    store = store or Store.open(settings.database)
    # the site's layer (when one is switched on) on top of the judge: see steelman.site
    judge = SiteJudge(judge or load_judge(settings.model), SiteLayers(settings.site_layers, store))
    batcher = MicroBatcher(
        judge,
        window_ms=settings.batch_window_ms,
        max_batch=settings.max_batch,
        timeout_s=settings.judge_timeout_s,
        cache_size=settings.judge_cache_size,
        max_queued_per_client=settings.max_queued_per_client,
    )
    state = AppState(
        settings=settings,
        store=store,
        judge=judge,
        batcher=batcher,
        comments=Comments(store, batcher, settings),
        limiter=limiter or RateLimiter(),
        templates=_templates(),
    )
    stop = threading.Event()

    def rejudge_loop() -> None:
        while not stop.wait(settings.rejudge_interval_s):
            try:
                state.comments.rejudge_pending()
                state.comments.forecasts.refresh_missing()
            except SteelmanError as exc:
                log.warning("re-judge pass failed: %s", exc)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        batcher.start()
        worker = threading.Thread(target=rejudge_loop, name="steelman-rejudge", daemon=True)
        if settings.rejudge_interval_s > 0:
            worker.start()
        yield
        stop.set()
        batcher.stop()

    app = FastAPI(
        title="Steelman",
        summary="Place replies on Graham's hierarchy of disagreement and help people climb it.",
        version=_version(),
        lifespan=lifespan,
        docs_url=None,  # Swagger UI would load from a CDN; the served docs are at /docs
        redoc_url=None,
    )
    app.state.steelman = state
    _install_errors(app)
    errors: dict[int | str, dict[str, Any]] = {
        "4XX": {"model": ErrorOut, "description": "An error, in the one error shape"}
    }
    for router in (
        api.router,
        widget.router,
        admin_api.router,
        bans.api_router,
        heating.api_router,
        site_layers.api_router,
        admin_api.login_router,
    ):
        app.include_router(router, responses=dict(errors))
    app.include_router(
        perspective.router,
        responses={"4XX": {"model": PerspectiveErrorOut, "description": "Perspective's error"}},
    )
    app.include_router(pages.router)
    app.include_router(admin_pages.router)
    app.include_router(bans.page_router)
    app.include_router(heating.page_router)
    app.include_router(site_layers.page_router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        # x-goog-api-client and x-goog-api-key: what Google's client libraries add to
        # Perspective requests from a browser.
        allow_headers=["Content-Type", "X-Steelman-Token", "X-Goog-Api-Client", "X-Goog-Api-Key"],
        max_age=600,
    )
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    return app


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["when"] = lambda ts: datetime.fromtimestamp(ts, UTC).strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    return templates


def _version() -> str:
    from importlib.metadata import version

    return version("steelman")
