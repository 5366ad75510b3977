"""Real headless Chromium: the widget on another site, the self-check, moderation, XSS.

Screenshots go to /tmp/steelman-screens/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from serverkit import CHROMIUM, CHROMIUM_ARGS, HostPage, ServerProcess, free_port

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(
        f"needs Debian's chromium at {CHROMIUM} (make install-chromium)", allow_module_level=True
    )

SHOTS = Path("/tmp/steelman-screens")
MOD = ("mod", "correct horse battery")
URI = "https://blog.example/trams"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, HostPage]]:
    SHOTS.mkdir(exist_ok=True)
    db = tmp_path_factory.mktemp("browser") / "c.db"
    host_port = free_port()
    env = {
        "STEELMAN_CORS_ORIGINS": f"http://127.0.0.1:{host_port}",
        "STEELMAN_RATE_POST_PER_MINUTE": "1000",
    }
    server = ServerProcess(f"sqlite:///{db}", *MOD, env=env).start()
    host = HostPage(server.url, URI, host_port)
    try:
        with host:
            yield server, host
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _watch(page: Any) -> list[str]:
    """Record dialogs and page errors (an XSS payload that runs would show up here)."""
    seen: list[str] = []
    page.on("dialog", lambda d: (seen.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: seen.append(f"error: {e}"))
    return seen


def test_author_self_check_edit_post_and_moderation(
    stack: tuple[ServerProcess, HostPage], browser: Any
) -> None:
    server, host = stack
    author = browser.new_page(viewport={"width": 900, "height": 900})
    problems = _watch(author)
    author.goto(host.url)
    author.wait_for_selector(".sm-form textarea")
    form = author.locator(".steelman > .sm-form")
    form.locator("textarea").fill("You idiot, buses are obviously better.")
    form.locator(".sm-name").fill("Ann")
    form.locator(".sm-submit").click()
    nudge = author.locator(".sm-nudge")
    nudge.wait_for()
    assert "DH0 Name-calling" in nudge.locator(".sm-level").inner_text()
    assert nudge.locator("mark").first.inner_text() == "idiot"
    assert "Drop the insult" in nudge.locator(".sm-suggestion").inner_text()
    author.screenshot(path=str(SHOTS / "1-nudge.png"), full_page=True)

    nudge.locator(".sm-edit").click()  # the author chooses to edit
    form.locator("textarea").fill("No, because buses can change routes when the town grows.")
    form.locator(".sm-submit").click()
    author.wait_for_selector(".sm-comment.sm-published")
    assert "change routes" in author.locator(".sm-comment").first.inner_text()
    author.screenshot(path=str(SHOTS / "2-posted.png"), full_page=True)

    # a reply below the line, posted anyway: held for a moderator, visible to its author only
    author.locator(".sm-reply").first.click()
    reply = author.locator(".sm-slot .sm-form")
    reply.locator("textarea").fill("Wow, no need to be so smug about it.")
    reply.locator(".sm-submit").click()
    author.locator(".sm-slot .sm-nudge .sm-anyway").click()
    author.wait_for_selector(".sm-comment.sm-pending")
    assert "waiting for a moderator" in author.locator(".sm-pending .sm-own").inner_text()
    author.screenshot(path=str(SHOTS / "3-held.png"), full_page=True)
    public = httpx.get(f"{server.url}/api/threads", params={"uri": URI}).json()["comments"]
    assert [c["status"] for c in public] == ["published"]

    # the moderator rejects it with a reason
    mod = browser.new_page(viewport={"width": 1100, "height": 800})
    mod.goto(f"{server.url}/admin")
    mod.fill("#username", MOD[0])
    mod.fill("#password", MOD[1])
    mod.click("button[type=submit]")
    mod.wait_for_selector(".queue-item")
    assert "smug" in mod.locator(".queue-item mark").all_inner_texts()
    assert "posted after the self-check" in mod.locator(".queue-item").inner_text()
    mod.screenshot(path=str(SHOTS / "4-queue.png"), full_page=True)
    # the keyboard shortcuts: r selects the reason (prefilled with the suggestion), Enter rejects
    mod.keyboard.press("r")
    mod.keyboard.type("Say what in the argument is wrong.")
    mod.keyboard.press("Enter")
    mod.wait_for_selector("text=Nothing is waiting")
    mod.goto(f"{server.url}/admin/audit")
    assert "Say what in the argument is wrong." in mod.inner_text("table")
    mod.screenshot(path=str(SHOTS / "5-audit.png"), full_page=True)

    # the author sees what happened and why
    author.reload()
    author.wait_for_selector(".sm-comment.sm-rejected")
    own = author.locator(".sm-rejected .sm-own").inner_text()
    assert "Say what in the argument is wrong." in own and "moderator" in own
    # and can still edit the published comment within the window
    author.locator(".sm-published .sm-editbtn").first.click()
    edit = author.locator(".sm-published .sm-slot .sm-form")
    edit.locator("textarea").fill(
        "No, because buses can change routes as the town grows; trams cannot."
    )
    edit.locator(".sm-submit").click()
    author.wait_for_selector("text=trams cannot.")
    author.screenshot(path=str(SHOTS / "6-author-view.png"), full_page=True)
    assert problems == []


XSS = [
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=1">',
    "<svg/onload=window.__xss=1>",
    "'><iframe srcdoc='<script>parent.__xss=1</script>'>",
    '<a href="javascript:window.__xss=1">click</a>',
    "<img src=x onerror=alert(1)>",
    "<details open ontoggle=window.__xss=1>",
    "</textarea><script>window.__xss=1</script>",
    "javascript:alert(1)",
    "<body onload=window.__xss=1>",
]


def test_xss_payloads_never_run(stack: tuple[ServerProcess, HostPage], browser: Any) -> None:
    server, host = stack
    with httpx.Client(base_url=server.url) as client:
        for i, payload in enumerate(XSS):
            r = client.post(
                "/api/comments",
                json={
                    "uri": URI,
                    "title": payload,
                    "author": payload[:80],
                    "text": f"{payload} you idiot {i}",
                    "posted_anyway": True,
                },
            )
            assert r.status_code == 201
            client.post(
                "/api/comments",
                json={"uri": URI, "author": payload[:80], "text": f"{payload} no {i}"},
            )
    page = browser.new_page()
    problems = _watch(page)
    page.goto(host.url)
    page.wait_for_selector(f"text={XSS[-1]} no 9")
    page.locator(".sm-reply").first.click()  # render a form inside the payloads too
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    page.screenshot(path=str(SHOTS / "7-xss-widget.png"), full_page=True)
    mod = browser.new_page()
    problems += _watch(mod)
    mod.goto(f"{server.url}/admin/login")
    mod.fill("#username", MOD[0])
    mod.fill("#password", MOD[1])
    mod.click("button[type=submit]")
    mod.wait_for_selector(".queue-item")
    for path in ("/admin", "/admin/threads", "/admin/audit"):
        mod.goto(server.url + path)
        mod.wait_for_timeout(100)
        assert mod.evaluate("window.__xss") is None, path
    judge_page = browser.new_page()
    problems += _watch(judge_page)
    judge_page.goto(server.url + "/")
    judge_page.fill("#text", XSS[1] + " you idiot")
    judge_page.fill("#parent", XSS[0])
    judge_page.click("form[action='/'] button")
    judge_page.wait_for_selector("#result")
    assert judge_page.evaluate("window.__xss") is None
    assert problems == []


def test_judge_page_demo_post_and_thread_report(
    stack: tuple[ServerProcess, HostPage], browser: Any
) -> None:
    server, _ = stack
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems = _watch(page)
    page.goto(server.url + "/")
    page.fill("#parent", "The study found a 12% drop in traffic.")
    page.fill("#text", "You clearly never read the study.")
    page.click("form[action='/'] button")
    page.wait_for_selector("#result")
    assert page.inner_text("#result h2") == "DH1 Ad hominem"
    assert page.inner_text("#result mark") == "You clearly"
    assert page.inner_text(".rung.current").startswith("DH1")
    page.screenshot(path=str(SHOTS / "8-judge-page.png"), full_page=True)
    rows = [
        {"id": "1", "author": "ann", "text": "Trams first, because buses get stuck in traffic."},
        {"id": "2", "parent_id": "1", "author": "bob", "text": "Typical, you people hate drivers."},
        {
            "id": "3",
            "parent_id": "2",
            "author": "ann",
            "text": "You say I hate drivers, but I drive.",
        },
    ]
    page.fill("#pasted", "\n".join(json.dumps(r) for r in rows))
    page.click("form[action='/report'] button")
    page.wait_for_selector("h1")
    assert "bob" in page.inner_text("body")
    page.screenshot(path=str(SHOTS / "9-thread-report.png"), full_page=True)
    page.goto(server.url + "/demo")
    page.wait_for_selector(".sm-form")
    page.screenshot(path=str(SHOTS / "10-demo-post.png"), full_page=True)
    assert problems == []
