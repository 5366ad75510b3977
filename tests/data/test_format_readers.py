"""Every format parsed into the right ids, parents, authors, threads, texts and times."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zstandard

from datakit import shared_data
from steelman.data.comments import Comment
from steelman.data.formats import read_comments
from steelman.data.labelled import wikitactics_parents
from steelman.errors import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "formats"
CSV_COLUMNS = {
    "id": "comment_id",
    "parent_id": "reply_to",
    "author": "user",
    "text": "body",
    "created": "posted",
    "thread": "topic",
}


def rows(comments: list[Comment]) -> list[tuple[str, str | None, str | None, str]]:
    return [(c.id, c.parent_id, c.author, c.thread) for c in comments]


def by_id(comments: list[Comment]) -> dict[str, Comment]:
    return {c.id: c for c in comments}


def test_jsonl() -> None:
    comments = list(read_comments(FIXTURES / "comments.jsonl", format="jsonl"))
    assert rows(comments)[:5] == [
        ("c1", None, "alice", "t1"),
        ("c2", "c1", "بسمة", "t1"),
        ("c3", "c1", "李华", "t1"),
        ("c4", "c2", None, "t1"),
        ("c5", "c4", "bob", "t1"),
    ]
    assert [c.id for c in comments[5:]] == ["101", "102", "103", "104", "105", "101", "106"]
    c = by_id(comments)
    assert c["c1"].created == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert c["c2"].created == datetime(2024, 5, 1, 11, tzinfo=UTC)  # epoch seconds
    assert c["c2"].text == "أنا لا أتفق مع هذا الرأي، وإليك السبب."
    assert c["c3"].text == "我同意你的观点 👍🏽"
    assert c["c4"].deleted and c["c4"].text == ""
    assert c["c1"].extra == {"score": 3}
    assert c["106"].created is None


def test_jsonl_without_thread_uses_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "debate.jsonl"
    path.write_text('{"id": 1, "text": "hi"}\n{"id": 2, "parent_id": 1, "text": "yo"}\n')
    assert rows(list(read_comments(path))) == [
        ("1", None, None, "debate"),
        ("2", "1", None, "debate"),
    ]


def test_csv_with_column_mapping() -> None:
    comments = list(read_comments(FIXTURES / "comments.csv", columns=CSV_COLUMNS))
    assert rows(comments) == [
        ("1", None, "alice", "debate"),
        ("2", "1", "بسمة", "debate"),
        ("3", "1", "李华", "debate"),
        ("4", "9", "carol", "debate"),
    ]
    c = by_id(comments)
    assert c["1"].text == "Top-level comment, with a comma."
    assert c["3"].text == "我同意 👍\nSecond line of the same comment."
    assert c["4"].text == 'She said "no" twice.'
    assert c["2"].created == datetime(2024, 5, 1, 11, tzinfo=UTC)
    assert c["4"].created is None
    assert c["1"].extra == {"score": "4"}


def test_tsv_uses_tabs(tmp_path: Path) -> None:
    path = tmp_path / "replies.tsv"
    path.write_text("id\tparent_id\ttext\nx\t\tone, two\ny\tx\tthree\n", encoding="utf-8")
    comments = list(read_comments(path))
    assert rows(comments) == [("x", None, None, "replies"), ("y", "x", None, "replies")]
    assert comments[0].text == "one, two"


def test_csv_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffid,text\n1,hello\n".encode())
    assert [(c.id, c.text) for c in read_comments(path)] == [("1", "hello")]


@pytest.mark.parametrize("target", ["convokit", "convokit/utterances.jsonl"])
def test_convokit(target: str) -> None:
    comments = list(read_comments(FIXTURES / target))
    assert rows(comments) == [
        ("u1", None, "alice", "u1"),
        ("u2", "u1", "李华", "u1"),
        ("u3", "u2", "بسمة", "u1"),
        ("u4", "u999", "bob", "u4"),
    ]
    c = by_id(comments)
    assert c["u2"].text == "不，应该先改善公共交通。🚋"
    assert c["u1"].created == datetime(2015, 1, 1, tzinfo=UTC)
    assert c["u1"].extra == {"meta": {"score": 10}}
    assert c["u4"].created is None


def test_reddit() -> None:
    comments = list(read_comments(FIXTURES / "reddit.jsonl", format="reddit"))
    assert rows(comments) == [
        ("k1a", None, "alice", "post1"),
        ("k1b", "k1a", None, "post1"),
        ("k1c", "k1b", "李华", "post1"),
        ("k1d", "k1b", "bob", "post1"),
        ("k2a", "notindump", "بسمة", "post2"),
        ("k2b", "k2a", "carol", "post2"),
    ]
    c = by_id(comments)
    assert c["k2b"].text == "Typed entities: > and & and <3"  # as Markdown renders them
    assert c["k1a"].text == (
        "> The map is not the territory.\n\nTrue, but maps & territories differ in <degree>."
    )
    assert [c[i].deleted for i in ("k1a", "k1b", "k1c", "k1d")] == [False, True, False, True]
    assert c["k1b"].text == "" and c["k1d"].text == ""
    assert c["k1b"].created == datetime(2015, 1, 1, 0, 1, 40, tzinfo=UTC)  # "created_utc" as text
    assert c["k1a"].extra == {"subreddit": "changemyview", "score": 12}


def _zst(data: bytes, window_log: int = 28) -> bytes:
    """Compress as the real dumps are: streamed, with a window larger than zstd's default limit."""
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=window_log)
    out = io.BytesIO()
    with zstandard.ZstdCompressor(compression_params=params).stream_writer(out, closefd=False) as w:
        w.write(data)
    return out.getvalue()


