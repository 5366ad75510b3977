"""JSON with unquoted object keys, as Perspective's own quickstart sends it
(``{comment: {text: "..."}, requestedAttributes: {TOXICITY: {}}}``).

One linear pass quotes each bare identifier that stands where a key may (after ``{`` or ``,``,
before ``:``), leaving strings alone; the result goes to :func:`json.loads`. Nothing is
evaluated; the input is already bounded by the request size limit.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["loads"]

_BARE_KEY = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_SPACE = " \t\r\n"


def _quote_keys(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    expect_key = False  # just after '{' or ',' (spaces between)
    while i < n:
        c = text[i]
        if c == '"':  # copy a string whole, escapes and all
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
            expect_key = False
            continue
        if expect_key and (m := _BARE_KEY.match(text, i)):
            k = m.end()
            while k < n and text[k] in _SPACE:
                k += 1
            if k < n and text[k] == ":":
                out.append(f'"{m.group()}"')
                i = m.end()
                expect_key = False
                continue
        if c in "{,":
            expect_key = True
        elif c not in _SPACE:
            expect_key = False
        out.append(c)
        i += 1
    return "".join(out)


def loads(data: bytes | str) -> Any:
    """Strict JSON, or, when that fails, the same with its bare keys quoted."""
    try:
        return json.loads(data)
    except ValueError as strict:
        try:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
        except UnicodeDecodeError:
            raise strict from None
        quoted = _quote_keys(text)
        if quoted == text:
            raise
        return json.loads(quoted)
