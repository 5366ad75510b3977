"""A comment in a discussion, as every importer yields it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Comment"]


@dataclass
class Comment:
    """One comment of a discussion, in any source format.

    ``parent_id`` is ``None`` for a top-level comment (a reply to the post itself). ``thread``
    groups comments into one discussion (a post, a page, a conversation). ``deleted`` marks a
    comment whose text was removed at the source (the text is then empty or a marker such as
    "[deleted]"); it stays in the tree so that its replies keep their place.
    ``extra["moderation"]`` is ``"pending"``, ``"spam"`` or ``"trash"`` for a comment the source
    never published (an export of WordPress or Disqus). ``line`` is where the record starts in
    its file, when the reader knows it (for messages; not compared).
    """

    id: str
    parent_id: str | None
    author: str | None
    text: str
    thread: str
    created: datetime | None = None
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    line: int | None = field(default=None, compare=False)
