"""Threads heating up: open threads by their forecast, why, and what a moderator can do.

The page (``/admin/heating``) and the JSON API (``/api/admin/heating``) list open threads, the
likeliest to turn to personal attacks first, each with the comments that raised the forecast
most; the actions slow a thread down, close it, or post a moderator's note. Every action is
audited by the store.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from steelman.server.db import NotFound
from steelman.server.db.forecasts import StoredForecast
from steelman.server.deps import Admin, MaybeAdmin, State, ThreadId, admin_session
from steelman.server.present import author_view
from steelman.server.routes.admin_pages import _page, _to_login
from steelman.server.schemas import AuthorView, HeatingItem, HeatingOut, Mover, NoteIn, SlowIn
from steelman.server.state import AppState

__all__ = ["api_router", "heating", "page_router"]

QUOTE = 280  # characters of a moving comment shown
page_router = APIRouter(prefix="/admin", include_in_schema=False)
api_router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(admin_session)])


def _item(state: AppState, f: StoredForecast) -> HeatingItem:
    movers = []
    for m in f.movers:
        try:
            c = state.store.comment(int(m["id"]))
        except NotFound:
            continue
        text = " ".join(c.text.split())
        movers.append(
            Mover(
                id=c.id,
                index=int(m["index"]),
                author=str(m["author"]),
                before=float(m["before"]),
                after=float(m["after"]),
                text=text if len(text) <= QUOTE else text[: QUOTE - 1].rstrip() + "…",
                status=c.status,
            )
        )
    t = f.thread
    return HeatingItem(
        thread_id=t.id,
        uri=t.uri,
        title=t.title,
        risk=f.risk,
        replies=f.replies,
        slow_s=f.slow_s,
        updated=f.updated,
        movers=movers,
    )


def heating(state: AppState, limit: int = 100) -> HeatingOut:
    """Open threads with a forecast, likeliest to turn first, with their movers."""
    table = state.comments.forecasts.table
    return HeatingOut(items=[_item(state, f) for f in table.heating(min(max(limit, 1), 500))])


# The page ----------------------------------------------------------------------------------------


@page_router.get("/heating", response_class=HTMLResponse)
def heating_page(request: Request, session: MaybeAdmin, state: State) -> Response:
    if session is None:
        return _to_login()
    return _page(state, request, "heating.html", session, items=heating(state).items)


def _back() -> Response:
    return RedirectResponse("/admin/heating", status_code=303)


@page_router.post("/threads/{thread_id}/slow")
def slow_form(
    thread_id: ThreadId,
    session: Admin,
    state: State,
    seconds: Annotated[float, Form(ge=0, le=86_400)] = 120.0,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    state.comments.slow_down(thread_id, session.user.username, seconds, reason)
    return _back()


@page_router.post("/threads/{thread_id}/note")
def note_form(
    thread_id: ThreadId,
    session: Admin,
    state: State,
    text: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    state.comments.note(thread_id, session.user.username, text)
    return _back()


# The JSON API ------------------------------------------------------------------------------------


@api_router.get("/heating")
def heating_api(state: State, limit: int = 100) -> HeatingOut:
    """Open threads, the likeliest to turn to personal attacks first (the forecast from their
    comments so far), each with the comments that raised the forecast most."""
    return heating(state, limit)


@api_router.post("/threads/{thread_id}/slow")
def slow(thread_id: ThreadId, body: SlowIn, session: Admin, state: State) -> dict[str, object]:
    """Slow mode: each poster waits ``seconds`` between posts in the thread (0 lifts it)."""
    state.comments.slow_down(thread_id, session.user.username, body.seconds, body.reason)
    return {"id": thread_id, "slow_s": body.seconds}


@api_router.post("/threads/{thread_id}/note")
def note(thread_id: ThreadId, body: NoteIn, session: Admin, state: State) -> AuthorView:
    """Post a moderator's note in the thread, signed with the moderator's name."""
    comment = state.comments.note(thread_id, session.user.username, body.text)
    return author_view(state.store, comment, state.settings.edit_window_s)
