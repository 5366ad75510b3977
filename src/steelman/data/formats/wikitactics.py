"""WikiTactics JSON: a list of conversations (``conv_id``, ``utterances`` in order,
``escalation_label``). Utterances have no ids or reply links: an utterance's id is
``<conv_id>/<index>`` and its parent follows :func:`steelman.data.labelled.wikitactics_parents`.

The file is one JSON document, so it is loaded whole (the released files are a few MB).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from steelman.data.comments import Comment
from steelman.data.formats._common import Item, open_binary
from steelman.data.jsonl import TOO_DEEP, deep_line, nested_deeper
from steelman.data.labelled import wikitactics_parents
from steelman.errors import RecordError

__all__ = ["read_wikitactics_comments"]

_CONVERSATION_EXTRA = ("escalation_label", "split")
_UTTERANCE_EXTRA = ("rebuttal_labels", "coordination_labels")


def read_wikitactics_comments(path: Path) -> Iterator[Item]:
    """Yield each utterance as a comment; ``escalation_label`` is kept in ``extra``."""
    yield from _comments(_load(path), str(path))


def _load(path: Path) -> list[Any]:
    label = str(path)
    with open_binary(path) as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8")
        conversations = json.loads(text)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise RecordError("invalid UTF-8; save the file as UTF-8", path=label, line=line) from exc
    except json.JSONDecodeError as exc:
        raise RecordError(f"not valid JSON ({exc.msg})", path=label, line=exc.lineno) from exc
    except RecursionError:
        raise RecordError(TOO_DEEP, path=label, line=deep_line(text)) from None
    if nested_deeper(conversations):
        raise RecordError(TOO_DEEP, path=label, line=deep_line(text))
    if not isinstance(conversations, list):
        raise RecordError("expected a JSON list of conversations", path=label)
    return conversations


def _comments(conversations: list[Any], label: str) -> Iterator[Item]:
    for ci, conv in enumerate(conversations):
        if not isinstance(conv, dict) or not isinstance(conv.get("utterances"), list):
            yield RecordError(
                f"conversation {ci} has no 'utterances' list", path=label, field="utterances"
            )
            continue
        thread = str(conv.get("conv_id", ci))
        utterances = conv["utterances"]
        shared = {key: conv[key] for key in _CONVERSATION_EXTRA if key in conv}
        usable = [u if isinstance(u, dict) else {} for u in utterances]
        parents = wikitactics_parents(usable)
        for ui, utt in enumerate(usable):
            where = f"conversation {ci} ({thread!r}), utterance {ui}"
            text = utt.get("text")
            if not isinstance(text, str):
                seen = ", ".join(sorted(utt)) or "none"
                yield RecordError(
                    f"{where} has no 'text' string; fields seen: {seen}", path=label, field="text"
                )
                continue
            parent = parents[ui]
            username = utt.get("username")
            extra = dict(shared)
            extra.update({key: utt[key] for key in _UTTERANCE_EXTRA if key in utt})
            yield Comment(
                id=f"{thread}/{ui}",
                parent_id=None if parent is None else f"{thread}/{parent}",
                author=str(username) if username is not None else None,
                text=text,
                thread=thread,
                extra=extra,
            )
