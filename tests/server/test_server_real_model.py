"""The server with the bundled model: the judge API, the Perspective drop-in, ``serve --demo``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from serverkit import free_port

from steelman.server import create_app, load_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_app(tmp_path_factory: pytest.TempPathFactory, judge: Any) -> Iterator[FastAPI]:
    """The app with the bundled model (the session's ``judge`` fixture, loaded once)."""
    db = tmp_path_factory.mktemp("real") / "c.db"
    app = create_app(load_settings(database=f"sqlite:///{db}", rejudge_interval_s=0.0), judge=judge)
    yield app
    app.state.steelman.batcher.stop()
    app.state.steelman.store.close()


def test_real_judge_spans_point_into_the_reply(real_app: FastAPI) -> None:
    text = "You clearly never read the article, you idiot."
    with TestClient(real_app) as client:
        body = client.post(
            "/api/v1/judge", json={"text": text, "parent": "The study found a 12% drop."}
        ).json()
        assert body["level"] in {f"DH{i}" for i in range(7)} | {None}
        assert body["model"]["name"] and body["suggestion"]
        for span in body["because"]:
            assert text[span["start"] : span["end"]] == span["text"]
        results = client.post(
            "/api/v1/judge:batch",
            json={"items": [{"text": text}, {"text": "Could you share the source?"}]},
        ).json()["results"]
        assert len(results) == 2


def test_real_perspective_ranks_an_insult_above_a_question(real_app: FastAPI) -> None:
    def attack(text: str) -> float:
        body = {"comment": {"text": text}, "requestedAttributes": {"ATTACK_ON_COMMENTER": {}}}
        r = client.post("/v1alpha1/comments:analyze", json=body)
        return float(r.json()["attributeScores"]["ATTACK_ON_COMMENTER"]["summaryScore"]["value"])

    with TestClient(real_app) as client:
        assert attack("You are an idiot and a liar.") > attack(
            "Could you share where the 12% comes from?"
        )


def test_real_perspective_answers_toxicity_and_the_production_set(real_app: FastAPI) -> None:
    """The production attributes whose measured figures clear the floor are served;
    IDENTITY_ATTACK (0.763 on average), THREAT and PROFANITY (one community each) are not."""
    names = (
        "TOXICITY",
        "SEVERE_TOXICITY",
        "INSULT",
        "ATTACK_ON_COMMENTER",
        "ATTACK_ON_AUTHOR",
    )

    def scores(text: str) -> dict[str, Any]:
        body = {
            "comment": {"text": text},
            "requestedAttributes": {n: {} for n in names},
            "spanAnnotations": True,
            "doNotStore": True,
            "languages": ["en"],
        }
        r = client.post("/v1alpha1/comments:analyze", json=body)
        assert r.status_code == 200, r.text
        return dict(r.json()["attributeScores"])

    with TestClient(real_app) as client:
        rude_text = "You are a pathetic idiot and a disgusting liar."
        rude, calm = scores(rude_text), scores("Could you share where the 12% comes from?")
        for name in ("IDENTITY_ATTACK", "PROFANITY", "THREAT"):
            body = {"comment": {"text": rude_text}, "requestedAttributes": {name: {}}}
            r = client.post("/v1alpha1/comments:analyze", json=body)
            assert r.status_code == 400 and "is not served" in r.json()["error"]["message"]
    assert set(rude) == set(names)
    value = {k: v["summaryScore"]["value"] for k, v in rude.items()}
    assert value["TOXICITY"] > calm["TOXICITY"]["summaryScore"]["value"]
    assert value["INSULT"] > calm["INSULT"]["summaryScore"]["value"]
    assert value["SEVERE_TOXICITY"] <= value["TOXICITY"]
    for span in rude["TOXICITY"]["spanScores"]:
        assert 0 <= span["begin"] < span["end"] <= len(rude_text)


def test_real_docs_show_the_bundled_models_figures(real_app: FastAPI) -> None:
    import json

    from steelman.judge.model import bundled_model_dir

    config = json.loads((bundled_model_dir() / "config.json").read_text())
    roc = config["metrics"]["dev"]["roc_auc"]
    with TestClient(real_app) as client:
        page = client.get("/docs").text
    for head in ("toxicity", "insult", "identity_attack", "threat", "profanity", "attack"):
        for domain, f in roc.get(head, {}).items():
            assert f"{domain}: {f['roc_auc']:.3f}" in page, (head, domain)


def test_serve_demo_prints_address_and_login_and_serves_the_discussion(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    cmd = [
        sys.executable,
        "-c",
        "from steelman.cli import main; main()",
        "serve",
        "--demo",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        assert f"http://127.0.0.1:{port}/demo" in lines[0]
        match = re.search(r"as\s+demo / (\S+)", lines[1])
        assert match, lines
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/api/v1/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        thread = httpx.get(
            base + "/api/threads", params={"uri": "demo:cars-in-city-centres"}
        ).json()
        assert len(thread["comments"]) >= 3
        with httpx.Client(base_url=base) as client:
            r = client.post("/admin/login", data={"username": "demo", "password": match.group(1)})
            assert r.status_code == 303
    finally:
        proc.terminate()
        proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_the_forecast_with_the_real_models_rises_on_the_insult(real_app: FastAPI) -> None:
    uri = "https://blog.example/real-heating"
    texts = [
        "The new bridge should be built in steel, it lasts longer.",
        "Concrete needs less upkeep; the 2019 audit found costs 30% lower over fifty years.",
        "You are an idiot. Nobody asked for your stupid opinion.",
    ]
    with TestClient(real_app) as client:
        parent = None
        for text in texts:
            r = client.post("/api/comments", json={"uri": uri, "text": text, "parent_id": parent})
            assert r.status_code == 201, r.text
            parent = r.json()["comment"]["id"]
    state = real_app.state.steelman
    thread = state.store.thread(uri)
    assert thread is not None
    stored = state.comments.forecasts.table.get(thread.id)
    assert stored is not None and stored.replies == 3 and 0.0 < stored.risk < 1.0
    assert stored.movers and stored.movers[0]["id"] == str(parent)


CALM_SENTENCES = (
    "I read the council's report on the new bus lanes last night. The figures on journey times"
    " are mixed. Some routes got faster, others slower, and the survey was small. I would like"
    " to see the data for the winter months. The consultation closes next week, so there is"
    " still time to ask. The cycling numbers look better than I expected. Parking revenue fell"
    " slightly, which the report puts down to the roadworks. Two shops on the high street said"
    " trade was steady. The bus company has not published its own numbers yet. I will post"
    " them here when it does. The library opens late on Thursdays now, which helps. The"
    " minutes of the last meeting are online for anyone who missed it. "
)


def test_real_perspective_reads_a_long_comment_to_its_end(real_app: FastAPI) -> None:
    """Issue 17: an insult in the last sentence of a 700-character comment scores as the insult
    alone, within 0.1 (the judge reads about 128 word pieces; the windows read the rest)."""
    insult = "You are a fucking moron and an idiot."
    text = CALM_SENTENCES + insult
    assert len(text) >= 700

    def toxicity(t: str) -> tuple[float, list[float]]:
        body = {
            "comment": {"text": t},
            "requestedAttributes": {"TOXICITY": {}},
            "spanAnnotations": True,
        }
        out = client.post("/v1alpha1/comments:analyze", json=body).json()["attributeScores"]
        spans = out["TOXICITY"]["spanScores"]
        return out["TOXICITY"]["summaryScore"]["value"], [s["score"]["value"] for s in spans]

    with TestClient(real_app) as client:
        (alone, _), (long, spans), (calm, _) = map(toxicity, (insult, text, CALM_SENTENCES))
    assert long == pytest.approx(alone, abs=0.1) and long > 0.5 > calm
    assert len(spans) == 13 and spans[-1] == max(spans) and max(spans[:-1]) < 0.5