def test_reddit_zst_with_a_large_window(tmp_path: Path) -> None:
    data = (FIXTURES / "reddit.jsonl").read_bytes()
    packed = _zst(data)
    with pytest.raises(zstandard.ZstdError):  # what a reader with default limits would hit
        zstandard.ZstdDecompressor().stream_reader(io.BytesIO(packed)).read()
    path = tmp_path / "RC_2015-01.zst"
    path.write_bytes(packed)
    plain = list(read_comments(FIXTURES / "reddit.jsonl"))
    assert list(read_comments(path)) == plain


@pytest.mark.parametrize(
    ("suffix", "compress"), [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)]
)
def test_reddit_compressed_by_the_standard_library(
    tmp_path: Path, suffix: str, compress: Callable[[bytes], bytes]
) -> None:
    path = tmp_path / f"RC_2015-01.jsonl{suffix}"
    path.write_bytes(compress((FIXTURES / "reddit.jsonl").read_bytes()))
    assert list(read_comments(path)) == list(read_comments(FIXTURES / "reddit.jsonl"))


def test_wxr() -> None:
    comments = list(read_comments(FIXTURES / "wordpress.xml", format="wxr"))
    post1 = "https://blog.example.org/2024/05/on-reply-trees/"
    post2 = "https://blog.example.org/2024/06/second/"
    assert rows(comments) == [
        ("11", None, "Alice", post1),
        ("12", "11", "Bob", post1),
        ("13", "11", "Cheap Pills", post1),
        ("14", "13", "Carol", post1),
        ("15", None, "بسمة", post1),
        ("21", None, "李华", post2),
        ("22", None, "Other Blog", post2),
    ]
    c = by_id(comments)
    assert c["11"].text == "First paragraph.\n\nSecond paragraph with bold & an a link."
    assert c["12"].text == "I disagree.\n\nLine one\nline two <3"
    assert c["13"].deleted and c["13"].text == "" and c["13"].extra["approved"] == "spam"
    assert c["15"].created is None and c["15"].extra["approved"] == "0"
    assert c["15"].text == "تعليق في انتظار الموافقة"
    assert c["21"].text == "写得好 🎉"
    assert c["22"].extra["type"] == "pingback" and c["22"].text == "[…] they wrote about this […]"
    assert c["12"].created == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)


