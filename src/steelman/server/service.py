"""Posting, editing and moderating comments: the self-check, the site policy, failing open.

The routes call these methods with plain values; this module knows the store and the judge,
never HTTP.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from steelman.errors import SteelmanError, TextError
from steelman.levels import level as _level
from steelman.server.db import Comment, Conflict, NotFound, Store
from steelman.server.db.records import Ban
from steelman.server.db.store import SlowMode
from steelman.server.errors import Forbidden
from steelman.server.forecasting import ThreadForecasts
from steelman.server.judging import INTERACTIVE, POST, JudgeUnavailable, MicroBatcher
from steelman.server.security import (
    check_author_token,
    make_author_token,
    private_hash,
    request_key,
)
from steelman.server.settings import Settings

__all__ = ["Comments", "Posted", "decide"]

log = logging.getLogger(__name__)

# The statuses readers see (a deleted comment as an empty placeholder).
PUBLIC = ("published", "deleted")
# The audit actions that are a moderator's decision on a comment's text.
_DECISIONS = frozenset({"approve", "reject", "ban"})


def decide(settings: Settings, judgement: dict[str, Any] | None) -> tuple[str, str]:
    """The status and public note the site policy gives a reply with this judgement.

    Unjudged replies (the judge was busy or down) follow the ``unjudged_policy`` setting: held
    (the default) or published; either way the re-judge pass applies the policy later.
    """
    if judgement is None and settings.unjudged_policy == "hold":
        return "pending", ""
    code = judgement["level"] if judgement else None
    if code is None or _level(code).rank >= settings.min_rank:
        return "published", ""
    if settings.policy == "hold":
        return "pending", ""
    if settings.policy == "note":
        return "published", f"Steelman reads this reply as {_level(code).label}."
    return "published", ""


@dataclass(frozen=True)
class Posted:
    comment: Comment
    created: bool
    token: str  # the author's token: edit or delete within the window, see what happened


class Comments:
    """The comment service behind the widget and the moderation pages."""

    def __init__(
        self,
        store: Store,
        batcher: MicroBatcher,
        settings: Settings,
        forecasts: ThreadForecasts | None = None,
    ) -> None:
        self.store = store
        self.batcher = batcher
        self.settings = settings
        self.secret = store.meta("secret", _random_secret())
        # the forecast per thread (Escalation 2), updated after every change to a comment
        self.forecasts = forecasts if forecasts is not None else ThreadForecasts(store)

    # The self-check ----------------------------------------------------------------------------

    def parent_text(self, thread_id: int, parent_id: int | None) -> str | None:
        if parent_id is None:
            return None
        parent = self.store.comment(parent_id)
        if parent.thread_id != thread_id:
            raise NotFound(f"no comment {parent_id} in this thread to reply to")
        return parent.text or None

    def reply_to(self, thread_id: int, parent_id: int | None) -> str | None:
        """The text a new reply answers. Only a comment readers can see can be replied to, and
        a held or missing one answer alike, so that nobody can find held comments by their ids."""
        if parent_id is None:
            return None
        try:
            parent = self.store.comment(parent_id)
        except NotFound:
            parent = None
        if parent is None or parent.thread_id != thread_id or parent.status not in PUBLIC:
            raise NotFound(f"no comment {parent_id} in this thread to reply to")
        return parent.text or None

    def nudges(self, judgement: dict[str, Any] | None) -> bool:
        """Whether the self-check should show the author this judgement before posting."""
        code = judgement["level"] if judgement else None
        return code is not None and _level(code).rank < self.settings.min_rank

    def try_judge(self, text: str, parent: str | None) -> dict[str, Any] | None:
        """The judgement as a dict, or ``None`` when the judge is down (fail open)."""
        try:
            return self.batcher.judge_one(text, parent, priority=POST).to_dict()
        except JudgeUnavailable as exc:
            log.warning("posting unjudged (%s): %s", self.settings.unjudged_policy, exc)
            return None

    # Authors -----------------------------------------------------------------------------------

    def post(
        self,
        *,
        uri: str,
        text: str,
        address: str,
        title: str = "",
        parent_id: int | None = None,
        author: str = "",
        email: str = "",
        posted_anyway: bool = False,
        request_id: str | None = None,
    ) -> Posted:
        if not text.strip():
            raise TextError("the comment is empty")
        email_hash = private_hash(self.secret, email)
        address_hash = private_hash(self.secret, address)
        ban = self.store.banned([("address", address_hash), ("email", email_hash)])
        if ban:
            raise Forbidden(f"you cannot post here: {ban.reason or 'banned by a moderator'}")
        thread = self.store.thread(uri, create=True, title=title)
        assert thread is not None
        if thread.closed:
            raise Forbidden("this discussion is closed to new comments")
        wait = self.forecasts.table.wait_s(thread.id, address_hash)
        if wait > 0:
            raise Forbidden(
                "a moderator has slowed this discussion down:"
                f" you can post again in {math.ceil(wait)} s"
            )
        judgement = self.try_judge(text, self.reply_to(thread.id, parent_id))
        status, note = decide(self.settings, judgement)
        try:
            comment, created = self.store.add_comment(
                thread_id=thread.id,
                parent_id=parent_id,
                author=author.strip(),
                text=text,
                status=status,
                note=note,
                email_hash=email_hash,
                address_hash=address_hash,
                judgement=judgement,
                posted_anyway=posted_anyway,
                request_id=None
                if request_id is None
                else request_key(
                    self.secret, request_id, uri, parent_id, author.strip(), email_hash, text
                ),
                actor="author",
                slow_mode=True,  # checked again where it is stored: concurrent posts race
            )
        except SlowMode as exc:  # a concurrent post from the same address got in first
            raise Forbidden(
                "a moderator has slowed this discussion down:"
                f" you can post again in {math.ceil(exc.wait)} s"
            ) from None
        if created:
            self.forecasts.update(thread.id, new=comment)
        return Posted(comment, created, self.token(comment))

    def token(self, comment: Comment) -> str:
        return make_author_token(
            self.secret, comment.id, comment.created + self.settings.edit_window_s
        )

    def authorised(self, comment_id: int, token: str, *, for_edit: bool) -> Comment:
        """The comment, if ``token`` is its author's. A missing comment answers as a forbidden
        one does, so that nobody can find held comments by their ids."""
        why = "the edit window has closed" if for_edit else "this is not your comment"
        refused = Forbidden(f"cannot change comment {comment_id}: {why} (or the token is wrong)")
        if not check_author_token(self.secret, token, comment_id, for_edit=for_edit):
            raise refused
        try:
            return self.store.comment(comment_id)
        except NotFound:
            raise refused from None

    def edit(
        self,
        comment_id: int,
        token: str,
        text: str,
        *,
        posted_anyway: bool = False,
        address: str | None = None,
    ) -> Comment:
        """A new text for the comment, judged with the policy applied again. A banned author
        (by the comment's address or email, or the address editing now) cannot edit."""
        comment = self.authorised(comment_id, token, for_edit=True)
        if comment.status in ("deleted", "withdrawn", "rejected"):
            raise Forbidden(f"comment {comment_id} was {comment.status} and cannot be edited")
        keys = [("address", comment.address_hash), ("email", comment.email_hash)]
        if address is not None:
            keys.append(("address", private_hash(self.secret, address)))
        ban = self.store.banned([(kind, value) for kind, value in keys if value])
        if ban:
            raise Forbidden(f"you cannot edit here: {ban.reason or 'banned by a moderator'}")
        if not text.strip():
            raise TextError("the comment is empty; delete it instead")
        judgement = self.try_judge(text, self.parent_text(comment.thread_id, comment.parent_id))
        status, note = decide(self.settings, judgement)
        return self._changed(
            self.store.update(
                comment_id,
                actor="author",
                action="edit",
                text=text,
                judgement=judgement,
                status=status,
                note=note,
                posted_anyway=int(posted_anyway),
            )
        )

    def _changed(self, comment: Comment) -> Comment:
        """Bring the comment's thread's forecast up to date after a change to it."""
        self.forecasts.update(comment.thread_id)
        return comment

    def delete(self, comment_id: int, token: str) -> Comment:
        """Empty the comment. Only a published one leaves a public placeholder (for its replies);
        a held one is withdrawn, and a rejected one stays rejected with the moderator's reason."""
        comment = self.authorised(comment_id, token, for_edit=True)
        if comment.status in ("deleted", "withdrawn"):
            return comment
        status = {"published": "deleted", "pending": "withdrawn"}.get(
            comment.status, comment.status
        )
        return self._changed(
            self.store.update(comment_id, actor="author", action="delete", text="", status=status)
        )

    # Moderators --------------------------------------------------------------------------------

    def approve(self, comment_id: int, actor: str, version: str | None = None) -> Comment:
        """Publish the comment. ``version`` names the text the moderator read (the ``version``
        they were shown); a comment changed since is refused (:class:`Conflict`), as is one its
        author withdrew or deleted. ``None`` approves the text as it is now (a library caller
        that has just read it)."""
        comment = self.store.comment(comment_id)
        if comment.status in ("deleted", "withdrawn") or not comment.text.strip():
            raise Conflict(
                f"comment {comment_id} was {comment.status} by its author: nothing to approve"
            )
        if version is not None and version != comment.version:
            raise Conflict(
                f"comment {comment_id} was edited after you loaded it; read the new text"
                " in the queue and decide again"
            )
        return self._changed(
            self.store.update(
                comment_id, actor=actor, action="approve", status="published", reason=""
            )
        )

    def reject(self, comment_id: int, actor: str, reason: str) -> Comment:
        if not reason.strip():
            raise TextError("say why: the author sees the reason for a rejection")
        return self._changed(
            self.store.update(
                comment_id,
                actor=actor,
                action="reject",
                why=reason.strip(),
                status="rejected",
                reason=reason.strip(),
            )
        )

    def ban(self, comment_id: int, actor: str, reason: str, days: int | None = None) -> Comment:
        """Reject the comment and refuse further posts from its address and email for ``days``
        (default: the ``ban_days`` setting; 0: until a moderator lifts the ban)."""
        comment = self.store.comment(comment_id)
        why = reason.strip() or "banned by a moderator"
        days = self.settings.ban_days if days is None else days
        expires = time.time() + days * 86_400 if days > 0 else None
        for kind, value in (("address", comment.address_hash), ("email", comment.email_hash)):
            if value:
                self.store.ban(
                    kind, value, actor=actor, reason=why, expires=expires, comment_id=comment_id
                )
        return self._changed(
            self.store.update(
                comment_id, actor=actor, action="ban", why=why, status="rejected", reason=why
            )
        )

    def unban(self, ban_id: int, actor: str, reason: str = "") -> Ban:
        """Lift a ban (recorded in the audit log with ``reason``)."""
        return self.store.unban(ban_id, actor=actor, reason=reason.strip())

    # Threads heating up --------------------------------------------------------------------------

    def slow_down(self, thread_id: int, actor: str, seconds: float, reason: str = "") -> None:
        """Slow mode: each poster waits ``seconds`` between posts in the thread (0 lifts it)."""
        self.forecasts.table.set_slow(thread_id, seconds, actor=actor, reason=reason.strip())

    def note(self, thread_id: int, actor: str, text: str) -> Comment:
        """Post a moderator's note in the thread (published, signed, audited as ``note``)."""
        if not text.strip():
            raise TextError("the note is empty: write what the thread should hear")
        return self.forecasts.table.add_note(thread_id, text.strip(), actor=actor)

    # Failing open, then catching up -------------------------------------------------------------

    def rejudge_pending(self, limit: int = 64) -> int:
        """Judge comments posted while the judge was down and apply the policy; return how many."""
        todo = self.store.unjudged(limit)
        if not todo:
            return 0
        parents = [self.parent_text(c.thread_id, c.parent_id) for c in todo]
        try:  # each comment on its own: one the judge cannot take must not hold up the rest
            answers = self.batcher.judge_each([c.text for c in todo], parents, priority=INTERACTIVE)
        except JudgeUnavailable as exc:
            log.warning("re-judging failed, will retry: %s", exc)
            return 0
        failed = [a for a in answers if isinstance(a, SteelmanError)]
        if failed:
            log.warning(
                "re-judging: %d of %d failed, will retry: %s", len(failed), len(todo), failed[0]
            )
        done = 0
        threads: set[int] = set()
        for comment, result in zip(todo, answers, strict=True):
            if isinstance(result, SteelmanError):
                continue
            done += 1
            judgement = result.to_dict()
            fields: dict[str, Any] = {"judgement": judgement}
            why = ""
            if comment.status in ("published", "pending") and not self._moderated_as_is(comment):
                status, note = decide(self.settings, judgement)
                fields.update(status=status, note=note)
                if status == "pending" and comment.status == "published":
                    why = f"judged {result.label} after posting; held by the site's policy"
                elif status == "published" and comment.status == "pending":
                    why = f"judged {result.label} after posting; published by the site's policy"
            self.store.update(comment.id, actor="steelman", action="judge", why=why, **fields)
            threads.add(comment.thread_id)
        for thread_id in sorted(threads):
            self.forecasts.update(thread_id)
        return done

    def _moderated_as_is(self, comment: Comment) -> bool:
        """Whether a moderator decided on the comment's current text (so the policy waits).

        Only a decision made after the last post or edit counts: a new text is judged and the
        policy applied to it, whoever approved an earlier one. An import is the importing
        moderator's decision to publish what the source had published.
        """
        for entry in self.store.audit_log(comment_id=comment.id):  # newest first
            if entry.action in _DECISIONS:
                return True
            if entry.action in ("post", "edit"):
                return comment.source == "import" and entry.action == "post"
        return False


def _random_secret() -> str:
    import secrets

    return secrets.token_hex(32)
