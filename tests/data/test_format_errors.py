"""Bad records: the error names the file, the line (or record) and the field; skip_bad goes on."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path
from typing import Any

import pytest
import zstandard

from steelman.data.formats import read_comments
from steelman.errors import InputError, RecordError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "formats"
CSV_COLUMNS = {"id": "comment_id", "parent_id": "reply_to", "author": "user", "text": "body"}
CSV_COLUMNS_WITH_TIME = {**CSV_COLUMNS, "created": "posted"}

# fixture, options, then the first error: line, field, words of the message; then ids read and
# errors skipped with skip_bad=True.
BAD = [
    (
        "bad.jsonl",
        {},
        2,
        "text",
        "missing field 'text'; fields seen: author, body, id, parent_id",
        ["a1", "a3"],
        3,
    ),
    ("bad.csv", {"columns": CSV_COLUMNS_WITH_TIME}, 3, None, "row has 6 values", ["1", "4"], 2),
    ("reddit_bad.jsonl", {}, 2, "body", "missing field 'body'", ["k1a", "k1c"], 1),
    ("convokit_bad", {}, 2, "conversation_id", "fields seen: id, reply_to", ["u1"], 1),
    ("wordpress_bad.xml", {}, 11, "wp:comment_id", "missing field 'wp:comment_id'", ["1", "3"], 1),
    ("disqus_bad.xml", {}, 13, "thread", "missing field 'thread'", ["7001", "7003"], 1),
    (
        "wikitactics_bad.json",
        {},
        None,
        "text",
        "conversation 0 ('1'), utterance 1",
        ["1/0", "1/2"],
        2,
    ),
]


@pytest.mark.parametrize(("name", "options", "line", "field", "words", "ids", "skipped"), BAD)
def test_a_bad_record_stops_the_read(
    name: str,
    options: dict[str, Any],
    line: int | None,
    field: str | None,
    words: str,
    ids: list[str],
    skipped: int,
) -> None:
    with pytest.raises(RecordError) as caught:
        list(read_comments(FIXTURES / name, **options))
    error = caught.value
    assert error.line == line
    assert error.field == field
    assert words in str(error)
    assert str(FIXTURES / name) in str(error)  # the file, in the one-line message
    if line is not None:
        assert f"line {line}" in str(error)


@pytest.mark.parametrize(("name", "options", "line", "field", "words", "ids", "skipped"), BAD)
def test_skip_bad_reports_and_goes_on(
    name: str,
    options: dict[str, Any],
    line: int | None,
    field: str | None,
    words: str,
    ids: list[str],
    skipped: int,
) -> None:
    seen: list[RecordError] = []
    stream = read_comments(FIXTURES / name, skip_bad=True, on_error=seen.append, **options)
    assert [c.id for c in stream] == ids
    assert stream.skipped == skipped == len(seen)
    assert seen[0].line == line and seen[0].field == field


def test_skip_bad_without_a_callback_logs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="steelman.data.formats.reader"):
        stream = read_comments(FIXTURES / "reddit_bad.jsonl", skip_bad=True)
        assert len(list(stream)) == 2
    assert stream.skipped == 1
    assert "line 2" in caplog.text and "body" in caplog.text


def test_later_errors_in_bad_jsonl() -> None:
    seen: list[RecordError] = []
    list(read_comments(FIXTURES / "bad.jsonl", skip_bad=True, on_error=seen.append))
    assert [(e.line, e.field) for e in seen] == [(2, "text"), (4, None), (5, "created")]
    assert "not valid JSON" in str(seen[1])
    assert "'yesterday'" in str(seen[2])


def test_csv_bad_time_names_line_and_field() -> None:
    seen: list[RecordError] = []
    stream = read_comments(
        FIXTURES / "bad.csv", columns=CSV_COLUMNS_WITH_TIME, skip_bad=True, on_error=seen.append
    )
    assert [c.id for c in stream] == ["1", "4"]
    assert [(e.line, e.field) for e in seen] == [(3, None), (4, "created")]


INVALID = "caf\xe9".encode("latin-1")  # "café" in Latin-1: not UTF-8


def test_invalid_utf8_in_jsonl_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"id": 1, "text": "ok"}\n{"id": 2, "text": "' + INVALID + b'"}\n{"id": 3, "text": "ok"}\n'
    )
    with pytest.raises(RecordError, match="line 2: invalid UTF-8") as caught:
        list(read_comments(path))
    assert isinstance(caught.value.__cause__, UnicodeDecodeError)
    stream = read_comments(path, skip_bad=True, on_error=lambda e: None)
    assert [c.id for c in stream] == ["1", "3"] and stream.skipped == 1


def test_invalid_utf8_in_a_multiline_csv_row(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b'id,text\n1,"first\nsecond"\n2,"one\n' + INVALID + b'"\n3,fine\n')
    seen: list[RecordError] = []
    stream = read_comments(path, skip_bad=True, on_error=seen.append)
    assert [(c.id, c.text) for c in stream] == [("1", "first\nsecond"), ("3", "fine")]
    assert [e.line for e in seen] == [5]
    assert "invalid UTF-8" in str(seen[0])


def test_invalid_utf8_inside_a_zst_dump(tmp_path: Path) -> None:
    good = b'{"id": "a", "parent_id": "t3_p", "link_id": "t3_p", "body": "ok"}\n'
    bad = b'{"id": "b", "parent_id": "t3_p", "link_id": "t3_p", "body": "' + INVALID + b'"}\n'
    path = tmp_path / "RC_mixed.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(good + bad + good.replace(b'"a"', b'"c"')))
    with pytest.raises(RecordError, match="line 2: invalid UTF-8"):
        list(read_comments(path, format="reddit"))


def test_a_truncated_archive_cannot_be_skipped(tmp_path: Path) -> None:
    lines = b"".join(
        b'{"id": "%d", "parent_id": "t3_p", "link_id": "t3_p", "body": "text %d"}\n' % (i, i)
        for i in range(2000)
    )
    path = tmp_path / "RC_cut.gz"
    path.write_bytes(gzip.compress(lines)[:-2000])
    with pytest.raises(RecordError, match=r"cannot decompress.*truncated or corrupt"):
        list(read_comments(path, format="reddit", skip_bad=True))


def test_broken_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    text = (FIXTURES / "disqus.xml").read_text(encoding="utf-8").replace("</post>", "</pots>", 2)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RecordError, match="not well-formed XML") as caught:
        list(read_comments(path, skip_bad=True))
    expected = text.splitlines().index("  </pots>") + 1
    assert caught.value.line == expected


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:comment>
<wp:comment_id>1</wp:comment_id><wp:comment_content>&lol3;</wp:comment_content>
</wp:comment></item></channel></rss>
"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE disqus [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<disqus xmlns="http://disqus.com"><post><message>&secret;</message></post></disqus>
"""


