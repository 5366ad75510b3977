"""Auto-detection by extension and by sniffing, and the public surface of the package."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
import zstandard

import steelman.data.formats as formats
from steelman.data.formats import FORMATS, detect_format, read_comments
from steelman.data.formats.detect import sniff
from steelman.data.formats.reader import _READERS
from steelman.errors import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "formats"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("comments.jsonl", "jsonl"),
        ("bad.jsonl", "jsonl"),
        ("comments.csv", "csv"),
        ("convokit", "convokit"),
        ("convokit/utterances.jsonl", "convokit"),
        ("reddit.jsonl", "reddit"),
        ("wordpress.xml", "wxr"),
        ("disqus.xml", "disqus"),
        ("wikitactics.json", "wikitactics"),
    ],
)
def test_fixtures_are_detected(name: str, expected: str) -> None:
    assert detect_format(FIXTURES / name) == expected


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("reddit.jsonl", "RC_2015-01", "reddit"),  # dumps have no extension once unpacked
        ("wordpress.xml", "export.txt", "wxr"),
        ("disqus.xml", "disqus-export", "disqus"),
        ("wikitactics.json", "conversations.data", "wikitactics"),
        ("convokit/utterances.jsonl", "corpus.jsonl", "convokit"),
        ("comments.jsonl", "mine.txt", "jsonl"),
    ],
)
def test_content_wins_over_the_name(
    tmp_path: Path, source: str, target: str, expected: str
) -> None:
    shutil.copy(FIXTURES / source, tmp_path / target)
    assert detect_format(tmp_path / target) == expected


def test_compressed_files_are_sniffed_inside(tmp_path: Path) -> None:
    data = (FIXTURES / "reddit.jsonl").read_bytes()
    (tmp_path / "RC_2015-01.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    (tmp_path / "RC_2015-01.gz").write_bytes(gzip.compress(data))
    (tmp_path / "utterances.jsonl.gz").write_bytes(gzip.compress(data))
    assert detect_format(tmp_path / "RC_2015-01.zst") == "reddit"
    assert detect_format(tmp_path / "RC_2015-01.gz") == "reddit"
    assert detect_format(tmp_path / "utterances.jsonl.gz") == "convokit"  # by its name


def test_byte_order_mark_and_blank_start(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(b"\xef\xbb\xbf\n\n" + (FIXTURES / "disqus.xml").read_bytes())
    assert detect_format(path) == "disqus"


def test_the_extension_is_the_fallback(tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_text('{"id": 1, "body": "neither reddit nor ours"}\n', encoding="utf-8")
    assert detect_format(path) == "jsonl"


def test_unknown_content_asks_for_a_format(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some words\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the format; pass format= one of jsonl, csv"):
        detect_format(path)
    with pytest.raises(InputError, match="cannot tell the format"):
        read_comments(path)


def test_directories(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a ConvoKit corpus"):
        detect_format(tmp_path)
    with pytest.raises(InputError, match="no files to read"):
        read_comments(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        detect_format(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<rss xmlns:wp="http://wordpress.org/export/1.2/">', "wxr"),
        (b'<?xml version="1.0"?><disqus xmlns="http://disqus.com">', "disqus"),
        (b"<html><body>", None),
        (b'[{"conv_id": "1", "utterances": []}]', "wikitactics"),
        (b"[1, 2, 3]", None),
        (b'{"id": "a", "reply_to": null, "conversation_id": "a", "text": ""}', "convokit"),
        (b'{"id": "a", "body": "x", "link_id": "t3_b", "parent_id": "t3_b"}', "reddit"),
        (b'{"id": "a", "text": "x"}\n{"trunc', "jsonl"),
        (b'{"id": "a", "text": "this first line was cut', None),
        (b"id,text\n", None),
    ],
)
def test_sniff(head: bytes, expected: str | None) -> None:
    assert sniff(head) == expected


def test_every_format_has_a_reader() -> None:
    assert tuple(_READERS) == FORMATS


def test_public_surface() -> None:
    assert formats.__all__ == sorted(formats.__all__, key=lambda name: (not name.isupper(), name))
    for name in formats.__all__:
        assert getattr(formats, name) is not None
    assert set(formats.__all__) == {
        "FORMATS",
        "CommentStream",
        "Thread",
        "build_threads",
        "detect_format",
        "html_to_text",
        "read_comments",
    }
