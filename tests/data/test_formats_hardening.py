"""The readers under attack (issue 16): JSON nested too deeply, WordPress statuses and order."""

from __future__ import annotations

from pathlib import Path

import pytest

from steelman.data.formats import read_comments
from steelman.errors import RecordError


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


# Every JSON reader, by name and by sniffing; deep enough for json itself (20,000) and deep
# enough only for what reads the record afterwards (500: cleaning the text, storing extra).
JSON_FILES = [
    ("c.jsonl", "jsonl", '{"id": "1", "text": "x"}\n{"id": "2", "text": "y", "m": %s}\n', 2),
    ("c.jsonl", "auto", '{"id": "2", "text": "y", "m": %s}\n', 1),
    (
        "r.jsonl",
        "reddit",
        '{"id": "a", "parent_id": "t3_p", "link_id": "t3_p", "body": "x",\
 "m": %s}\n',
        1,
    ),
    (
        "utterances.jsonl",
        "convokit",
        '{"id": "a", "conversation_id": "c", "text": "x",\
 "meta": {"m": %s}}\n',
        1,
    ),
    ("w.json", "wikitactics", '[{"conv_id": "c",\n "utterances": [{"text": "x", "m": %s}]}]', 2),
    ("w.json", "auto", '[{"conv_id": "c", "utterances": [\n\n{"text": "x", "m": %s}]}]', 3),
]


@pytest.mark.parametrize("depth", [20000, 500])
@pytest.mark.parametrize(("name", "format", "template", "line"), JSON_FILES)
def test_json_nested_too_deeply_is_a_record_error_with_file_and_line(
    tmp_path: Path, name: str, format: str, template: str, line: int, depth: int
) -> None:
    path = tmp_path / name
    path.write_text(template % _deep(depth), encoding="utf-8")
    with pytest.raises(RecordError, match="nested") as caught:
        list(read_comments(path, format=format))  # was a RecursionError
    assert (caught.value.path, caught.value.line) == (str(path), line)


@pytest.mark.parametrize(("name", "format", "template", "line"), JSON_FILES)
def test_json_nested_a_little_is_read(
    tmp_path: Path, name: str, format: str, template: str, line: int
) -> None:
    path = tmp_path / name
    path.write_text(template % _deep(20), encoding="utf-8")
    assert list(read_comments(path, format=format))


def test_a_record_nested_too_deeply_can_be_skipped(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(f'{{"id": "1", "m": {_deep(900)}, "text": "x"}}\n{{"id": "2", "text": "y"}}\n')
    errors: list[RecordError] = []
    stream = read_comments(path, skip_bad=True, on_error=errors.append)
    assert [c.id for c in stream] == ["2"] and [e.line for e in errors] == [1]


def _wxr(*comments: tuple[str, str, str]) -> str:
    body = "".join(
        f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
        f"<wp:comment_content>Comment {cid}</wp:comment_content>"
        f"<wp:comment_approved>{approved}</wp:comment_approved>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
        for cid, parent, approved in comments
    )
    return (
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>'
        f"<link>https://blog.example/p</link>{body}</item>"
        "<item><link>https://blog.example/q</link>"
        "<wp:comment><wp:comment_id>9</wp:comment_id><wp:comment_content>Other post"
        "</wp:comment_content></wp:comment></item></channel></rss>"
    )


@pytest.mark.parametrize(
    ("approved", "moderation", "deleted"),
    [
        ("1", None, False),
        ("approve", None, False),
        ("APPROVE", None, False),
        ("0", "pending", False),
        ("unapproved", "pending", False),
        ("hold", "pending", False),
        ("Spam", "spam", True),
        ("SPAM", "spam", True),
        ("TRASH", "trash", True),
        ("Post-Trashed", "trash", True),
        (" spam ", "spam", True),
        ("something-new", "pending", False),
    ],
)
def test_wordpress_publishes_only_approved_comments(
    tmp_path: Path, approved: str, moderation: str | None, deleted: bool
) -> None:
    path = tmp_path / "wp.xml"
    path.write_text(_wxr(("1", "0", approved)), encoding="utf-8")
    first = next(iter(read_comments(path, format="wxr")))
    assert first.extra.get("moderation") == moderation  # "Spam", "TRASH"... were published
    assert first.deleted is deleted


def test_a_wordpress_reply_listed_before_its_parent_comes_after_it(tmp_path: Path) -> None:
    path = tmp_path / "wp.xml"
    path.write_text(
        _wxr(("3", "2", "1"), ("2", "1", "1"), ("4", "0", "1"), ("1", "0", "1"), ("5", "8", "1")),
        encoding="utf-8",
    )
    comments = list(read_comments(path, format="auto"))
    order = [c.id for c in comments]
    assert order.index("1") < order.index("2") < order.index("3")  # each parent first
    assert order[-1] == "9"  # the next post's comments still follow, item by item
    assert sorted(order[:-1]) == ["1", "2", "3", "4", "5"]  # an orphan is kept too
    assert {c.id: c.parent_id for c in comments}["5"] == "8"
