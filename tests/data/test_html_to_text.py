"""HTML comment bodies to plain text."""

from __future__ import annotations

import pytest

from steelman.data.formats import html_to_text


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>One.</p><p>Two.</p>", "One.\n\nTwo."),
        ("Line one<br>line two<br/>line three", "Line one\nline two\nline three"),
        ("Para one.\n\nPara two,\nsame para.", "Para one.\n\nPara two,\nsame para."),
        ("a &amp; b &lt;c&gt; &quot;d&quot; &#8230; &hellip; &#x1F600;", 'a & b <c> "d" … … 😀'),
        ("<b>bold</b> and <a href='x'>link</a>", "bold and link"),
        ("<p>  lots   of\tspace&nbsp;&nbsp;here </p>", "lots of space here"),
        ("<script>alert(1)</script><style>p{}</style>kept", "kept"),
        ("<ul><li>one</li><li>two</li></ul>", "one\n\ntwo"),
        ("<blockquote>quoted</blockquote>reply", "quoted\n\nreply"),
        ("<p>مرحبا <em>بالعالم</em></p><p>你好 🌍</p>", "مرحبا بالعالم\n\n你好 🌍"),
        ("x < y and 3 > 2", "x < y and 3 > 2"),
        ("", ""),
        ("<p></p><p></p><div><p>deep</p></div>", "deep"),
        ("Windows\r\nline ends\r\n\r\nkept", "Windows\nline ends\n\nkept"),
    ],
)
def test_html_to_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text