@pytest.mark.parametrize(("text", "format", "line"), [(BOMB, "wxr", 3), (EXTERNAL, "disqus", 2)])
def test_entities_are_refused(tmp_path: Path, text: str, format: str, line: int) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RecordError, match="declares XML entities or external refer") as caught:
        list(read_comments(path, format=format, skip_bad=True))
    assert caught.value.line == line


def test_a_bare_doctype_is_harmless(tmp_path: Path) -> None:
    path = tmp_path / "doctype.xml"
    text = (FIXTURES / "disqus.xml").read_text(encoding="utf-8")
    path.write_text(text.replace("?>\n", "?>\n<!DOCTYPE disqus>\n", 1), encoding="utf-8")
    assert len(list(read_comments(path))) == 7


def test_invalid_utf8_in_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.xml"
    data = (FIXTURES / "wordpress_bad.xml").read_bytes()
    path.write_bytes(data.replace(b"Fine again.", INVALID))
    with pytest.raises(RecordError, match="not well-formed XML") as caught:
        list(read_comments(path, skip_bad=True, on_error=lambda e: None))
    assert caught.value.line == 18


def test_the_wrong_xml_root_is_refused() -> None:
    with pytest.raises(RecordError, match=r"not a WordPress export.*<disqus>"):
        list(read_comments(FIXTURES / "disqus.xml", format="wxr"))
    with pytest.raises(RecordError, match=r"not a Disqus export.*<rss>"):
        list(read_comments(FIXTURES / "wordpress.xml", format="disqus"))


def test_unknown_format_suggests_one() -> None:
    with pytest.raises(InputError, match="unknown format 'redit'; did you mean 'reddit'"):
        read_comments(FIXTURES / "reddit.jsonl", format="redit")


def test_unknown_option_is_refused_at_once() -> None:
    with pytest.raises(
        InputError, match=r"unknown option.*colums.*'csv'; it takes columns, delimiter"
    ):
        read_comments(FIXTURES / "comments.csv", colums=CSV_COLUMNS)
    with pytest.raises(InputError, match="it takes none"):
        read_comments(FIXTURES / "reddit.jsonl", columns=CSV_COLUMNS)


def test_unknown_csv_field_is_refused() -> None:
    with pytest.raises(InputError, match=r"unknown field.*body"):
        read_comments(FIXTURES / "comments.csv", columns={"body": "body"})


def test_csv_without_a_text_column_says_how_to_map_it() -> None:
    with pytest.raises(
        RecordError, match=r"no column 'text' for field 'text'.*map it with columns"
    ) as caught:
        list(read_comments(FIXTURES / "comments.csv", columns={"id": "comment_id"}))
    assert (caught.value.line, caught.value.field) == (1, "text")


def test_missing_path() -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        read_comments(FIXTURES / "nope.jsonl")


def test_invalid_utf8_in_wikitactics_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_bytes(b'[\n{"conv_id": "1",\n "utterances": [{"text": "' + INVALID + b'"}]}\n]')
    with pytest.raises(RecordError, match="line 3: invalid UTF-8"):
        list(read_comments(path, format="wikitactics"))


def test_wikitactics_that_is_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text('{"conv_id": 1}', encoding="utf-8")
    with pytest.raises(RecordError, match="expected a JSON list of conversations"):
        list(read_comments(path, format="wikitactics"))


def test_record_errors_are_input_errors() -> None:
    with pytest.raises(ValueError):
        list(read_comments(FIXTURES / "reddit_bad.jsonl"))
