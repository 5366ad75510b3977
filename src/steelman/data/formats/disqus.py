"""Disqus export XML: ``<thread>`` elements (link, title), then ``<post>`` elements that point
at their thread and, for replies, their parent post by ``dsq:id``.

The thread of a comment is its Disqus thread id; the thread's link and title, when the export
gave them earlier in the file, go into ``extra``. Deleted and spam posts are kept as deleted
placeholders (empty text) so their replies keep a parent; ``extra["moderation"]`` marks spam
(``spam``) and posts awaiting approval (``pending``, from ``isApproved`` when the export has it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from steelman.data.comments import Comment
from steelman.data.formats._common import Item, parse_time
from steelman.data.formats.htmltext import html_to_text
from steelman.data.formats.xmlstream import LineElement, child_text, iter_xml, local_name
from steelman.errors import RecordError

__all__ = ["read_disqus"]

NS = "{http://disqus.com}"
DSQ_ID = "{http://disqus.com/disqus-internals}id"


def read_disqus(path: Path) -> Iterator[Item]:
    """Yield the posts of a Disqus export as comments, streaming post by post."""
    label = str(path)
    threads: dict[str, tuple[str | None, str | None]] = {}
    for event, elem, depth in iter_xml(path, prune_depth=1):
        if depth == 0 and event == "start" and local_name(elem.tag) != "disqus":
            raise RecordError(
                f"not a Disqus export: the root element is <{local_name(elem.tag)}>",
                path=label,
                line=elem.line,
            )
        if event != "end" or depth != 1:
            continue
        if elem.tag == NS + "thread" and elem.get(DSQ_ID):
            threads[elem.get(DSQ_ID, "")] = (
                child_text(elem, NS + "link"),
                child_text(elem, NS + "title"),
            )
        elif elem.tag == NS + "post":
            try:
                yield _comment(elem, threads, label)
            except RecordError as err:
                yield err


def _ref(elem: LineElement, tag: str) -> str | None:
    child = elem.find(NS + tag)
    return None if child is None else (child.get(DSQ_ID) or None)


def _flag(elem: LineElement, tag: str) -> bool:
    return (child_text(elem, NS + tag) or "").lower() == "true"


def _comment(
    elem: LineElement, threads: dict[str, tuple[str | None, str | None]], path: str
) -> Comment:
    line = elem.line
    comment_id = elem.get(DSQ_ID) or None
    thread = _ref(elem, "thread")
    if comment_id is None or thread is None:
        missing = "dsq:id" if comment_id is None else "thread"
        seen = ", ".join(sorted(local_name(c.tag) for c in elem)) or "none"
        raise RecordError(
            f"missing field {missing!r} of <post>; fields seen: {seen}",
            path=path,
            line=line,
            field=missing,
        )
    spam = _flag(elem, "isSpam")
    deleted = spam or _flag(elem, "isDeleted")
    author = elem.find(NS + "author")
    name = None
    if author is not None:
        name = child_text(author, NS + "name") or child_text(author, NS + "username") or None
    extra: dict[str, Any] = {"spam": True, "moderation": "spam"} if spam else {}
    if not deleted and (child_text(elem, NS + "isApproved") or "").lower() == "false":
        extra["moderation"] = "pending"
    link, title = threads.get(thread, (None, None))
    extra.update({k: v for k, v in (("thread_link", link), ("thread_title", title)) if v})
    message = elem.find(NS + "message")
    return Comment(
        id=comment_id,
        parent_id=_ref(elem, "parent"),
        author=name,
        text="" if deleted or message is None else html_to_text(message.text or ""),
        thread=thread,
        created=parse_time(
            child_text(elem, NS + "createdAt"), name="createdAt", path=path, line=line
        ),
        deleted=deleted,
        extra=extra,
        line=line,
    )
