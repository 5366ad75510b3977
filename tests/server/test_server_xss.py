"""XSS in the server-rendered pages: every payload comes out as text, never as markup.

(The browser test posts the same payloads through the widget and checks none runs.)
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=1">',
    "<svg/onload=window.__xss=1>",
    "'><iframe srcdoc='<script>parent.__xss=1</script>'>",
    '<a href="javascript:window.__xss=1">click</a> you idiot',
    "<style>*{display:none}</style>",
    "{{ 7*7 }} {% raw %}",
]


class _Audit(HTMLParser):
    """Collects the page's text and anything that could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("iframe", "svg", "img", "object", "embed"):
            self.problems.append(tag)
        if tag == "script" and not (values.get("src") or "").startswith("/"):
            self.problems.append("inline script")
        if tag == "style":
            self.problems.append("style element")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"{tag} {name}={value}")
        self.text.extend(v for _, v in attrs if v)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _audit(page: str) -> _Audit:
    parser = _Audit()
    parser.feed(page)
    return parser


@pytest.mark.parametrize("payload", PAYLOADS)
def test_judge_page_shows_payload_as_text(client: TestClient, payload: str) -> None:
    r = client.post("/", data={"text": payload + " no", "parent": payload})
    assert r.status_code == 200
    audit = _audit(r.text)
    assert audit.problems == []
    assert payload in "".join(audit.text)
    assert "49" not in "".join(audit.text)  # no template evaluation of user text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_admin_pages_show_payload_as_text(admin: TestClient, payload: str) -> None:
    r = admin.post(
        "/api/comments",
        json={
            "uri": "https://x.example/" + payload,
            "title": payload,
            "text": payload + " you idiot",
            "author": payload[:80],
        },
    )
    assert r.status_code == 201, r.text
    for page in ("/admin", "/admin/threads", "/admin/audit"):
        audit = _audit(admin.get(page).text)
        assert audit.problems == [], page
    assert payload in "".join(_audit(admin.get("/admin").text).text)


def test_report_page_escapes_uploaded_thread(client: TestClient) -> None:
    import json

    rows = [{"id": str(i), "author": p[:40], "text": p + " no"} for i, p in enumerate(PAYLOADS)]
    pasted = "\n".join(json.dumps(r) for r in rows)
    r = client.post("/report", data={"pasted": pasted, "format": "jsonl"})
    assert r.status_code == 200, r.text
    # the report page has its own inline styles (no script at all) and says so in its CSP
    assert "script-src" not in r.headers["content-security-policy"]
    assert "default-src 'none'" in r.headers["content-security-policy"]
    audit = _audit(r.text)
    assert [p for p in audit.problems if p not in ("style element", "svg")] == []
    assert "<script" not in r.text
