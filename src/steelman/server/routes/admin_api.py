"""The moderators' JSON API: log in, the queue, approve/reject/ban, close threads, audit, import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile

from steelman.server.auth import login as do_login
from steelman.server.auth import logout as do_logout
from steelman.server.deps import (
    ADMIN_COOKIE,
    Admin,
    CommentId,
    Cursor,
    PageLimit,
    State,
    ThreadId,
    admin_session,
    rate_limit,
    same_origin,
)
from steelman.server.errors import ApiError
from steelman.server.present import author_view, public
from steelman.server.schemas import (
    ApproveIn,
    AuditOut,
    AuthorView,
    BanIn,
    CloseIn,
    LoginIn,
    QueueItem,
    QueueOut,
    ReasonIn,
)
from steelman.server.state import AppState
from steelman.server.threads import read_thread_file

__all__ = ["queue_page", "router", "set_session_cookie"]

router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(admin_session)])
login_router = APIRouter(prefix="/api/admin", tags=["admin"])


def set_session_cookie(response: Response, state: AppState, token: str) -> None:
    response.set_cookie(
        ADMIN_COOKIE,
        token,
        max_age=state.settings.session_ttl_s,
        httponly=True,
        samesite="strict",
        secure=state.settings.secure_cookies,
        path="/",
    )


def queue_page(state: AppState, limit: int = 100, cursor: str | None = None) -> QueueOut:
    """One page of the queue, with the number held on all pages and the next page's cursor."""
    page, after = state.store.queue_page(limit, after=cursor)
    items = []
    for c in page:
        parent = state.store.comment(c.parent_id) if c.parent_id else None
        items.append(
            QueueItem(
                comment=author_view(state.store, c, state.settings.edit_window_s),
                thread_uri=state.store.thread_by_id(c.thread_id).uri,
                parent=public(parent) if parent else None,
                risk=c.risk,
                posted_anyway=c.posted_anyway,
            )
        )
    return QueueOut(held=state.store.count("pending"), items=items, next=after)


@login_router.post("/login", dependencies=[Depends(rate_limit("login"))])
def login(body: LoginIn, request: Request, response: Response, state: State) -> dict[str, str]:
    """Log in; sets the session cookie and returns the CSRF token to send as X-CSRF-Token."""
    if not same_origin(request):
        raise ApiError(403, "csrf", "cross-site login refused")
    session = do_login(
        state.store, body.username, body.password, ttl_s=state.settings.session_ttl_s
    )
    if session is None:
        raise ApiError(401, "unauthorised", "wrong name or password")
    set_session_cookie(response, state, session[0])
    return {"csrf": session[1]}


@router.post("/logout")
def logout(request: Request, response: Response, state: State) -> dict[str, bool]:
    do_logout(state.store, request.cookies.get(ADMIN_COOKIE, ""))
    response.delete_cookie(ADMIN_COOKIE, path="/")
    return {"ok": True}


@router.get("/queue")
def queue(state: State, limit: PageLimit = 100, cursor: Cursor = None) -> QueueOut:
    """Held comments, riskiest first, each with its level, reasons and the comment it answers;
    a page at a time (follow ``next``), with the number ``held`` in all."""
    return queue_page(state, limit, cursor)


@router.post("/comments/{comment_id}/approve")
def approve(comment_id: CommentId, body: ApproveIn, session: Admin, state: State) -> AuthorView:
    """Publish the held comment, as ``version`` (the one the queue showed): 409 when its author
    edited it since (read it again) or withdrew it."""
    comment = state.comments.approve(comment_id, session.user.username, body.version)
    return author_view(state.store, comment, state.settings.edit_window_s)


@router.post("/comments/{comment_id}/reject")
def reject(
    comment_id: CommentId,
    body: ReasonIn,
    session: Admin,
    state: State,
) -> AuthorView:
    """Reject with a reason; the author sees it."""
    comment = state.comments.reject(comment_id, session.user.username, body.reason)
    return author_view(state.store, comment, state.settings.edit_window_s)


@router.post("/comments/{comment_id}/ban")
def ban(
    comment_id: CommentId,
    body: BanIn,
    session: Admin,
    state: State,
) -> AuthorView:
    """Reject the comment and refuse further comments from its address and email for ``days``
    (lift it early at ``/api/admin/bans/{ban_id}/unban``)."""
    comment = state.comments.ban(comment_id, session.user.username, body.reason, body.days)
    return author_view(state.store, comment, state.settings.edit_window_s)


@router.post("/threads/{thread_id}/close")
def close(
    thread_id: ThreadId,
    body: CloseIn,
    session: Admin,
    state: State,
) -> dict[str, object]:
    """Close a thread to new comments (or reopen it with ``closed: false``)."""
    thread = state.store.set_closed(
        thread_id, body.closed, actor=session.user.username, reason=body.reason
    )
    return {"id": thread.id, "uri": thread.uri, "closed": thread.closed}


@router.get("/audit")
def audit(state: State, limit: int = 200) -> list[AuditOut]:
    """Every recorded action, newest first."""
    return [
        AuditOut(
            at=e.at,
            actor=e.actor,
            action=e.action,
            reason=e.reason,
            comment_id=e.comment_id,
            thread_id=e.thread_id,
        )
        for e in state.store.audit_log(limit=min(max(limit, 1), 1000))
    ]


@router.post("/import")
async def import_comments(
    session: Admin,
    state: State,
    file: Annotated[
        UploadFile, File(description="A comment export: JSONL, WordPress WXR, Disqus XML...")
    ],
    format: Annotated[str, Form()] = "auto",
) -> dict[str, Any]:
    """Import existing comments, keeping the source's moderation: published ones are published
    (and judged later by the re-judge pass), pending ones held, spam and trash hidden. Records
    whose ids were imported before are skipped and listed with their lines. Records without a
    thread go into one named after the file and the start of its SHA-256 (two exports of one
    name never share a thread; the same file imported again finds its own)."""
    data, name = await file.read(), file.filename or ""
    comments = read_thread_file(data, filename=name, format=format, by_content=True)
    report = state.store.import_comments(comments, actor=session.user.username)
    state.comments.forecasts.refresh_missing()
    return report.to_dict()


@router.post("/rejudge")
def rejudge(session: Admin, state: State) -> dict[str, int]:
    """Judge now the comments posted while the judge was down."""
    return {"judged": state.comments.rejudge_pending()}
