"""A site's decisions, read from its store: what its moderators and authors said about replies.

- **approve / reject / ban**: a moderator's latest decision on a comment's current text (a ban
  rejects too). Only a decision made after the last post or edit counts: it is about those words.
- **edit**: an author rewrote a comment the site had nudged (held by the policy, or posted anyway
  past the self-check), and the new words stand undecided and published: the site's policy and
  the author both let them through, so they count as kept.
- **feedback**: a suggestion sent with a feedback key (``comments:suggestscore``): rejected when
  any suggested score of an abuse attribute (TOXICITY, INSULT, THREAT, the attacks...: those a
  comment has when any part has it) is 0.5 or more; a suggestion naming none of them is no
  decision (a high REASONING_EXPERIMENTAL is praise). Suggestions kept before keys existed are
  left out.

Texts sent with ``doNotStore`` are never stored, so they are never decisions.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from steelman.server.db import Store

__all__ = ["KINDS", "Decision", "collect", "count"]

KINDS = ("approve", "reject", "ban", "edit", "feedback")


@dataclass(frozen=True)
class Decision:
    """One decided reply: its words, whether the site rejects it, of which kind, when."""

    text: str
    parent: str | None
    thread: str  # the group cross-validation keeps whole
    rejected: bool
    kind: str  # one of KINDS
    at: float  # when it was decided (seconds since the epoch)
    judgement: dict[str, Any] | None = None  # the judgement stored with it, if any


def _from_comment(
    comment: Any, events: Sequence[tuple[str, float, dict[str, Any]]], parent: str | None
) -> Decision | None:
    last_text = max((i for i, e in enumerate(events) if e[0] in ("post", "edit")), default=-1)
    decided = [e for e in events[last_text + 1 :] if e[0] in ("approve", "reject", "ban")]
    common = {
        "text": comment.text,
        "parent": parent,
        "thread": f"thread:{comment.thread_id}",
        "judgement": comment.judgement,
    }
    if decided:
        action, at, _ = decided[-1]
        return Decision(rejected=action != "approve", kind=action, at=at, **common)
    if last_text >= 1 and events[last_text][0] == "edit" and comment.status == "published":
        before = events[:last_text]
        nudged = any(e[2].get("status") == "pending" for e in before if e[0] in ("post", "edit"))
        if nudged or comment.posted_anyway:
            return Decision(rejected=False, kind="edit", at=events[last_text][1], **common)
    return None


def _abuse(name: str) -> bool:
    from steelman.server.attributes import by_name

    attr = by_name(name)
    return attr is not None and attr.anywhere


def collect(store: Store) -> list[Decision]:
    """Every decision the store holds, oldest first."""
    from steelman.server.db.site import SiteTables

    tables = SiteTables(store)
    decided = tables.decided_comments()
    parents: dict[int, str | None] = {}
    out: list[Decision] = []
    for d in decided:
        c = d.comment
        if c.parent_id is not None and c.parent_id not in parents:
            try:
                parents[c.parent_id] = store.comment(c.parent_id).text or None
            except Exception:  # a parent that is gone: judged without it
                parents[c.parent_id] = None
        found = _from_comment(c, d.events, parents.get(c.parent_id) if c.parent_id else None)
        if found is not None:
            out.append(found)
    for f in store.iter_feedback():
        if f.key is None or not f.text.strip():
            continue
        summaries = [
            s.get("summary") for name, s in f.scores.items() if isinstance(s, dict) and _abuse(name)
        ]
        values = [float(v) for v in summaries if isinstance(v, int | float)]
        if not values:
            continue
        out.append(
            Decision(
                text=f.text,
                parent=f.context[-1] if f.context else None,
                thread=f"feedback:{f.key}:{f.client_token or f.id}",
                rejected=max(values) >= 0.5,
                kind="feedback",
                at=f.created,
            )
        )
    out.sort(key=lambda d: d.at)
    return out


def count(decisions: Sequence[Decision]) -> dict[str, Any]:
    """The decisions by kind, by date (UTC), and how many were rejections."""
    kinds = Counter(d.kind for d in decisions)
    dates = Counter(
        datetime.datetime.fromtimestamp(d.at, datetime.UTC).date().isoformat() for d in decisions
    )
    return {
        "total": len(decisions),
        "rejected": sum(d.rejected for d in decisions),
        "by_kind": {k: kinds[k] for k in KINDS if kinds[k]},
        "by_date": dict(sorted(dates.items())),
    }
