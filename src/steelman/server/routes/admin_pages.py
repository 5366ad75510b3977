"""The moderators' pages: log in, the queue with shortcuts, threads, the audit log, import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from steelman.errors import InputError
from steelman.server.auth import login as do_login
from steelman.server.auth import logout as do_logout
from steelman.server.db import Conflict
from steelman.server.db.records import Session
from steelman.server.deps import (
    ADMIN_COOKIE,
    Admin,
    CommentId,
    Cursor,
    MaybeAdmin,
    State,
    ThreadId,
    rate_limit,
    same_origin,
)
from steelman.server.errors import ApiError
from steelman.server.highlight import pieces
from steelman.server.routes.admin_api import queue_page, set_session_cookie
from steelman.server.state import AppState
from steelman.server.threads import FORMATS, read_thread_file

__all__ = ["router"]

router = APIRouter(prefix="/admin", include_in_schema=False)
_ACTIONS = ("approve", "reject", "ban")


def _page(
    state: AppState,
    request: Request,
    name: str,
    session: Session | None,
    status: int = 200,
    **context: Any,
) -> Response:
    context.update(session=session, csrf=session.csrf if session else "")
    return state.templates.TemplateResponse(request, f"admin/{name}", context, status_code=status)


def _to_login() -> Response:
    return RedirectResponse("/admin/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, state: State) -> Response:
    return _page(state, request, "login.html", None)


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(rate_limit("login"))])
def login(
    request: Request,
    state: State,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    if not same_origin(request):
        raise ApiError(403, "csrf", "cross-site login refused")
    session = do_login(state.store, username, password, ttl_s=state.settings.session_ttl_s)
    if session is None:
        return _page(
            state,
            request,
            "login.html",
            None,
            401,
            error="Wrong name or password.",
            username=username,
        )
    response = RedirectResponse("/admin", status_code=303)
    set_session_cookie(response, state, session[0])
    return response


@router.post("/logout")
def logout(
    request: Request,
    session: Admin,
    state: State,
) -> Response:
    do_logout(state.store, request.cookies.get(ADMIN_COOKIE, ""))
    response = _to_login()
    response.delete_cookie(ADMIN_COOKIE, path="/")
    return response


@router.get("", response_class=HTMLResponse)
def queue(
    request: Request,
    session: MaybeAdmin,
    state: State,
    cursor: Cursor = None,
) -> Response:
    """The queue, 100 at a time, with the number held on all pages."""
    if session is None:
        return _to_login()
    page = queue_page(state, 100, cursor)
    items = [
        (
            item,
            pieces(
                item.comment.text,
                [e.model_dump() for e in item.comment.judgement.because]
                if item.comment.judgement
                else [],
            ),
        )
        for item in page.items
    ]
    return _page(state, request, "queue.html", session, items=items, held=page.held, next=page.next)


@router.post("/comments/{comment_id}/{action}")
def act(
    comment_id: CommentId,
    action: str,
    session: Admin,
    state: State,
    reason: Annotated[str, Form()] = "",
    version: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    if action not in _ACTIONS:
        raise ApiError(404, "not_found", f"no action {action!r}; use one of {', '.join(_ACTIONS)}")
    actor = session.user.username
    if action == "approve":
        try:  # the version on the page the moderator read, never whatever the text is now
            state.comments.approve(comment_id, actor, version)
        except Conflict:  # edited or withdrawn since the page was loaded: back to the queue
            return RedirectResponse(f"/admin#c{comment_id}", status_code=303)
    elif action == "reject":
        state.comments.reject(comment_id, actor, reason or "rejected by a moderator")
    else:
        state.comments.ban(comment_id, actor, reason)
    return RedirectResponse("/admin", status_code=303)


@router.get("/threads", response_class=HTMLResponse)
def threads(
    request: Request,
    session: MaybeAdmin,
    state: State,
) -> Response:
    if session is None:
        return _to_login()
    return _threads_page(state, request, session)


def _threads_page(
    state: AppState, request: Request, session: Session, message: str | None = None
) -> Response:
    """The threads page: every thread, the import form, and the last import's outcome."""
    return _page(
        state,
        request,
        "threads.html",
        session,
        threads=state.store.threads(),
        formats=("auto", *FORMATS),
        message=message,
    )


@router.post("/threads/{thread_id}/close")
def close(
    thread_id: ThreadId,
    session: Admin,
    state: State,
    closed: Annotated[str, Form()] = "1",
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "threads",
) -> Response:
    state.store.set_closed(thread_id, closed == "1", actor=session.user.username, reason=reason)
    page = "/admin/heating" if back == "heating" else "/admin/threads"  # never an outside page
    return RedirectResponse(page, status_code=303)


@router.post("/import", response_class=HTMLResponse)
async def import_file(
    request: Request,
    file: Annotated[UploadFile, File()],
    session: Admin,
    state: State,
    format: Annotated[str, Form()] = "auto",
) -> Response:
    try:
        data, name = await file.read(), file.filename or ""
        comments = read_thread_file(data, filename=name, format=format, by_content=True)
        report = state.store.import_comments(comments, actor=session.user.username)
        state.comments.forecasts.refresh_missing()
        message = report.summary()
    except InputError as exc:
        message = f"Import failed: {exc}"
    return _threads_page(state, request, session, message)


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request,
    session: MaybeAdmin,
    state: State,
) -> Response:
    if session is None:
        return _to_login()
    return _page(state, request, "audit.html", session, entries=state.store.audit_log(limit=500))
