"""Test helpers for the server: a rule-based judge, judges that fail, a uvicorn process."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from steelman.errors import TextError
from steelman.judge.result import Evidence, Judgement
from steelman.levels import LEVELS, level

HERE = Path(__file__).parent

# (pattern, level, reason): the first level found wins; the words become the evidence.
RULES: tuple[tuple[str, str, str], ...] = (
    (r"\b(idiot|moron|nonsense|car-brain|stupid)\b", "DH0", "an insult"),
    (r"\b(you people|typical|you clearly|shill|liar)\b", "DH1", "about the person"),
    (r"\b(smug|tone|rude|no need to be)\b", "DH2", "about the tone"),
    (r"\b(the central point|your point rests on)\b", "DH6", "aims at the central point"),
    (r"\b(you say|you wrote)\b", "DH5", "quotes and refutes"),
    (r"\b(because|study|studies|data|\d+%)", "DH4", "gives a reason"),
    (r"\b(no|wrong|disagree|only works)\b", "DH3", "states the opposite"),
)

# (pattern, head): words the rule judge's "toxic-span head" marks, and the head they raise.
TOXIC_WORDS: tuple[tuple[str, str], ...] = (
    (r"\b(kill|hurt|burn down)\b", "threat"),
    (r"\b(damn|crap|shit)\b", "profanity"),
    (r"\b(you people|those people)\b", "identity_attack"),
)

# Measured figures in the shape of a model's config.json ``metrics`` (the docs page shows them).
FAKE_METRICS: dict[str, Any] = {
    "dev": {
        "roc_auc": {
            head: {
                "reddit-test": {"roc_auc": 0.9123 + i / 1000, "n": 100 + i, "positives": 40},
                "news-test": {"roc_auc": 0.9012 + i / 1000, "n": 80 + i, "positives": 30},
            }
            for i, head in enumerate(
                (
                    "toxicity",
                    "insult",
                    "identity_attack",
                    "threat",
                    "profanity",
                    "attack",
                    "disagreement",
                    "reasons",
                )
            )
        },
        "acts": {"per_act_f1": {"question": 0.6543}, "macro_f1": 0.5, "n": 300},
        "spans": {"span_head_f1": 0.4321, "evidence_f1": 0.3456, "n": 250},
    }
}


class FakeModel:
    """What the server reads of a real judge's model: its measured figures."""

    def __init__(self, metrics: dict[str, Any]) -> None:
        self.metrics = metrics


class RuleJudge:
    """A deterministic stand-in for :class:`steelman.judge.Judge` (same contract, no model)."""

    info: ClassVar[dict[str, str]] = {"name": "rule-judge", "version": "test"}

    def __init__(self, metrics: dict[str, Any] | None = None) -> None:
        self.calls: list[int] = []  # the size of every judge_batch call
        self._lock = threading.Lock()
        self.model = FakeModel(FAKE_METRICS if metrics is None else metrics)

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        if len(texts) != len(parents):
            raise ValueError("texts and parents differ in length")
        with self._lock:
            self.calls.append(len(texts))
        return [self.judge(t) for t in texts]

    def __call__(self, text: str, parent: str | None = None) -> Judgement:
        return self.judge_batch([text], [parent])[0]

    def judge(self, text: str) -> Judgement:
        if not text.strip():
            raise TextError("empty reply")
        code: str | None = None
        because: list[Evidence] = []
        for pattern, lv, reason in RULES:
            found = list(re.finditer(pattern, text, re.IGNORECASE))
            if found and code is None:
                code = lv
            for m in found:
                if lv == code:
                    because.append(Evidence(m.start(), m.end(), m.group(0), reason, lv))
        question = text.rstrip().endswith("?") and code is None
        top = code or "DH3"
        scores = {lv.code: (0.7 if lv.code == top else 0.05) for lv in LEVELS}
        attack = scores["DH0"] + scores["DH1"] if code else 0.02
        heads = {"insult": 0.9 if code == "DH0" else 0.05, "identity_attack": 0.03}
        heads |= {"threat": 0.02, "profanity": 0.04}
        for pattern, head in TOXIC_WORDS:
            for m in re.finditer(pattern, text, re.IGNORECASE):
                heads[head] = 0.85
                because.append(
                    Evidence(m.start(), m.end(), m.group(0), "abuse (toxic-span head)", "toxicity")
                )
        base = {"DH0": 0.9, "DH1": 0.35}.get(code or "", 0.05)
        heads["toxicity"] = max(base, *(heads[h] for _, h in TOXIC_WORDS))
        heads["reasons"] = 0.8 if code in ("DH4", "DH5", "DH6") else 0.1
        if question:
            because.append(
                Evidence(len(text.rstrip()) - 1, len(text.rstrip()), "?", "asks", "question")
            )
        return Judgement(
            level=code,
            scores=scores,
            disagreement=0.9 if code else 0.1,
            attack=attack if code else 0.02,
            acts={"question": 0.9 if question else 0.05},
            because=tuple(because),
            suggestion=level(top).climb if code else "Asking is good: listen to the answer.",
            model=dict(self.info),
            top_level=top,
            attributes=heads,
        )


