"""The JSON judge API: one reply, a batch, a thread; health and version."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from fastapi import APIRouter, Depends, Request

from steelman.data.comments import Comment
from steelman.server.deps import State, client_address, rate_limit, require_json
from steelman.server.errors import ApiError
from steelman.server.judging import BULK
from steelman.server.schemas import (
    BatchIn,
    BatchOut,
    JudgeIn,
    JudgementOut,
    ThreadIn,
    ThreadReportOut,
)
from steelman.server.state import AppState
from steelman.server.threads import analyse_comments

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["judge"])
_limited = [Depends(rate_limit("judge")), Depends(require_json)]


def check_text(state: AppState, text: str | None, field: str) -> None:
    limit = state.settings.max_text_chars
    if text is not None and len(text) > limit:
        raise ApiError(422, "too_long", f"{field} is over {limit} characters", field=field)


def check_count(state: AppState, n: int, field: str) -> None:
    if n > state.settings.max_batch:
        raise ApiError(
            422, "too_many", f"{n} items; send at most {state.settings.max_batch}", field=field
        )
    if n == 0:
        raise ApiError(422, "empty", "send at least one item", field=field)


@router.get("/health")
def health(state: State) -> dict[str, Any]:
    """Liveness: the judge and the database answer."""
    return {
        "status": "ok",
        "judge": dict(state.judge.info),
        "database": state.store.backend.kind,
        "unjudged": state.store.count_unjudged(),
    }


@router.get("/version")
def version_info(state: State) -> dict[str, Any]:
    """Steelman's version, the model's name and version, the API version."""
    return {"steelman": version("steelman"), "model": dict(state.judge.info), "api": "v1"}


@router.post("/judge", dependencies=_limited)
async def judge(body: JudgeIn, request: Request, state: State) -> JudgementOut:
    """Place one reply (and optionally what it answers) on the hierarchy."""
    check_text(state, body.text, "text")
    check_text(state, body.parent, "parent")
    if not body.text.strip():
        raise ApiError(
            422, "empty_text", "the reply is empty: write something to judge", field="text"
        )
    (result,) = await state.batcher.ajudge_many(
        [body.text], [body.parent], client=client_address(request)
    )
    return JudgementOut.model_validate(result.to_dict())


@router.post("/judge:batch", dependencies=_limited)
async def judge_batch(body: BatchIn, request: Request, state: State) -> BatchOut:
    """Judge up to ``max_batch`` replies in one request, answered in the same order."""
    check_count(state, len(body.items), "items")
    for i, item in enumerate(body.items):
        check_text(state, item.text, f"items.{i}.text")
        check_text(state, item.parent, f"items.{i}.parent")
        if not item.text.strip():
            raise ApiError(422, "empty_text", "this reply is empty", field=f"items.{i}.text")
    results = await state.batcher.ajudge_many(
        [i.text for i in body.items],
        [i.parent for i in body.items],
        priority=BULK,
        client=client_address(request),
    )
    return BatchOut(results=[JudgementOut.model_validate(r.to_dict()) for r in results])


@router.post("/thread:analyze", dependencies=_limited)
async def thread(body: ThreadIn, request: Request, state: State) -> ThreadReportOut:
    """Judge every comment against its parent; the pyramid, participants, turning point, risk."""
    check_count(state, len(body.comments), "comments")
    for i, c in enumerate(body.comments):
        check_text(state, c.text, f"comments.{i}.text")
    comments = [
        Comment(id=c.id, parent_id=c.parent_id, author=c.author, text=c.text, thread="request")
        for c in body.comments
    ]
    report = await analyse_comments(state.batcher, comments, client=client_address(request))
    return ThreadReportOut.model_validate(report.to_dict())
