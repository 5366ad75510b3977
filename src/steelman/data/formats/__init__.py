"""Comment-format importers: every format streams :class:`~steelman.data.comments.Comment`.

    read_comments(path, format="auto", skip_bad=False, on_error=None, **options)
    detect_format(path) -> one of FORMATS
    build_threads(comments) -> {thread id: Thread}
    html_to_text(markup) -> plain text

Formats: ``jsonl`` (Steelman's own), ``csv``, ``convokit``, ``reddit`` (Pushshift-style, also
``.zst``/``.gz``), ``wxr`` (WordPress), ``disqus``, ``wikitactics``.
"""

from steelman.data.formats.detect import FORMATS, detect_format
from steelman.data.formats.htmltext import html_to_text
from steelman.data.formats.reader import CommentStream, read_comments
from steelman.data.formats.tree import Thread, build_threads

__all__ = [
    "FORMATS",
    "CommentStream",
    "Thread",
    "build_threads",
    "detect_format",
    "html_to_text",
    "read_comments",
]
