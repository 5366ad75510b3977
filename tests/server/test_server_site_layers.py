"""A site layer on the server, on SQLite and PostgreSQL: decisions in, `Adapt now` on the admin
page, the judge naming the layer, the queue ordered by it, rollback in one audited action (the
next judgement, a remembered one too, uses the previous layer), and the CLI over the same site.

The judge is the rule judge plus pooled vectors (a hashed bag of words), so that a layer can learn
a site's words."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from serverkit import MODERATOR, RuleJudge

from steelman.cli import cli
from steelman.server.service import Comments
from steelman.site.decisions import collect

DIM = 32


class PooledRuleJudge(RuleJudge):
    """The rule judge plus ``pooled``: each word hashed into one of :data:`DIM` buckets."""

    def __init__(self) -> None:
        super().__init__()
        self.pooled_calls: list[int] = []

    def pooled(self, texts: list[str]) -> np.ndarray:
        self.pooled_calls.append(len(texts))
        out = np.zeros((len(texts), DIM), np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"[a-z]+", t.lower()):
                out[i, int(hashlib.sha256(w.encode()).hexdigest(), 16) % DIM] += 1.0
        return out


@pytest.fixture
def site_app(tmp_path: Path, database: str) -> Iterator[FastAPI]:
    from steelman.server import create_app, load_settings
    from steelman.server.auth import add_moderator

    settings = load_settings(
        database=database,
        site_layers=str(tmp_path / "layers"),
        rejudge_interval_s=0.0,
    )
    app = create_app(settings, judge=PooledRuleJudge())
    add_moderator(app.state.steelman.store, *MODERATOR)
    yield app
    app.state.steelman.batcher.stop()
    app.state.steelman.store.close()


@pytest.fixture
def site_admin(site_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(site_app) as c:
        r = c.post(
            "/api/admin/login", json=dict(zip(("username", "password"), MODERATOR, strict=True))
        )
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = str(r.json()["csrf"])
        yield c


# This site removes swearing and leaves insults between users up: not what the judge ranks.
SWEARS = ("damn", "crap", "shit")
TOPICS = ("rents", "buses", "bike lanes", "parking", "tram fares", "the bypass", "school runs")
INSULTS = ("you idiot", "what a moron", "stupid take")


def _decide(comments: Comments, n_threads: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    for t in range(n_threads):
        uri = f"https://site.example/post/{t}"
        for k in range(2):
            topic = rng.choice(TOPICS)
            if (t + k) % 2:
                text = f"The {rng.choice(SWEARS)} {topic} plan again, {rng.randint(1, 999)} times."
            else:
                extra = rng.choice(INSULTS) if rng.random() < 0.5 else "because the data says so"
                text = f"No, {topic} got cheaper {rng.randint(1, 999)}%, {extra}."
            c = comments.post(uri=uri, text=text, address=f"198.51.100.{t % 250}")
            if any(w in text for w in SWEARS):
                comments.reject(c.comment.id, "mod", "no swearing here")
            else:
                comments.approve(c.comment.id, "mod")


def test_adapt_switch_judge_queue_and_rollback(site_app: FastAPI, site_admin: TestClient) -> None:
    state = site_app.state.steelman
    _decide(state.comments, 70)
    page = site_admin.post("/admin/site/adapt", data={"switch": "1"})
    assert page.status_code == 200, page.text
    assert "wrote site-1" in page.text and "switched on" in page.text
    assert site_admin.get("/api/admin/site").json()["active"] == "site-1"
    card = (Path(state.settings.site_layers) / "site-1" / "README.md").read_text()
    assert "140 decisions, 70 of them rejections; by kind: approve 70, reject 70" in card
    assert '| ROC-AUC, "a moderator rejects it" | 0.' in card
    assert "How site layers were tested" in card and "| 300 | 0.588" in card

    # the judge names the layer and gives the site's own probability
    swear = state.comments.post(
        uri="https://site.example/new", text="This damn plan again.", address="203.0.113.9"
    ).comment
    insult = state.comments.post(
        uri="https://site.example/new", text="You idiot, the plan works.", address="203.0.113.8"
    ).comment
    assert swear.judgement is not None and insult.judgement is not None
    assert swear.judgement["model"]["site_layer"] == "site-1"
    p_swear = swear.judgement["attributes"]["site_reject"]
    p_insult = insult.judgement["attributes"]["site_reject"]
    assert p_swear > 0.5 > p_insult
    assert insult.judgement["attack"] > swear.judgement["attack"]  # the judge's own view
    assert swear.risk == p_swear  # the queue orders by the site's probability
    r = site_admin.post("/api/v1/judge", json={"text": "What a damn mess."})
    assert r.json()["model"]["site_layer"] == "site-1"

    # the page shows the layer, its figures and the advisor's curve
    page = site_admin.get("/admin/site?load=10")
    assert page.status_code == 200 and "site-1 <b>(on)</b>" in page.text
    assert "<svg" in page.text and "Hold at most" in page.text

    # rollback: one action, audited; the next judgement uses the previous layer (none), also
    # for a text the server has judged (and remembered) under the layer
    assert site_admin.post("/admin/site/rollback", follow_redirects=False).status_code == 303
    r = site_admin.post("/api/v1/judge", json={"text": "Another damn mess."})
    assert "site_layer" not in r.json()["model"]
    again = site_admin.post("/api/v1/judge", json={"text": "What a damn mess."}).json()
    assert "site_layer" not in again["model"]
    later = state.comments.post(
        uri="https://site.example/new", text="Damn, a third plan.", address="203.0.113.7"
    ).comment
    assert later.judgement is not None and "site_reject" not in later.judgement["attributes"]
    actions = [e.action for e in state.store.audit_log(limit=10)]
    assert actions.index("site_layer_rollback") < actions.index("site_layer_switch")
    assert "site_layer_adapt" in actions
    rollback = next(e for e in state.store.audit_log() if e.action == "site_layer_rollback")
    assert rollback.actor == MODERATOR[0]
    assert rollback.detail == {"layer": "", "previous": "site-1"}


def test_adapt_refuses_with_too_few_decisions(site_app: FastAPI, site_admin: TestClient) -> None:
    _decide(site_app.state.steelman.comments, 10)
    page = site_admin.post("/admin/site/adapt", data={"switch": "1"})
    assert "refused: too few decisions: 20" in page.text and "about 80 more" in page.text
    shown = site_admin.get("/api/admin/site").json()
    assert shown["active"] == "" and shown["layers"] == []
    assert shown["history"][0]["action"] == "site_layer_adapt"
    assert shown["history"][0]["accepted"] is False
    assert not (Path(site_app.state.steelman.settings.site_layers) / "site-1").exists()


def test_decisions_leave_out_unkeyed_feedback_and_unstored_text(
    site_app: FastAPI, site_admin: TestClient
) -> None:
    state = site_app.state.steelman
    _decide(state.comments, 3)
    key = state.store.add_feedback_key("forum-1", "h" * 64)
    state.store.add_feedback("Keyed and toxic.", {"TOXICITY": {"summary": 0.9}}, key_id=key.id)
    state.store.add_feedback("Unkeyed.", {"TOXICITY": {"summary": 0.9}})
    praise = {"REASONING_EXPERIMENTAL": {"summary": 0.9}, "INSULT": {"summary": 0.1}}
    state.store.add_feedback("Well argued.", praise, key_id=key.id)
    state.store.add_feedback(
        "Only praise.", {"CURIOSITY_EXPERIMENTAL": {"summary": 1}}, key_id=key.id
    )
    r = site_admin.post(
        "/v1alpha1/comments:analyze",
        json={
            "comment": {"text": "Secret words, not to keep."},
            "requestedAttributes": {"TOXICITY": {}},
            "doNotStore": True,
        },
    )
    assert r.status_code == 200, r.text
    found = collect(state.store)
    texts = [d.text for d in found]
    assert "Keyed and toxic." in texts and "Unkeyed." not in texts
    assert "Secret words, not to keep." not in texts
    kinds = {d.kind for d in found}
    assert kinds == {"approve", "reject", "feedback"}
    feedback = {d.text: d.rejected for d in found if d.kind == "feedback"}
    assert feedback == {"Keyed and toxic.": True, "Well argued.": False}  # praise is no rejection


def test_the_cli_lists_switches_and_rolls_back(site_app: FastAPI, site_admin: TestClient) -> None:
    state = site_app.state.steelman
    _decide(state.comments, 70)
    assert "wrote site-1" in site_admin.post("/admin/site/adapt").text
    args = ["--database", state.settings.database, "--layers", state.settings.site_layers]
    runner = CliRunner()
    out = runner.invoke(cli, ["site-layers", "list", *args])
    assert out.exit_code == 0 and "  site-1  140 decisions" in out.output
    out = runner.invoke(cli, ["site-layers", "switch", *args, "--actor", "owner", "site-1"])
    assert out.exit_code == 0 and "site-1 is on" in out.output, out.output
    assert state.store.audit_log(limit=1)[0].actor == "owner"
    out = runner.invoke(cli, ["site-layers", "advise", *args, "--load", "20"])
    assert out.exit_code == 0 and "hold at" in out.output
    out = runner.invoke(cli, ["site-layers", "rollback", *args])
    assert out.exit_code == 0 and "no site layer" in out.output
    out = runner.invoke(cli, ["site-layers", "rollback", *args])
    assert out.exit_code != 0 and "nothing to roll back" in str(out.exception)
