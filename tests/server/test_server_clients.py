"""The clients people use, pointed at Steelman on loopback: the npm Perspective client (run with
the machine's Node.js), Coral Talk's and Discourse's requests as their source sends them, and
google-api-python-client's feedback call."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from perspective_clients import (
    CORAL_ANALYZE_PATH,
    DISCOURSE_HEADERS,
    DISCOURSE_PATH,
    coral_analyze,
    discourse_analyze,
)
from serverkit import ThreadedServer, make_app

from steelman.server.feedback import add_key

NODE_DIR = Path(__file__).resolve().parents[1] / "clients" / "node"
TOXIC = "You idiot, you are stupid."
CIVIL = "No, because the 2019 study found the opposite."


def _node(url: str, *calls: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "perspective-api-client").is_dir():
        pytest.skip("needs Node.js and tests/clients/node/node_modules (make node-clients)")
    done = subprocess.run(
        [node, str(NODE_DIR / "run.js"), *(json.dumps(list(c)) for c in calls)],
        env={**os.environ, "STEELMAN_URL": url, "NO_PROXY": "*", "no_proxy": "*"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_the_npm_perspective_client_works_by_changing_the_address(tmp_path: Path) -> None:
    with ThreadedServer(make_app(tmp_path)) as server:
        toxic, civil, several, refused = _node(
            server.url,
            (TOXIC, {}),  # the client's defaults: TOXICITY, doNotStore, HTML stripped
            (f"<p>{CIVIL}</p>", {}),
            (TOXIC, {"attributes": ["toxicity", "severe_toxicity", "insult", "threat"]}),
            (TOXIC, {"attributes": ["flirtation"]}),
        )
    assert toxic["ok"] and civil["ok"], (toxic, civil)
    value = toxic["response"]["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert value > 0.8 > civil["response"]["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert set(several["response"]["attributeScores"]) == {
        "TOXICITY",
        "SEVERE_TOXICITY",
        "INSULT",
        "THREAT",
    }
    # Errors reach the caller as the client's ResponseError with Perspective's message.
    assert not refused["ok"] and refused["name"] == "ResponseError" and refused["status"] == 400
    assert "Unknown attribute: FLIRTATION" in refused["error"]


def test_coral_talks_toxicity_check_holds_toxic_comments(client: TestClient) -> None:
    """Coral holds a comment whose TOXICITY is over 0.8; a 400 would let it through."""

    def score(text: str) -> float:
        r = client.post(CORAL_ANALYZE_PATH, json=coral_analyze(text))
        assert r.status_code == 200, r.text
        return float(r.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"])

    assert score(TOXIC) > 0.8 > score(CIVIL)


def test_coral_talks_other_locales_get_perspectives_language_error(client: TestClient) -> None:
    r = client.post(CORAL_ANALYZE_PATH, json=coral_analyze(TOXIC, language="de"))
    assert r.status_code == 400
    assert "does not support request languages: de" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("model", "attribute"),
    [("standard", "TOXICITY"), ("severe toxicity (experimental)", "SEVERE_TOXICITY")],
)
def test_discourses_check_reads_the_score_it_expects(
    client: TestClient, model: str, attribute: str
) -> None:
    def score(text: str) -> float:
        r = client.post(
            DISCOURSE_PATH, json=discourse_analyze(text, model=model), headers=DISCOURSE_HEADERS
        )
        assert r.status_code == 200, r.text
        # The plugin reads the first attribute's summaryScore.value (0.0 on any failure).
        ((name, entry),) = r.json()["attributeScores"].items()
        assert name == attribute
        return float(entry["summaryScore"]["value"])

    assert score(TOXIC) > 0.5 > score(CIVIL)
    assert score(CIVIL * 1000) < 0.5  # a long post, cut to 20 kB by the plugin, still judged


def test_google_api_python_client_sends_feedback(tmp_path: Path) -> None:
    discovery = pytest.importorskip("googleapiclient.discovery")
    app = make_app(tmp_path)
    _, key = add_key(app.state.steelman.store, "client-test")
    with ThreadedServer(app) as server:
        client = discovery.build(
            "commentanalyzer",
            "v1alpha1",
            developerKey=key,  # sent as ?key=, as Perspective's are
            discoveryServiceUrl=f"{server.url}/$discovery/rest?version=v1alpha1",
            static_discovery=False,
            cache_discovery=False,
        )
        body = {
            "comment": {"text": TOXIC},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
            "clientToken": "t-1",
        }
        try:
            response = client.comments().suggestscore(body=body).execute()
        finally:
            client.close()
    assert response["clientToken"] == "t-1"
    assert app.state.steelman.store.count_feedback() == 1
