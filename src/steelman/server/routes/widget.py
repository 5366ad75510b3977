"""The comment widget's API: read a thread, self-check a reply, post, edit, delete, follow up."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Request, Response

from steelman.server.deps import (
    CommentId,
    Cursor,
    PageLimit,
    State,
    Token,
    client_address,
    rate_limit,
    require_json,
)
from steelman.server.errors import ApiError
from steelman.server.present import author_view, public
from steelman.server.routes.api import check_text
from steelman.server.schemas import (
    AuthorView,
    CheckIn,
    CheckOut,
    CommentIn,
    EditIn,
    JudgementOut,
    PostedOut,
    ThreadOut,
)
from steelman.server.service import PUBLIC
from steelman.server.state import AppState

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["comments"], dependencies=[Depends(require_json)])
_token = Header(
    alias="X-Steelman-Token", description="The token returned when the comment was posted."
)


def _check_author(state: AppState, author: str) -> None:
    if len(author) > state.settings.max_name_chars:
        raise ApiError(
            422,
            "too_long",
            f"the name is over {state.settings.max_name_chars} characters",
            field="author",
        )


@router.get("/threads")
def thread(uri: str, state: State, limit: PageLimit = 200, cursor: Cursor = None) -> ThreadOut:
    """A page's published comments (and deleted ones, emptied, so that replies keep their place),
    oldest first, a page at a time: follow ``next`` for the rest."""
    found = state.store.thread(uri)
    if found is None:
        return ThreadOut(uri=uri, closed=False, count=0, comments=[], next=None)
    comments, after = state.store.comments_page(found.id, PUBLIC, limit=limit, after=cursor)
    return ThreadOut(
        uri=uri,
        closed=found.closed,
        count=state.store.count_in_thread(found.id),
        comments=[public(c) for c in comments],
        next=after,
    )


@router.post("/comments/check", dependencies=[Depends(rate_limit("judge"))])
def check(body: CheckIn, state: State) -> CheckOut:
    """The self-check: how would this reply read, and should the author be nudged?"""
    check_text(state, body.text, "text")
    if not body.text.strip():
        raise ApiError(422, "empty_text", "write something first", field="text")
    found = state.store.thread(body.uri)
    parent = state.comments.reply_to(found.id, body.parent_id) if found and body.parent_id else None
    judgement = state.batcher.judge_one(body.text, parent).to_dict()
    return CheckOut(
        nudge=state.comments.nudges(judgement), judgement=JudgementOut.model_validate(judgement)
    )


@router.post("/comments", status_code=201, dependencies=[Depends(rate_limit("post"))])
def post(body: CommentIn, request: Request, response: Response, state: State) -> PostedOut:
    """Post a comment. Below the site's level it is published, held or noted, per the policy."""
    check_text(state, body.text, "text")
    _check_author(state, body.author)
    if not body.text.strip():
        raise ApiError(422, "empty_text", "the comment is empty", field="text")
    posted = state.comments.post(
        uri=body.uri,
        title=body.title,
        text=body.text,
        parent_id=body.parent_id,
        author=body.author,
        email=body.email,
        posted_anyway=body.posted_anyway,
        request_id=body.request_id,
        address=client_address(request),
    )
    if not posted.created:
        response.status_code = 200  # a retry of a post already stored
    view = author_view(state.store, posted.comment, state.settings.edit_window_s)
    return PostedOut(comment=view, token=posted.token)


@router.get("/comments/{comment_id}/author")
def author(comment_id: CommentId, token: Token, state: State) -> AuthorView:
    """The author's view of their comment: status, a moderator's reason, its history."""
    comment = state.comments.authorised(comment_id, token, for_edit=False)
    return author_view(state.store, comment, state.settings.edit_window_s)


@router.put("/comments/{comment_id}", dependencies=[Depends(rate_limit("post"))])
def edit(
    comment_id: CommentId, body: EditIn, token: Token, request: Request, state: State
) -> AuthorView:
    """Edit within the window; the new text is judged and the policy applied again."""
    check_text(state, body.text, "text")
    comment = state.comments.edit(
        comment_id,
        token,
        body.text,
        posted_anyway=body.posted_anyway,
        address=client_address(request),
    )
    return author_view(state.store, comment, state.settings.edit_window_s)


@router.delete("/comments/{comment_id}")
def delete(comment_id: CommentId, token: Token, state: State) -> AuthorView:
    """Delete within the window; the comment stays as an empty placeholder for its replies."""
    comment = state.comments.delete(comment_id, token)
    return author_view(state.store, comment, state.settings.edit_window_s)