class BrokenJudge(RuleJudge):
    """Raises on every call until ``fixed`` is set (a judge that is down)."""

    def __init__(self) -> None:
        super().__init__()
        self.fixed = False

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        if not self.fixed:
            raise RuntimeError("the model file is corrupt")
        return super().judge_batch(texts, parents)


class SlowJudge(RuleJudge):
    """Answers after ``delay`` seconds (a judge that times out)."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        time.sleep(self.delay)
        return super().judge_batch(texts, parents)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """``tests/server/serve_rules.py`` under uvicorn in a child process, on a free port."""

    def __init__(self, database: str, *extra: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [sys.executable, str(HERE / "serve_rules.py"), database, str(self.port), *extra]
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        self.proc = subprocess.Popen(self.args, env=self.env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"server exited with {self.proc.returncode}: {err}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()


class ThreadedServer:
    """An app under uvicorn in a thread of this process, for clients that need a real socket."""

    def __init__(self, app: object) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class HostPage:
    """Somebody's blog on another origin: a page with the two lines of the widget."""

    def __init__(self, steelman_url: str, uri: str, port: int = 0) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        page = f"""<!doctype html><html><head><meta charset="utf-8"><title>A blog post</title>
</head><body style="font-family: Georgia, serif; max-width: 46rem; margin: 2rem auto">
<h1>Trams or buses?</h1><p>Our town is choosing between a tram line and more buses.</p>
<div id="steelman-thread"></div>
<script src="{steelman_url}/embed.js" data-steelman="{steelman_url}"
        data-steelman-uri="{uri}"></script>
</body></html>""".encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/post"
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> HostPage:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
MODERATOR = ("mod", "correct horse battery")


_DATABASE: list[str] = []  # the current test's database (see conftest's ``database``)
_APPS: list[FastAPI] = []  # the apps made in it, closed at its end


@contextmanager
def using_database(url: str) -> Iterator[None]:
    """Make :func:`make_app` use ``url``, and close the apps it made when the block ends."""
    _DATABASE.append(url)
    try:
        yield
    finally:
        _DATABASE.pop()
        while _APPS:
            state = _APPS.pop().state.steelman
            state.batcher.stop()
            state.store.close()


def make_app(tmp_path: Path, judge: Any = None, **overrides: Any) -> FastAPI:
    """The app with the rule judge and one moderator, on this test's database (SQLite or
    PostgreSQL, see conftest), or a SQLite file in ``tmp_path`` outside the server tests."""
    from steelman.server import create_app, load_settings
    from steelman.server.auth import add_moderator

    overrides.setdefault("rejudge_interval_s", 0.0)
    url = _DATABASE[-1] if _DATABASE else f"sqlite:///{tmp_path / 'comments.db'}"
    settings = load_settings(database=url, **overrides)
    app = create_app(settings, judge=judge or RuleJudge())
    _APPS.append(app)
    add_moderator(app.state.steelman.store, *MODERATOR)
    return app


def login(client: TestClient) -> str:
    """Log the client in as the moderator; return the CSRF token."""
    r = client.post(
        "/api/admin/login", json=dict(zip(("username", "password"), MODERATOR, strict=True))
    )
    assert r.status_code == 200, r.text
    return str(r.json()["csrf"])
