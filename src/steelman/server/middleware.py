"""ASGI middleware: the request-size limit and the security headers of every response."""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from steelman.server.errors import error_body
from steelman.server.perspective import PERSPECTIVE_PATHS
from steelman.server.perspective import error_body as perspective_error_body

__all__ = ["BodyLimit", "SecurityHeaders"]

# Our pages load nothing from elsewhere and run no inline script: injected markup cannot run.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def _too_large(limit: int) -> str:
    return f"the request body is over the limit of {limit} bytes"


async def _send_413(send: Send, limit: int, path: str) -> None:
    if path.startswith(PERSPECTIVE_PATHS):  # Perspective's clients read Google's error shape
        shape = perspective_error_body(413, _too_large(limit))
    else:
        shape = error_body("too_large", _too_large(limit))
    body = json.dumps(shape).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, by header or while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _send_413(send, self.limit, scope.get("path", ""))
                return
        seen = 0

        async def counted() -> Message:  # a body sent without Content-Length, or lying about it
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, _too_large(self.limit))
            return message

        await self.app(scope, counted, send)


_PRIVATE = ("/admin", "/api/admin")  # what only a moderator sees: never kept by a cache


class SecurityHeaders:
    """nosniff and a referrer policy everywhere; a strict CSP on our own HTML pages;
    ``Cache-Control: no-store`` on the moderators' pages and API."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        path: str = scope.get("path", "")
        private = any(path == p or path.startswith(p + "/") for p in _PRIVATE)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"same-origin"))
                if private:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                html = any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers)
                if html and not any(k == b"content-security-policy" for k, _ in headers):
                    headers.append((b"content-security-policy", CSP.encode()))
                    headers.append((b"x-frame-options", b"DENY"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
