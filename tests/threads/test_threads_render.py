"""The report drawn: self-contained, escaped HTML; a valid PNG; the terminal summary."""

from __future__ import annotations

import re
import struct
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rich.console import Console
from threadkit import KeywordJudge, make_thread

from steelman.data.formats import Thread
from steelman.errors import MissingDependency
from steelman.threads import (
    EscalationModel,
    ThreadReport,
    analyse_thread,
    render_html,
    render_png,
    render_terminal,
)

SCRIPT = "<script>alert('x')</script>"
AUTHOR = "<img src=x onerror=alert(1)>"


@pytest.fixture
def hostile(keyword_judge: KeywordJudge, tiny_model: EscalationModel) -> ThreadReport:
    thread = make_thread(
        [
            ("a", None, "ann", "See https://example.com/evil.js for the figures."),
            ("b", "a", AUTHOR, f"You idiot. {SCRIPT}"),
            ("c", "b", "[bold]ann[/bold]", "No, because the audit says so."),
        ],
        thread="t<1>",
    )
    return analyse_thread(thread, keyword_judge, tiny_model)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)


def test_html_is_self_contained(hostile: ThreadReport) -> None:
    page = render_html(hostile)
    assert page.startswith("<!DOCTYPE html>")
    parsed = _Tags()
    parsed.feed(page)
    assert not parsed.tags & {"script", "link", "img", "iframe", "object", "embed", "image"}
    assert not parsed.attrs & {"src", "href", "xlink:href", "action", "srcset", "onerror"}
    assert "url(" not in page and "@import" not in page
    assert not re.search(r"https?://(?!example\.com/evil\.js)", page)  # only the user's text


def test_html_escapes_user_text(hostile: ThreadReport) -> None:
    page = render_html(hostile)
    assert SCRIPT not in page and AUTHOR not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Thread t&lt;1&gt;" in page
    assert "What the judge pointed at: &ldquo;idiot. &lt;script&gt;" in page
    assert "Drop the insult" in page  # how to climb from DH0


def test_html_shows_pyramid_legend_turning_point_and_risk(hostile: ThreadReport) -> None:
    page = render_html(hostile)
    for words in (
        "Calls the other person names",
        "Shows the main point",
        "legend",
        "turning point: reply #1",
        "turns to personal attacks",
        "<svg",
    ):
        assert words in page
    assert page.count("<polygon") == 7


def test_png_is_a_valid_png(hostile: ThreadReport, tmp_path: Path) -> None:
    out = render_png(hostile, tmp_path / "pyramid.png")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1600, 1020)
    assert data[-8:-4] == b"IEND"
    from PIL import Image

    with Image.open(out) as img:
        img.verify()
    assert [p.name for p in tmp_path.iterdir()] == ["pyramid.png"]


def test_terminal_summary_prints_names_literally(hostile: ThreadReport) -> None:
    console = Console(record=True, width=140, color_system=None)
    console.print(render_terminal(hostile))
    text = console.export_text()
    assert "[bold]ann[/bold]" in text  # not read as rich markup
    assert "turning point: reply #1" in text
    assert "Escalation risk" in text
    assert "Name-calling" in text and "Refuting the central point" in text


def test_an_empty_thread_still_renders(keyword_judge: KeywordJudge, tmp_path: Path) -> None:
    report = analyse_thread(Thread("empty", []), keyword_judge, risk=False)
    assert "Nobody fell to name-calling" in render_html(report)
    render_png(report, tmp_path / "e.png")
    Console(record=True).print(render_terminal(report))


def test_png_without_pillow_names_the_extra(
    hostile: ThreadReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(MissingDependency, match=r"steelman\[png\]"):
        render_png(hostile, tmp_path / "p.png")
    assert list(tmp_path.iterdir()) == []


def test_html_lists_tree_repairs_escaped(keyword_judge: KeywordJudge) -> None:
    thread = make_thread([("a", None, "x", "Steel."), ("b", "<gone>", "y", "No, because rust.")])
    page = render_html(analyse_thread(thread, keyword_judge, risk=False))
    assert "needed repairs" in page and "&#x27;&lt;gone&gt;&#x27;" in page
