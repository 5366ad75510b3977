"""Telling a comment file's format from its name and its first bytes."""

from __future__ import annotations

import json
from pathlib import Path

from steelman.data.formats._common import COMPRESSED, decompression_errors, open_binary
from steelman.data.formats.convokit import UTTERANCES, utterances_file
from steelman.errors import InputError

__all__ = ["FORMATS", "detect_format", "sniff"]

FORMATS = ("jsonl", "csv", "convokit", "reddit", "wxr", "disqus", "wikitactics")

_HEAD = 64 * 1024
_BY_EXTENSION = {".csv": "csv", ".tsv": "csv", ".json": "wikitactics", ".jsonl": "jsonl"}


def detect_format(path: str | Path) -> str:
    """The format of a file or directory, one of :data:`FORMATS`.

    CSV is told by its extension; the rest by sniffing the first (decompressed) bytes, with the
    extension as a fallback. A directory is a ConvoKit corpus if it holds ``utterances.jsonl``.
    """
    path = Path(path)
    if path.is_dir():
        if utterances_file(path) is not None:
            return "convokit"
        raise InputError(
            f"{path}: a directory, but not a ConvoKit corpus (no {UTTERANCES}); pass a file"
        )
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    name = path.name.lower()
    for suffix in COMPRESSED:
        name = name.removesuffix(suffix)
    if name == UTTERANCES:
        return "convokit"
    extension = Path(name).suffix
    if extension in (".csv", ".tsv"):
        return "csv"
    try:
        with open_binary(path) as fh:
            head = fh.read(_HEAD)
    except decompression_errors() as exc:
        raise InputError(f"{path}: cannot read the start of the file ({exc})") from exc
    found = sniff(head) or _BY_EXTENSION.get(extension)
    if found is None:
        raise InputError(
            f"{path}: cannot tell the format; pass format= one of {', '.join(FORMATS)}"
        )
    return found


def sniff(head: bytes) -> str | None:
    """Guess a format from the first bytes of a file (``None`` when unsure)."""
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        if b"wordpress.org/export/" in head:
            return "wxr"
        if b"<disqus" in head or b'"http://disqus.com"' in head:
            return "disqus"
        return None
    if head.startswith(b"["):
        return "wikitactics" if b'"utterances"' in head or b'"conv_id"' in head else None
    if not head.startswith(b"{"):
        return None
    try:
        first = json.loads(head.split(b"\n", 1)[0])
    except (ValueError, UnicodeDecodeError, RecursionError):  # the reader says what is wrong
        return None
    if not isinstance(first, dict):
        return None
    if "reply_to" in first and "conversation_id" in first:
        return "convokit"
    if "body" in first and "link_id" in first:
        return "reddit"
    if "text" in first and "id" in first:
        return "jsonl"
    return None
