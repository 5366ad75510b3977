"""A ConvoKit corpus directory: ``utterances.jsonl`` (``id``, ``reply_to``, ``speaker``,
``text``, ``timestamp``, ``conversation_id``, ``meta``). ``speakers.json`` and
``conversations.json`` hold only metadata and are not needed: the speaker id is the author."""

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

__all__ = ["UTTERANCES", "read_convokit", "utterances_file"]

UTTERANCES = "utterances.jsonl"
_REQUIRED = ("id", "text", "conversation_id")


def utterances_file(path: Path) -> Path | None:
    """The utterances file of a corpus directory (or the file itself), if there is one."""
    if path.is_dir():
        for candidate in (path / UTTERANCES, path / (UTTERANCES + ".gz")):
            if candidate.is_file():
                return candidate
        return None
    return path


def read_convokit(path: Path) -> Iterator[Item]:
    """Yield the utterances of a ConvoKit corpus as comments; ``meta`` goes into ``extra``."""
    source = utterances_file(path)
    if source is None:
        raise RecordError(
            f"not a ConvoKit corpus: no {UTTERANCES} in the directory", path=str(path)
        )
    return _read(source)


def _read(source: Path) -> Iterator[Item]:
    return read_json_records(source, _comment)


def _comment(obj: dict[str, Any], path: str, line: int) -> Comment:
    for name in _REQUIRED:
        if obj.get(name) is None:
            raise missing_field(name, obj, path=path, line=line)
    comment_id = as_id(obj["id"], name="id", path=path, line=line)
    thread = as_id(obj["conversation_id"], name="conversation_id", path=path, line=line)
    if comment_id is None or thread is None:
        field = "id" if comment_id is None else "conversation_id"
        raise RecordError("the id is empty", path=path, line=line, field=field)
    text = obj["text"]
    if not isinstance(text, str):
        raise RecordError(
            f"expected a string, found {type(text).__name__}", path=path, line=line, field="text"
        )
    speaker = obj.get("speaker", obj.get("user"))  # ConvoKit before 2.3 said "user"
    meta = obj.get("meta")
    return Comment(
        id=comment_id,
        parent_id=as_id(obj.get("reply_to"), name="reply_to", path=path, line=line),
        author=as_id(speaker, name="speaker", path=path, line=line),
        text=text,
        thread=thread,
        created=parse_time(obj.get("timestamp"), name="timestamp", path=path, line=line),
        extra={"meta": meta} if isinstance(meta, dict) and meta else {},
    )
