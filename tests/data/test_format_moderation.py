"""Readers keep the source's moderation state and where each record was (issue 9, part B)."""

from __future__ import annotations

from pathlib import Path

from steelman.data.comments import Comment
from steelman.data.formats import read_comments
from steelman.server.threads import read_thread_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "formats"


def _by_id(comments: list[Comment]) -> dict[str, Comment]:
    return {c.id: c for c in comments}


def test_wxr_moderation_state_and_lines() -> None:
    c = _by_id(list(read_comments(FIXTURES / "wordpress.xml", format="wxr")))
    assert c["11"].extra.get("moderation") is None  # approved
    assert c["13"].extra["moderation"] == "spam"
    assert c["15"].extra["moderation"] == "pending"
    assert c["11"].line is not None and c["12"].line is not None
    assert c["11"].line < c["12"].line < c["13"].line


def test_wxr_trash_is_trash(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><link>p</link>'
        "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>x</wp:comment_content>"
        "<wp:comment_approved>post-trashed</wp:comment_approved></wp:comment>"
        "<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_content>y</wp:comment_content>"
        "<wp:comment_approved>trash</wp:comment_approved></wp:comment></item></channel></rss>",
        encoding="utf-8",
    )
    assert [c.extra["moderation"] for c in read_comments(path)] == ["trash", "trash"]


def test_disqus_moderation_state() -> None:
    c = _by_id(list(read_comments(FIXTURES / "disqus.xml", format="disqus")))
    assert c["7005"].extra["moderation"] == "spam"
    assert c["7003"].deleted and c["7003"].extra.get("moderation") is None  # a placeholder
    assert c["7001"].extra.get("moderation") is None


def test_jsonl_records_know_their_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": 1, "text": "a"}\n\n{"id": 2, "text": "b"}\n')
    assert [c.line for c in read_comments(path)] == [1, 3]


def test_uploaded_jsonl_without_thread_is_named_after_the_file() -> None:
    data = b'{"id": 1, "text": "a"}\n'
    assert [c.thread for c in read_thread_file(data, filename="march-debate.jsonl")] == [
        "march-debate"
    ]
    assert [c.thread for c in read_thread_file(data, filename="../../etc/x y.jsonl")] == ["x_y"]
    assert [c.thread for c in read_thread_file(data, filename="")] == ["upload"]
