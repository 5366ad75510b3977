"""``read_comments``: one entry point over every format, with the bad-record policy."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from steelman.data.comments import Comment
from steelman.data.formats._common import Item, Reader
from steelman.data.formats.convokit import read_convokit, utterances_file
from steelman.data.formats.csvfile import read_csv
from steelman.data.formats.detect import FORMATS, detect_format
from steelman.data.formats.disqus import read_disqus
from steelman.data.formats.jsonl import read_jsonl
from steelman.data.formats.reddit import read_reddit
from steelman.data.formats.wikitactics import read_wikitactics_comments
from steelman.data.formats.wxr import read_wxr
from steelman.data.text import clean_text, clean_value
from steelman.errors import InputError, RecordError

__all__ = ["CommentStream", "read_comments"]

logger = logging.getLogger(__name__)

_READERS: dict[str, Reader] = {
    "jsonl": read_jsonl,
    "csv": read_csv,
    "convokit": read_convokit,
    "reddit": read_reddit,
    "wxr": read_wxr,
    "disqus": read_disqus,
    "wikitactics": read_wikitactics_comments,
}
_OPTIONS: dict[str, tuple[str, ...]] = {"csv": ("columns", "delimiter")}


class CommentStream(Iterator[Comment]):
    """The comments of a file, read lazily; ``skipped`` counts the bad records passed over.

    Use it in a ``with`` block (or call :meth:`close`) to close the file early.
    """

    def __init__(
        self,
        items: Iterator[Item],
        *,
        skip_bad: bool,
        on_error: Callable[[RecordError], object] | None,
    ) -> None:
        self._items = items
        self._skip_bad = skip_bad
        self._on_error = on_error
        self.skipped = 0

    def __iter__(self) -> CommentStream:
        return self

    def __next__(self) -> Comment:
        for item in self._items:
            if isinstance(item, Comment):
                return _valid(item)
            if not self._skip_bad:
                self.close()
                raise item
            self.skipped += 1
            if self._on_error is not None:
                self._on_error(item)
            else:
                logger.warning("skipped a bad record: %s", item)
        raise StopIteration

    def close(self) -> None:
        """Stop reading and close the file."""
        close = getattr(self._items, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> CommentStream:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _valid(c: Comment) -> Comment:
    """The comment with every string made valid text (a CSV's NUL, an escaped lone surrogate):
    the importer's boundary, so that the judge and the store never see them."""
    c.id, c.text, c.thread = clean_text(c.id), clean_text(c.text), clean_text(c.thread)
    c.author = clean_text(c.author) if c.author is not None else None
    c.parent_id = clean_text(c.parent_id) if c.parent_id is not None else None
    c.extra = clean_value(c.extra)
    return c


def read_comments(
    path: str | Path,
    *,
    format: str = "auto",
    skip_bad: bool = False,
    on_error: Callable[[RecordError], object] | None = None,
    **options: Any,
) -> CommentStream:
    """Stream the comments of a file or directory as :class:`~steelman.data.comments.Comment`.

    ``format`` is one of :data:`FORMATS` or ``"auto"``. A directory is read as a ConvoKit corpus
    when it holds ``utterances.jsonl``, otherwise file by file in name order. A bad record raises
    :class:`~steelman.errors.RecordError` naming the file, line and field; with
    ``skip_bad=True`` it is passed to ``on_error`` (or logged) and counted in ``skipped``
    instead. Damage that cannot be read past (broken XML, a corrupt archive) always raises.
    ``options`` go to the format's reader: ``columns`` and ``delimiter`` for CSV.
    """
    path = Path(path)
    if format != "auto" and format not in _READERS:
        close = difflib.get_close_matches(format, FORMATS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(f"unknown format {format!r}{hint} (formats: {', '.join(FORMATS)})")
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_dir() and format != "convokit" and utterances_file(path) is None:
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise InputError(f"{path}: the directory has no files to read")
        parts = [_open(file, format, options) for file in files]
        items = _chain(parts)
    else:
        items = _open(path, format, options)
    return CommentStream(items, skip_bad=skip_bad, on_error=on_error)


def _chain(parts: list[Iterator[Item]]) -> Iterator[Item]:
    for part in parts:
        yield from part  # closing this generator closes the part being read


def _open(path: Path, format: str, options: dict[str, Any]) -> Iterator[Item]:
    name = detect_format(path) if format == "auto" else format
    known = _OPTIONS.get(name, ())
    unknown = sorted(set(options) - set(known))
    if unknown:
        takes = f"it takes {', '.join(known)}" if known else "it takes none"
        raise InputError(f"unknown option(s) {', '.join(unknown)} for format {name!r}; {takes}")
    return _READERS[name](path, **options)
