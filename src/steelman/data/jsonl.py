"""Reading JSON Lines with errors that name the file and the line.

Strings come out valid (:func:`steelman.data.text.clean_text`): a lone surrogate or a NUL that
JSON escapes can spell would fail the judge or the store. JSON nested deeper than
:data:`MAX_DEPTH` is refused where it is read: what reads a record afterwards (cleaning its text,
storing it) recurses, and would overflow the stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from steelman.data.text import clean_value
from steelman.errors import RecordError

__all__ = ["MAX_DEPTH", "TOO_DEEP", "deep_line", "iter_jsonl", "nested_deeper", "parse_jsonl_line"]

#: How many levels of arrays and objects a JSON record may nest; no export comes near it.
MAX_DEPTH = 100
TOO_DEEP = f"the JSON is nested too deeply to read (more than {MAX_DEPTH} levels)"

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def nested_deeper(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether decoded JSON nests more than ``limit`` arrays and objects (without recursing)."""
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def deep_line(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The line of JSON text where it first nests more than ``limit`` deep (``None``: nowhere)."""
    depth = 0
    for token in _TOKEN.finditer(text):
        mark = token.group()
        if mark in ("[", "{"):
            depth += 1
            if depth > limit:
                return text.count("\n", 0, token.start()) + 1
        elif mark in ("]", "}"):
            depth -= 1
    return None


def parse_jsonl_line(raw: bytes, *, path: str, line: int) -> dict[str, Any] | None:
    """Decode one JSONL line; ``None`` for a blank line, :class:`RecordError` for a bad one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(
            f"invalid UTF-8 at byte {exc.start} of the line; save the file as UTF-8",
            path=path,
            line=line,
        ) from exc
    text = text.strip()
    if not text:
        return None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(
            f"not valid JSON ({exc.msg} at column {exc.colno})", path=path, line=line
        ) from exc
    except RecursionError as exc:
        raise RecordError(TOO_DEEP, path=path, line=line) from exc
    if nested_deeper(obj):
        raise RecordError(TOO_DEEP, path=path, line=line)
    if "\\u" in text:  # only an escape can spell a lone surrogate or a NUL: make it valid
        obj = clean_value(obj)
    if not isinstance(obj, dict):
        raise RecordError(
            f"expected a JSON object, found {type(obj).__name__}", path=path, line=line
        )
    return obj


def iter_jsonl(
    source: str | Path | IO[bytes], *, name: str | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-blank line of a JSONL file (1-based lines)."""
    if isinstance(source, (str, Path)):
        label = name or str(source)
        with open(source, "rb") as fh:
            yield from _iter(fh, label)
    else:
        yield from _iter(source, name or str(getattr(source, "name", "<stream>")))


def _iter(fh: IO[bytes], label: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, raw in enumerate(fh, start=1):
        obj = parse_jsonl_line(raw, path=label, line=number)
        if obj is not None:
            yield number, obj