def test_wxr_without_links_uses_the_post_id(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(
        '<rss xmlns:wp="http://wordpress.org/export/1.1/"><channel><item>'
        "<wp:post_id>7</wp:post_id><wp:comment><wp:comment_id>1</wp:comment_id>"
        "<wp:comment_content>hi</wp:comment_content></wp:comment></item></channel></rss>",
        encoding="utf-8",
    )
    assert rows(list(read_comments(path))) == [("1", None, None, "7")]


def test_disqus() -> None:
    comments = list(read_comments(FIXTURES / "disqus.xml", format="disqus"))
    assert rows(comments) == [
        ("7001", None, "Alice", "5001"),
        ("7002", "7001", "Bob", "5001"),
        ("7003", "7001", "Carol", "5001"),
        ("7004", "7003", "Dan", "5001"),
        ("7005", None, "Spammer", "5001"),
        ("7006", None, "بسمة", "5002"),
        ("7007", "7006", "李华", "5002"),
    ]
    c = by_id(comments)
    assert c["7001"].text == "Top-level comment.\n\nSecond paragraph & more."
    assert c["7002"].text == "A reply.\nOn two lines, with style."
    assert c["7003"].deleted and c["7003"].text == ""
    assert c["7005"].deleted and c["7005"].extra["spam"] is True
    assert c["7007"].text == "我不同意 🙅"
    assert c["7006"].extra["thread_title"] == "مقالة ثانية"
    assert c["7001"].extra["thread_link"] == "https://blog.example.org/on-trees/"
    assert c["7001"].created == datetime(2024, 5, 1, 10, tzinfo=UTC)


def test_wikitactics() -> None:
    comments = list(read_comments(FIXTURES / "wikitactics.json", format="wikitactics"))
    a, b = "1001.1.1", "1002.7.7"
    assert rows(comments) == [
        (f"{a}/0", None, "Ann", a),
        (f"{a}/1", f"{a}/0", "Ben", a),
        (f"{a}/2", f"{a}/1", "Ann", a),
        (f"{a}/3", f"{a}/1", "Ann", a),  # Ann again: answers Ben, the latest other speaker
        (f"{a}/4", f"{a}/3", "Chen", a),
        (f"{b}/0", None, "Basma", b),
        (f"{b}/1", f"{b}/0", "Basma", b),  # nobody else spoke: the one just before
    ]
    assert [c.extra["escalation_label"] for c in comments] == [1, 1, 1, 1, 1, 0, 0]
    assert comments[4].text == "你总是这样 🙄"
    assert comments[1].extra["rebuttal_labels"] == ["DH6: Counterargument with evidence"]


def test_real_wikitactics_file() -> None:
    REAL_WIKITACTICS = shared_data("wikitactics/val.json")
    conversations = json.loads(REAL_WIKITACTICS.read_text(encoding="utf-8"))
    comments = list(read_comments(REAL_WIKITACTICS))
    assert len(comments) == sum(len(c["utterances"]) for c in conversations)
    first = conversations[0]
    mine = [c for c in comments if c.thread == str(first["conv_id"])]
    expected = [
        None if p is None else f"{first['conv_id']}/{p}"
        for p in wikitactics_parents(first["utterances"])
    ]
    assert [c.parent_id for c in mine] == expected
    assert all(c.extra["escalation_label"] == first["escalation_label"] for c in mine)
    assert {c.thread for c in comments} == {str(c["conv_id"]) for c in conversations}


def test_directory_of_files_in_name_order(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "reddit.jsonl", tmp_path / "b_reddit.jsonl")
    shutil.copy(FIXTURES / "comments.jsonl", tmp_path / "a_comments.jsonl")
    (tmp_path / ".notes").write_text("hidden files are not read")
    expected = list(read_comments(FIXTURES / "comments.jsonl")) + list(
        read_comments(FIXTURES / "reddit.jsonl")
    )
    assert [c.id for c in read_comments(tmp_path)] == [c.id for c in expected]


def test_options_are_checked_per_file_of_a_directory(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "comments.csv", tmp_path / "a.csv")
    shutil.copy(FIXTURES / "reddit.jsonl", tmp_path / "b.jsonl")
    with pytest.raises(InputError, match=r"unknown option.*columns.*'reddit'"):
        read_comments(tmp_path, columns=CSV_COLUMNS)


def test_closing_a_stream_early(tmp_path: Path) -> None:
    with read_comments(FIXTURES / "reddit.jsonl") as stream:
        first = next(stream)
    assert first.id == "k1a"
    assert list(stream) == []
