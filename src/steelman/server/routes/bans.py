"""Bans: the list of those in force and lifting one, as JSON and as a moderator's page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from steelman.server.db.records import Ban
from steelman.server.deps import MAX_ID, Admin, MaybeAdmin, State, admin_session
from steelman.server.schemas import BanOut, ReasonIn

__all__ = ["api_router", "page_router"]

api_router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(admin_session)])
page_router = APIRouter(prefix="/admin", include_in_schema=False)
BanId = Annotated[int, Path(ge=1, le=MAX_ID, description="A ban's id.")]


def _out(ban: Ban) -> BanOut:
    return BanOut(
        id=ban.id,
        kind=ban.kind,
        reason=ban.reason,
        actor=ban.actor,
        created=ban.created,
        expires=ban.expires,
        comment_id=ban.comment_id,
    )


@api_router.get("/bans")
def bans(state: State) -> list[BanOut]:
    """The bans in force, newest first (expired ones are not listed)."""
    return [_out(b) for b in state.store.bans()]


@api_router.post("/bans/{ban_id}/unban")
def unban(ban_id: BanId, body: ReasonIn, session: Admin, state: State) -> BanOut:
    """Lift a ban at once; the audit log records who did it and why."""
    return _out(state.comments.unban(ban_id, session.user.username, body.reason))


@page_router.get("/bans", response_class=HTMLResponse)
def bans_page(request: Request, session: MaybeAdmin, state: State) -> Response:
    if session is None:
        return RedirectResponse("/admin/login", status_code=303)
    context = {"session": session, "csrf": session.csrf, "bans": state.store.bans()}
    return state.templates.TemplateResponse(request, "admin/bans.html", context)


@page_router.post("/bans/{ban_id}/unban")
def unban_form(
    ban_id: BanId, session: Admin, state: State, reason: Annotated[str, Form()] = ""
) -> Response:
    state.comments.unban(ban_id, session.user.username, reason)
    return RedirectResponse("/admin/bans", status_code=303)
