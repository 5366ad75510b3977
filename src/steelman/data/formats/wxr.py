"""WordPress export (WXR): ``<item>`` posts whose ``<wp:comment>`` children are the comments.

The thread is the post's ``<link>`` (or ``<wp:post_id>`` when it has none). WordPress publishes
a comment only when ``wp:comment_approved`` is ``1`` (or ``approve``), in any case. Comments
marked spam or trash are kept as deleted placeholders so their replies keep a parent; any other
status (``0``, ``unapproved``, ``hold``...) is pending, kept as it is. The status is in
``extra["approved"]``, and ``extra["moderation"]`` says what is not published (``pending``,
``spam``, ``trash``), so that an import publishes only what WordPress published.

A post's comments are yielded once the post is read, each parent before its replies (an export
may list a reply first), otherwise in the order of the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from steelman.data.comments import Comment
from steelman.data.formats._common import Item, as_id, parse_time
from steelman.data.formats.htmltext import html_to_text
from steelman.data.formats.xmlstream import (
    LineElement,
    child_text,
    iter_xml,
    local_name,
    namespace,
)
from steelman.errors import RecordError

__all__ = ["read_wxr"]

WP_NAMESPACE = "http://wordpress.org/export/"  # followed by the version: 1.0/, 1.1/, 1.2/
_PUBLISHED = frozenset({"1", "approve", "approved"})
_GONE = {"spam": "spam", "trash": "trash", "post-trashed": "trash"}  # any other status: pending
_NO_DATE = "0000-00-00 00:00:00"


def read_wxr(path: Path) -> Iterator[Item]:
    """Yield the comments of a WordPress export, streaming item by item."""
    label = str(path)
    item = 0
    link: str | None = None
    post_id: str | None = None
    read: list[Item] = []  # the comments of the item being read
    for event, elem, depth in iter_xml(path, prune_depth=3):
        name = local_name(elem.tag)
        if event == "start":
            if depth == 0 and name != "rss":
                raise RecordError(
                    f"not a WordPress export: the root element is <{name}>, not <rss>",
                    path=label,
                    line=elem.line,
                )
            if depth == 2 and name == "item":
                item, link, post_id = item + 1, None, None
            continue
        if depth == 2 and name == "item":
            yield from _parents_first(read)
            read = []
        if depth != 3:
            continue
        is_wp = namespace(elem.tag).startswith(WP_NAMESPACE)
        if name == "link" and not namespace(elem.tag):
            link = (elem.text or "").strip() or None
        elif name == "post_id" and is_wp:
            post_id = (elem.text or "").strip() or None
        elif name == "comment" and is_wp:
            thread = link or post_id or f"item {item}"
            try:
                read.append(_comment(elem, thread, label))
            except RecordError as err:
                read.append(err)
    yield from _parents_first(read)


def _parents_first(items: list[Item]) -> list[Item]:
    """``items`` in their order, except that a reply to a comment listed later waits for it
    (a reply cycle, which no order can satisfy, comes last as it was)."""
    ids = {c.id for c in items if isinstance(c, Comment)}
    waiting: dict[str, list[Comment]] = {}
    done: set[str] = set()
    out: list[Item] = []
    for item in items:
        parent = item.parent_id if isinstance(item, Comment) else None
        if isinstance(item, Comment) and parent in ids and parent not in done:
            waiting.setdefault(str(parent), []).append(item)
            continue
        stack = [item]
        while stack:  # the item, then the replies that waited for it
            ready = stack.pop()
            out.append(ready)
            if isinstance(ready, Comment):
                done.add(ready.id)
                stack.extend(reversed(waiting.pop(ready.id, [])))
    listed = {id(x) for x in out}
    out.extend(x for x in items if id(x) not in listed)
    return out


def _comment(elem: LineElement, thread: str, path: str) -> Comment:
    ns = "{" + namespace(elem.tag) + "}"
    line = elem.line

    def text(name: str) -> str | None:
        return child_text(elem, ns + name)

    comment_id = as_id(text("comment_id"), name="wp:comment_id", path=path, line=line)
    content_elem = elem.find(ns + "comment_content")
    if comment_id is None or content_elem is None:
        missing = "wp:comment_id" if comment_id is None else "wp:comment_content"
        seen = ", ".join(sorted("wp:" + local_name(child.tag) for child in elem)) or "none"
        raise RecordError(
            f"missing field {missing!r}; fields seen: {seen}", path=path, line=line, field=missing
        )
    parent = text("comment_parent")
    approved = text("comment_approved") or "1"
    kind = text("comment_type")
    date = text("comment_date_gmt")
    status = approved.lower()
    extra: dict[str, object] = {"approved": approved}
    if status not in _PUBLISHED:
        extra["moderation"] = _GONE.get(status, "pending")
    deleted = status in _GONE
    if kind and kind != "comment":
        extra["type"] = kind
    return Comment(
        id=comment_id,
        parent_id=None if parent in (None, "", "0") else parent,
        author=text("comment_author") or None,
        text="" if deleted else html_to_text(content_elem.text or ""),
        thread=thread,
        created=None
        if date == _NO_DATE
        else parse_time(date, name="wp:comment_date_gmt", path=path, line=line),
        deleted=deleted,
        extra=extra,
        line=line,
    )
