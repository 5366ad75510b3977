"""Every part of a long comment counts: the parts the judge reads, and the sentences Perspective
scores one by one.

The judge reads a text in windows of 256 word pieces. A comment longer than
:data:`WINDOW_CHARS` is also read as *windows*: runs of whole sentences of at most that many
characters (a longer sentence is cut at spaces), so that an insult in the last sentence of a long
comment is read as well as one on its own. Perspective's ``spanScores`` are per sentence, each
with its own score: :func:`sentence_spans` gives those sentences, with their offsets in the text.
"""

from __future__ import annotations

from steelman.judge.cues import sentences

__all__ = ["MAX_PARTS", "WINDOW_CHARS", "sentence_spans", "windows"]

# About 100 word pieces of English: inside what the judge reads, with room for [CLS] and [SEP]
WINDOW_CHARS = 400
# A comment of 20 KB has about 50 windows and 200 sentences; one with more sentences than this
# is scored by window (each still read whole) rather than by sentence
MAX_PARTS = 256


def _cut(start: int, end: int, text: str, limit: int) -> list[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most ``limit`` characters, cut at spaces."""
    out = []
    while end - start > limit:
        cut = text.rfind(" ", start + 1, start + limit)
        if cut <= start:
            cut = start + limit
        out.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        out.append((start, end))
    return out


def _pieces(text: str, limit: int) -> list[tuple[int, int]]:
    """The sentences of ``text``, each longer than ``limit`` cut at spaces."""
    return [p for s in sentences(text) for p in _cut(s.start, s.end, text, limit)]


def _runs(pieces: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Neighbouring pieces joined into runs of at most ``limit`` characters."""
    out: list[tuple[int, int]] = []
    for begin, end in pieces:
        if out and end - out[-1][0] <= limit:
            out[-1] = (out[-1][0], end)
        else:
            out.append((begin, end))
    return out


def sentence_spans(text: str, limit: int = WINDOW_CHARS) -> list[tuple[int, int]]:
    """The sentences of ``text`` as ``(begin, end)`` offsets in order, a sentence longer than
    ``limit`` cut at spaces; a text without a sentence is one span of the whole. A text of more
    than :data:`MAX_PARTS` sentences is given as its :func:`windows`."""
    spans = _pieces(text, limit)
    if len(spans) > MAX_PARTS:
        return _runs(spans, limit)
    return spans or [(0, len(text))]


def windows(text: str, limit: int = WINDOW_CHARS) -> list[tuple[int, int]]:
    """Runs of whole sentences of at most ``limit`` characters covering ``text``; ``[]`` when the
    judge reads the whole text at once (it is no longer than ``limit``)."""
    if len(text) <= limit:
        return []
    return _runs(_pieces(text, limit) or _cut(0, len(text), text, limit), limit)
