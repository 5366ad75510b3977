"""Reddit comments as in Pushshift-style dumps: one JSON object per line, plain or compressed.

``parent_id`` is a fullname: ``t1_<id>`` is a comment, ``t3_<id>`` the post (so the comment is
top level). The thread is the post, ``link_id`` without its ``t3_`` prefix. Reddit stores the
Markdown source HTML-escaped (``&gt;`` for a quote marker), and Markdown itself renders entities
the user typed (``&amp;gt;`` in the dump shows as ``>``), so entities are unescaped twice, as a
reader would see them. Tags are left alone: any ``<b>`` in a body was typed by the user.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from steelman.data.comments import Comment
from steelman.data.formats._common import (
    Item,
    as_id,
    missing_field,
    parse_time,
    read_json_records,
)
from steelman.errors import RecordError

__all__ = ["DELETED_MARKERS", "read_reddit"]

DELETED_MARKERS = frozenset({"[deleted]", "[removed]"})
_REQUIRED = ("id", "parent_id", "link_id", "body")
_EXTRA = ("subreddit", "score", "controversiality", "distinguished")


def read_reddit(path: Path) -> Iterator[Item]:
    """Yield the comments of a Reddit dump, one line at a time (constant memory)."""
    return read_json_records(path, _comment)


def _fullname(value: Any, name: str, path: str, line: int) -> tuple[str, str | None]:
    """Split ``t1_abc`` into ``("t1", "abc")``; a bare id has no kind."""
    text = as_id(value, name=name, path=path, line=line)
    if text is None:
        raise RecordError("the id is empty", path=path, line=line, field=name)
    kind, sep, rest = text.partition("_")
    if sep and kind[:1] == "t" and kind[1:].isdigit():
        return rest, kind
    return text, None


def _unescape(body: str) -> str:
    once = html.unescape(body)
    return html.unescape(once) if "&" in once else once


def _comment(obj: dict[str, Any], path: str, line: int) -> Comment:
    for name in _REQUIRED:
        if obj.get(name) is None:
            raise missing_field(name, obj, path=path, line=line)
    comment_id, _ = _fullname(obj["id"], "id", path, line)
    parent, kind = _fullname(obj["parent_id"], "parent_id", path, line)
    thread, _ = _fullname(obj["link_id"], "link_id", path, line)
    body = obj["body"]
    if not isinstance(body, str):
        raise RecordError(
            f"expected a string, found {type(body).__name__}", path=path, line=line, field="body"
        )
    deleted = body.strip() in DELETED_MARKERS
    author = obj.get("author")
    if not isinstance(author, str) or author in DELETED_MARKERS:
        author = None
    return Comment(
        id=comment_id,
        parent_id=None if kind == "t3" or parent == thread else parent,
        author=author,
        text="" if deleted else _unescape(body),
        thread=thread,
        created=parse_time(obj.get("created_utc"), name="created_utc", path=path, line=line),
        deleted=deleted,
        extra={key: obj[key] for key in _EXTRA if obj.get(key) is not None},
    )
