"""Stored comments turned into what each audience may see (the public never sees emails or
addresses; an author sees their own status, reason and history)."""

from __future__ import annotations

from steelman.server.db import Comment, Store
from steelman.server.schemas import AuditOut, AuthorView, JudgementOut, PublicComment

__all__ = ["author_view", "public"]


def public(comment: Comment) -> PublicComment:
    return PublicComment(
        id=comment.id,
        parent_id=comment.parent_id,
        author=comment.author,
        text=comment.text if comment.status != "deleted" else "",
        status=comment.status,
        note=comment.note,
        created=comment.created,
        modified=comment.modified,
        moderator=comment.source == "moderator",
    )


def author_view(store: Store, comment: Comment, edit_window_s: int) -> AuthorView:
    history = [
        AuditOut(
            at=e.at,
            actor=e.actor if e.actor in ("author", "steelman") else "moderator",
            action=e.action,
            reason=e.reason,
        )
        for e in reversed(store.audit_log(comment_id=comment.id))
    ]
    return AuthorView(
        **public(comment).model_dump(),
        reason=comment.reason,
        level=comment.level,
        judgement=JudgementOut.model_validate(comment.judgement) if comment.judgement else None,
        history=history,
        edit_until=comment.created + edit_window_s,
        version=comment.version,
    )
