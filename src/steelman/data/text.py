"""Text that can enter Steelman: no lone UTF-16 surrogates, no NUL characters.

JSON can spell characters no UTF-8 text holds (``"\\ud800"``, a half of a surrogate pair) and a
NUL (``"\\u0000"``) that PostgreSQL refuses to store. The encoder's tokenizer fails on the first,
the store on both. Where a person sends the text (the API, the widget) it is refused with
:func:`text_problem`'s reason; where a file brings it (importers, ``steelman score``) there is no
one to ask, so :func:`clean_text` makes it valid: each lone surrogate becomes U+FFFD (the
replacement character) and NULs are dropped.
"""

from __future__ import annotations

from typing import Any

__all__ = ["clean_text", "clean_value", "text_problem"]


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be judged or stored, or ``None`` when it can."""
    if "\x00" in text:
        return "the text holds a NUL character (U+0000); remove it"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            return (
                f"the text holds a lone UTF-16 surrogate (U+{ord(text[exc.start]):04X}) at"
                f" character {exc.start}, which is not a character; send valid Unicode"
            )
    return None


def clean_text(text: str) -> str:
    """``text`` made valid: surrogate pairs joined, lone surrogates as U+FFFD, NULs dropped."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def clean_value(value: Any) -> Any:
    """``value`` (decoded JSON: dicts, lists, strings...) with every string, keys too, cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    return value
