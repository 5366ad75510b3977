"""A big Reddit dump streams in constant memory, plain and zstd-compressed."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
import zstandard

from steelman.data.formats import read_comments

SIZE = 50_000_000  # bytes of JSON
PEAK_LIMIT = 4_000_000  # bytes of Python memory while reading all of it
LINE = (
    '{"id": "c%d", "parent_id": "t1_c%d", "link_id": "t3_p%d", "author": "user%d", '
    '"body": "%s", "created_utc": %d, "subreddit": "test", "score": 1}\n'
)
BODY = "Steelman the argument before you answer it, and quote it fairly. " * 30 + "&amp; &gt;"


def _write_dump(path: Path, compress: bool) -> int:
    count = 0
    written = 0
    with open(path, "wb") as raw:
        if compress:
            params = zstandard.ZstdCompressionParameters.from_level(1, window_log=28)
            out = zstandard.ZstdCompressor(compression_params=params).stream_writer(raw)
        else:
            out = raw  # type: ignore[assignment]
        while written < SIZE:
            line = (LINE % (count, count - 1, count // 50, count % 997, BODY, count)).encode()
            out.write(line)
            written += len(line)
            count += 1
        if compress:
            out.flush(zstandard.FLUSH_FRAME)
    return count


@pytest.mark.parametrize("name", ["RC_big.jsonl", "RC_big.zst"])
def test_a_50_mb_dump_streams_in_constant_memory(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    count = _write_dump(path, compress=name.endswith(".zst"))
    seen = 0
    last = None
    tracemalloc.start()
    try:
        for comment in read_comments(path):
            seen += 1
            last = comment
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == count > 10_000
    assert last is not None and last.id == f"c{count - 1}" and last.text.endswith("& >")
    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.1f} MB while streaming {SIZE / 1e6:.0f} MB"


@pytest.mark.parametrize("format", ["wxr", "disqus"])
def test_big_xml_exports_stream_in_constant_memory(tmp_path: Path, format: str) -> None:
    path = tmp_path / f"{format}.xml"
    body = "<p>" + "An argument, stated fairly &amp; answered. " * 20 + "</p>"
    count = 2000
    with open(path, "w", encoding="utf-8") as out:
        if format == "wxr":
            out.write('<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>\n')
            for post in range(count // 100):
                out.write(f"<item><link>https://x.example/{post}</link>\n")
                for i in range(post * 100, post * 100 + 100):
                    out.write(
                        f"<wp:comment><wp:comment_id>{i}</wp:comment_id><wp:comment_content>"
                        f"<![CDATA[{body}]]></wp:comment_content><wp:comment_parent>"
                        f"{i - 1 if i % 100 else 0}</wp:comment_parent></wp:comment>\n"
                    )
                out.write("</item>\n")
            out.write("</channel></rss>\n")
        else:
            out.write(
                '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
            )
            for i in range(count):
                out.write(
                    f'<post dsq:id="{i}"><message><![CDATA[{body}]]></message>'
                    f'<thread dsq:id="{i // 100}"/><author><name>u{i % 7}</name></author></post>\n'
                )
            out.write("</disqus>\n")
    size = path.stat().st_size
    seen = 0
    tracemalloc.start()
    try:
        for comment in read_comments(path):
            seen += 1
            assert comment.text.endswith("& answered.")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == count
    assert size > 1_500_000
    assert peak < size / 5, f"peak {peak / 1e6:.1f} MB while streaming {size / 1e6:.1f} MB"
