"""The parts of a long comment the Perspective drop-in reads: windows and sentences."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from steelman.judge.parts import MAX_PARTS, WINDOW_CHARS, sentence_spans, windows


def test_a_short_comment_has_no_windows() -> None:
    assert windows("You idiot.") == []
    assert windows("x" * WINDOW_CHARS) == []


def test_windows_are_runs_of_whole_sentences() -> None:
    text = "The figures match the survey. " * 30 + "You idiot."
    parts = windows(text)
    assert all(e - b <= WINDOW_CHARS for b, e in parts)
    assert all(text[b - 2 : b] == ". " for b, _ in parts[1:])  # each starts a sentence
    assert text[parts[-1][0] : parts[-1][1]].endswith("You idiot.")


def test_a_sentence_longer_than_a_window_is_cut_at_spaces() -> None:
    text = " ".join(["word"] * 300)  # 1,499 characters, no full stop
    parts = windows(text)
    assert len(parts) == 4 and all(e - b <= WINDOW_CHARS for b, e in parts)
    assert all(text[b:e] == text[b:e].strip() and not text[b:e].startswith("ord") for b, e in parts)
    unbroken = "x" * 1000  # no space to cut at: cut at the limit
    assert windows(unbroken) == [(0, 400), (400, 800), (800, 1000)]


def test_sentence_spans_give_each_sentence_with_its_offsets() -> None:
    text = "That is wrong.  You idiot!\nWhy?"
    assert [text[b:e] for b, e in sentence_spans(text)] == ["That is wrong.", "You idiot!", "Why?"]
    assert sentence_spans("...") == [(0, 3)]  # no sentence: the whole text


def test_a_comment_of_very_many_sentences_is_scored_by_window() -> None:
    text = "No. " * (MAX_PARTS + 10)
    spans = sentence_spans(text)
    assert spans == windows(text) and len(spans) < MAX_PARTS


@given(st.text(alphabet=st.sampled_from("ab .!?\n"), max_size=3000))
def test_windows_cover_every_word_of_any_text(text: str) -> None:
    parts = windows(text)
    if len(text) <= WINDOW_CHARS:
        assert parts == []
        return
    assert all(0 <= b < e <= len(text) and e - b <= WINDOW_CHARS for b, e in parts)
    assert all(e1 <= b2 for (_, e1), (b2, _) in itertools.pairwise(parts))
    covered = set().union(*(range(b, e) for b, e in parts))
    words = [i for i, c in enumerate(text) if c in "ab"]
    assert all(i in covered for i in words)
