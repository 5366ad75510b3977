"""Steelman's own JSONL: one comment per line (``id``, ``parent_id``, ``author``, ``text``,
``created``, optional ``thread`` and ``deleted``). Other keys go into ``Comment.extra``."""

from __future__ import annotations

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

__all__ = ["FIELDS", "REQUIRED", "comment_from_record", "read_jsonl"]

FIELDS = ("id", "parent_id", "author", "text", "created", "thread", "deleted")
REQUIRED = ("id", "text")


def read_jsonl(path: Path) -> Iterator[Item]:
    """Yield the comments of a Steelman JSONL file; a file without ``thread`` is one thread."""
    return read_json_records(
        path,
        lambda obj, label, line: comment_from_record(
            obj, default_thread=path.stem, path=label, line=line
        ),
    )


def comment_from_record(
    obj: dict[str, Any], *, default_thread: str, path: str, line: int | None
) -> Comment:
    """Build a comment from a record with Steelman's field names (shared with the CSV reader)."""
    for name in REQUIRED:
        if obj.get(name) is None:
            raise missing_field(name, obj, path=path, line=line)
    comment_id = as_id(obj["id"], name="id", path=path, line=line)
    if comment_id is None:
        raise RecordError("the id is empty", path=path, line=line, field="id")
    text = obj["text"]
    if not isinstance(text, str):
        raise RecordError(
            f"expected a string, found {type(text).__name__}", path=path, line=line, field="text"
        )
    author = obj.get("author")
    if author is not None and not isinstance(author, str):
        raise RecordError(
            f"expected a string, found {type(author).__name__}",
            path=path,
            line=line,
            field="author",
        )
    thread = as_id(obj.get("thread"), name="thread", path=path, line=line)
    deleted = obj.get("deleted", False)
    if isinstance(deleted, str):
        deleted = deleted.strip().lower() in ("1", "true", "yes")
    return Comment(
        id=comment_id,
        parent_id=as_id(obj.get("parent_id"), name="parent_id", path=path, line=line),
        author=author or None,
        text=text,
        thread=thread or default_thread,
        created=parse_time(obj.get("created"), name="created", path=path, line=line),
        deleted=bool(deleted),
        extra={k: v for k, v in obj.items() if k not in FIELDS},
        line=line,
    )
