"""FastAPI dependencies: the shared state, rate limits, the CSRF guards, the moderator's session."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Header, Path, Query, Request

from steelman.server.db.records import Session
from steelman.server.errors import ApiError
from steelman.server.security import token_hash
from steelman.server.state import AppState

__all__ = [
    "ADMIN_COOKIE",
    "Admin",
    "CommentId",
    "Cursor",
    "MaybeAdmin",
    "PageLimit",
    "State",
    "ThreadId",
    "Token",
    "admin_session",
    "client_address",
    "get_state",
    "public_base",
    "rate_limit",
    "require_json",
    "same_origin",
]

log = logging.getLogger(__name__)

ADMIN_COOKIE = "steelman_admin"
CSRF_HEADER = "x-csrf-token"
_WRITES = ("POST", "PUT", "PATCH", "DELETE")


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.steelman
    return state


def client_address(request: Request) -> str:
    """The address rate limits and bans apply to.

    Behind ``trusted_proxy_hops`` proxies (``trust_proxy``), each appends the address it was
    reached from to X-Forwarded-For, so the client's is that many entries from the right: the
    entries left of it are whatever the client sent, and trusting them would let it pick any
    address. With fewer entries (a request that skipped the outer proxies) the first counts.
    """
    state = get_state(request)
    forwarded = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    if state.settings.trust_proxy and forwarded:
        return forwarded[-min(state.settings.trusted_proxy_hops, len(forwarded))]
    if forwarded and not state.warned_proxy:
        state.warned_proxy = True
        log.warning(
            "requests arrive through a proxy (X-Forwarded-For) but trust_proxy is off: every"
            " client shares the proxy's address, so one ban and the per-address post and login"
            " limits apply to the whole site; set trust_proxy = true (and trusted_proxy_hops)"
        )
    return request.client.host if request.client else "unknown"


def public_base(request: Request) -> str:
    """This server's address as readers reach it: the ``public_url`` setting, else the address
    of the socket the request came in on. Never the Host header: whoever sends the request
    writes that, and would have their site written into our pages and discovery document."""
    settings = get_state(request).settings
    if settings.public_url:
        return settings.public_url.rstrip("/")
    server = request.scope.get("server")
    host, port = (str(server[0]), int(server[1])) if server else (settings.host, settings.port)
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}" if port == 80 else f"http://{host}:{port}"


def rate_limit(bucket: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency allowing each client address ``rate_<bucket>_per_minute`` requests."""

    async def check(request: Request) -> None:
        state = get_state(request)
        per_minute: int = getattr(state.settings, f"rate_{bucket}_per_minute")
        wait = state.limiter.hit(bucket, client_address(request), per_minute)
        if wait:
            raise ApiError(
                429,
                "rate_limited",
                f"too many requests from your address; try again in {wait:g} s",
                headers={"Retry-After": str(int(wait))},
            )

    return check


async def require_json(request: Request) -> None:
    """CSRF guard for the cookie-less API: a state change must come as JSON.

    A cross-site HTML form can only send form encodings; JSON from another origin needs a CORS
    preflight, which only the configured origins pass.
    """
    if request.method in _WRITES and request.method != "DELETE":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise ApiError(403, "csrf", "send the request as application/json")


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site (Origin or Referer).

    Behind a proxy (``trust_proxy``) the site's own address is the ``public_url`` setting: an
    X-Forwarded-Host counts only when it names that, since a client can write the header itself.
    """
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("host", request.url.netloc)
    settings = get_state(request).settings
    if settings.trust_proxy and settings.public_url:
        public = urlsplit(settings.public_url).netloc
        forwarded = request.headers.get("x-forwarded-host", "").split(",")[0].strip()
        if forwarded == public:
            host = public
    return urlsplit(origin).netloc == host


def _session(request: Request) -> Session | None:
    token = request.cookies.get(ADMIN_COOKIE)
    return get_state(request).store.session(token_hash(token)) if token else None


async def admin_session(request: Request) -> Session:
    """The logged-in moderator; a state change must also be same-origin and carry the CSRF token."""
    session = _session(request)
    if session is None:
        raise ApiError(401, "unauthorised", "log in as a moderator at /admin/login")
    if request.method in _WRITES:
        if not same_origin(request):
            raise ApiError(403, "csrf", "cross-site request refused")
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            sent = str((await request.form()).get("csrf", ""))
        if sent != session.csrf:
            raise ApiError(403, "csrf", "missing or wrong CSRF token; reload the page")
    return session


def optional_session(request: Request) -> Session | None:
    return _session(request)


State = Annotated[AppState, Depends(get_state)]
Admin = Annotated[Session, Depends(admin_session)]
MaybeAdmin = Annotated[Session | None, Depends(optional_session)]
# Row ids are 64-bit in both databases: anything else is refused as invalid, never sent to SQL.
MAX_ID = 2**63 - 1
CommentId = Annotated[int, Path(ge=1, le=MAX_ID, description="A comment's id.")]
ThreadId = Annotated[int, Path(ge=1, le=MAX_ID, description="A thread's id.")]
Token = Annotated[
    str,
    Header(alias="X-Steelman-Token", description="The token returned when the comment was posted."),
]
PageLimit = Annotated[int, Query(ge=1, le=500, description="How many items on one page.")]
Cursor = Annotated[
    str | None,
    Query(max_length=200, description="Where a page starts: the ``next`` of the page before."),
]
