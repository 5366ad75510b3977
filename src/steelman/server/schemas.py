"""Request and response bodies of the JSON API (pydantic); they make the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from steelman.data.text import text_problem
from steelman.server.db.backend import MAX_KEY_BYTES, key_problem

__all__ = [
    "ApproveIn",
    "AuditOut",
    "AuthorView",
    "BanIn",
    "BanOut",
    "BatchIn",
    "BatchOut",
    "CheckIn",
    "CheckOut",
    "CloseIn",
    "CommentIn",
    "EditIn",
    "ErrorOut",
    "EvidenceOut",
    "HeatingItem",
    "HeatingOut",
    "JudgeIn",
    "JudgementOut",
    "LoginIn",
    "Mover",
    "NoteIn",
    "PerspectiveErrorOut",
    "PostedOut",
    "PublicComment",
    "QueueItem",
    "QueueOut",
    "ReasonIn",
    "SlowIn",
    "ThreadCommentIn",
    "ThreadIn",
    "ThreadOut",
    "ThreadReportOut",
]


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable and machine-readable, e.g. not_found, too_long, csrf.")
    message: str = Field(description="What went wrong and how to fix it.")
    field: str | None = Field(description="The request field at fault, when there is one.")


class ErrorOut(BaseModel):
    """Every error of the API has this shape (the Perspective drop-in keeps Perspective's)."""

    error: ErrorDetail


class PerspectiveErrorDetail(BaseModel):
    code: int
    message: str
    status: str = Field(examples=["INVALID_ARGUMENT"])


class PerspectiveErrorOut(BaseModel):
    error: PerspectiveErrorDetail


ParentId = Annotated[int, Field(ge=1, le=2**63 - 1, description="The comment replied to.")]


def _fits_a_key(value: str) -> str:
    if problem := key_problem(value, "the page address"):
        raise PydanticCustomError("too_long", problem)
    return value


# Limited in bytes, not characters: 2,000 CJK characters are 6,000 bytes, more than an index holds.
PageUri = Annotated[
    str,
    Field(
        min_length=1,
        description=f"The page the thread belongs to (at most {MAX_KEY_BYTES} bytes of UTF-8).",
    ),
    AfterValidator(_fits_a_key),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error, not ignored

    @field_validator("*", mode="after")
    @classmethod
    def _valid_text(cls, value: Any) -> Any:
        """Refuse, at the door, text the judge or the store cannot take (lone surrogates, NUL)."""
        if isinstance(value, str) and (problem := text_problem(value)):
            raise PydanticCustomError("invalid_text", problem)
        return value


class JudgeIn(_In):
    text: str = Field(description="The reply to judge.", examples=["You clearly never read it."])
    parent: str | None = Field(None, description="What the reply answers, when known.")


class BatchIn(_In):
    items: list[JudgeIn] = Field(description="Replies to judge, each with its optional parent.")


class EvidenceOut(BaseModel):
    start: int
    end: int
    text: str
    reason: str
    points_to: str


class JudgementOut(BaseModel):
    level: str | None = Field(description="DH0..DH6, or null when the reply is not a disagreement.")
    label: str
    scores: dict[str, float]
    disagreement: float
    attack: float
    acts: dict[str, float]
    because: list[EvidenceOut] = Field(description="Character spans of the reply, strongest first.")
    suggestion: str
    model: dict[str, str]


class BatchOut(BaseModel):
    results: list[JudgementOut]


class ThreadCommentIn(_In):
    id: str
    parent_id: str | None = None
    author: str | None = None
    text: str


class ThreadIn(_In):
    comments: list[ThreadCommentIn]


class ThreadReportOut(BaseModel):
    thread: str
    risk: float | None = Field(
        description="Forecast, from the comments so far, that the discussion turns to personal"
        " attacks (null: no model)."
    )
    risk_rose_most: dict[str, Any] | None = Field(
        None,
        description="The comment after which the forecast rose most: index, id, author, before,"
        " after (null: none raised it).",
    )
    comments: int
    shape: dict[str, Any] = Field(
        description="Replies per level (the pyramid), non-disagreements, acts."
    )
    mean_rank: float | None
    attack_share: float
    participants: list[dict[str, Any]] = Field(description="Each author's level profile and pull.")
    turning_point: dict[str, Any] | None
    timeline: list[str | None]
    features: dict[str, float | None]
    replies: list[dict[str, Any]] = Field(
        description="Each comment in reply order with its judgement."
    )
    models: dict[str, dict[str, str]]
    problems: list[str]


class CommentIn(_In):
    uri: PageUri
    title: str = Field("", max_length=300)
    parent_id: ParentId | None = None
    text: str
    author: str = Field("", description="Optional display name.")
    email: str = Field("", max_length=320, description="Optional; never shown to anyone.")
    posted_anyway: bool = Field(False, description="The author saw the self-check and posted.")
    request_id: str | None = Field(
        None, max_length=100, description="Client-chosen id: a retried post is stored once."
    )


class CheckIn(_In):
    uri: PageUri
    parent_id: ParentId | None = None
    text: str


class EditIn(_In):
    text: str
    posted_anyway: bool = False


class PublicComment(BaseModel):
    id: int
    parent_id: int | None
    author: str
    text: str
    status: str
    note: str
    created: float
    modified: float | None
    moderator: bool = Field(
        False, description="True for a moderator's note (set by the server, never by a poster)."
    )


class CheckOut(BaseModel):
    nudge: bool = Field(description="True when the reply reads below the site's minimum level.")
    judgement: JudgementOut


class AuditOut(BaseModel):
    at: float
    actor: str
    action: str
    reason: str
    comment_id: int | None = None
    thread_id: int | None = None


class AuthorView(PublicComment):
    reason: str = Field(description="A moderator's reason, when one rejected the comment.")
    level: str | None
    judgement: JudgementOut | None
    history: list[AuditOut]
    edit_until: float
    version: str = Field(
        description="Names this text: approving sends it, and fails if the text changed since."
    )


class ApproveIn(_In):
    version: str = Field(
        max_length=64, description="The ``version`` of the comment the moderator read."
    )


class PostedOut(BaseModel):
    comment: AuthorView
    token: str = Field(description="Keep it: it edits or deletes the comment within the window.")


class ThreadOut(BaseModel):
    uri: str
    closed: bool
    count: int = Field(description="The thread's published comments, on every page.")
    comments: list[PublicComment] = Field(description="One page of them, oldest first.")
    next: str | None = Field(
        description="Pass it as ``cursor`` for the next page; null on the last page."
    )


class LoginIn(_In):
    username: str
    password: str


class ReasonIn(_In):
    reason: str = Field("", max_length=2000)


class BanIn(ReasonIn):
    days: int | None = Field(
        None,
        ge=0,
        le=36_500,
        description="How long the ban lasts (default: ban_days; 0: until lifted).",
    )


class BanOut(BaseModel):
    id: int
    kind: str = Field(description="address or email (kept only as a keyed hash)")
    reason: str
    actor: str
    created: float
    expires: float | None = Field(description="When the ban ends; null: until lifted.")
    comment_id: int | None = Field(description="The comment its author was banned for.")


class CloseIn(_In):
    closed: bool = True
    reason: str = Field("", max_length=2000)


class QueueItem(BaseModel):
    comment: AuthorView
    thread_uri: str
    parent: PublicComment | None
    risk: float
    posted_anyway: bool


class QueueOut(BaseModel):
    held: int = Field(description="Every comment held, on all pages.")
    items: list[QueueItem] = Field(description="One page of them, riskiest first.")
    next: str | None = Field(
        description="Pass it as ``cursor`` for the next page; null on the last page."
    )


class Mover(BaseModel):
    id: int = Field(description="The comment's id.")
    index: int = Field(description="Its place among the thread's comments, from 0.")
    author: str
    before: float = Field(description="The forecast just before the comment.")
    after: float = Field(description="The forecast just after it.")
    text: str = Field(description="The comment (shortened).")
    status: str


class HeatingItem(BaseModel):
    thread_id: int
    uri: str
    title: str
    risk: float = Field(description="Forecast that the discussion turns to personal attacks.")
    replies: int = Field(description="Comments the forecast read.")
    slow_s: float = Field(description="Seconds each poster waits between posts (0: not slowed).")
    updated: float
    movers: list[Mover] = Field(description="The comments that raised the forecast most.")


class HeatingOut(BaseModel):
    items: list[HeatingItem] = Field(description="Open threads, likeliest to turn first.")


class SlowIn(_In):
    seconds: float = Field(120.0, ge=0, le=86_400, description="0 lifts slow mode.")
    reason: str = Field("", max_length=2000)


class NoteIn(_In):
    text: str = Field(min_length=1, max_length=5000, description="The moderator's note.")
