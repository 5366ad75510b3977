"""The Perspective API drop-in: request and response shapes, errors, a real client library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from serverkit import RuleJudge, ThreadedServer, make_app

from steelman.server.perspective import ATTRIBUTES

URL = "/v1alpha1/comments:analyze"


def _request(text: str, *names: str, **extra: Any) -> dict[str, Any]:
    return {"comment": {"text": text}, "requestedAttributes": {n: {} for n in names}, **extra}


def test_attack_and_insult_scores(client: TestClient) -> None:
    r = client.post(URL, json=_request("You idiot, read it.", "ATTACK_ON_COMMENTER", "INSULT"))
    assert r.status_code == 200, r.text
    scores = r.json()["attributeScores"]
    for name in ("ATTACK_ON_COMMENTER", "INSULT"):
        assert scores[name]["summaryScore"]["type"] == "PROBABILITY"
        assert 0 <= scores[name]["summaryScore"]["value"] <= 1
    # Two heads now (INSULT is no longer a share of the attack): both high for name-calling.
    assert scores["ATTACK_ON_COMMENTER"]["summaryScore"]["value"] > 0.5
    assert scores["INSULT"]["summaryScore"]["value"] > 0.5
    assert r.json()["languages"] == ["en"]
    assert "spanScores" not in scores["INSULT"]


def test_steelman_attributes_and_levels(client: TestClient) -> None:
    names = [n for n in ATTRIBUTES if n.startswith("STEELMAN_")]
    r = client.post(URL, json=_request("No, because the data says otherwise.", *names))
    scores = {k: v["summaryScore"]["value"] for k, v in r.json()["attributeScores"].items()}
    assert set(scores) == set(names)
    assert max((scores[f"STEELMAN_DH{i}"], i) for i in range(7))[1] == 4
    assert scores["STEELMAN_DISAGREEMENT"] == pytest.approx(
        sum(scores[f"STEELMAN_DH{i}"] for i in range(7)), abs=1e-5
    )
    assert 0 <= scores["STEELMAN_LEVEL"] <= 1


def test_span_annotations_score_each_sentence(client: TestClient) -> None:
    text = "Well, that is wrong. You idiot."
    r = client.post(URL, json=_request(text, "INSULT", spanAnnotations=True))
    first, second = r.json()["attributeScores"]["INSULT"]["spanScores"]
    assert text[first["begin"] : first["end"]] == "Well, that is wrong."
    assert text[second["begin"] : second["end"]] == "You idiot."
    assert second["score"] == {"value": 0.9, "type": "PROBABILITY"}
    assert first["score"]["value"] < second["score"]["value"]


def test_score_threshold_drops_low_scores(client: TestClient) -> None:
    body = _request("That's a fair point.", "ATTACK_ON_COMMENTER", "STEELMAN_DISAGREEMENT")
    body["requestedAttributes"]["ATTACK_ON_COMMENTER"] = {"scoreThreshold": 0.5}
    r = client.post(URL, json=body)
    assert set(r.json()["attributeScores"]) == {"STEELMAN_DISAGREEMENT"}


def test_context_entries_are_the_parent(tmp_path: Path) -> None:

    class Recording(RuleJudge):
        def __init__(self) -> None:
            super().__init__()
            self.parents: list[str | None] = []

        def judge_batch(self, texts: list[str], parents: list[str | None]) -> Any:
            self.parents.extend(parents)
            return super().judge_batch(texts, parents)

    judge = Recording()
    with TestClient(make_app(tmp_path, judge=judge)) as client:
        body = _request(
            "No.",
            "INSULT",
            context={"entries": [{"text": "Cars must go."}]},
            clientToken="abc",
            doNotStore=True,
        )
        r = client.post(URL, json=body)
    assert r.json()["clientToken"] == "abc"
    assert judge.parents == ["Cars must go."]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (_request("hi", "FLIRTATION"), "Unknown attribute: FLIRTATION"),
        (_request("hi", "INSULT", languages=["de"]), "does not support request languages: de"),
        (_request("", "INSULT"), "non-empty"),
        ({"requestedAttributes": {"INSULT": {}}}, "comment.text"),
        (_request("hi"), "at least one attribute"),
    ],
)
def test_bad_requests_get_perspective_shaped_400(
    client: TestClient, body: dict[str, Any], words: str
) -> None:
    r = client.post(URL, json=body)
    assert r.status_code == 400
    error = r.json()["error"]
    assert (
        error["code"] == 400 and error["status"] == "INVALID_ARGUMENT" and words in error["message"]
    )


def test_rate_limit_is_perspective_shaped(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, rate_judge_per_minute=1)) as client:
        assert client.post(URL, json=_request("hi", "INSULT")).status_code == 200
        r = client.post(URL, json=_request("hi", "INSULT"))
    assert r.status_code == 429 and r.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert int(r.headers["Retry-After"]) >= 1


def test_google_api_python_client_works_by_changing_the_address(tmp_path: Path) -> None:
    """The documented Perspective client (google-api-python-client), pointed at this server."""
    discovery = pytest.importorskip("googleapiclient.discovery")
    app = make_app(tmp_path)
    with ThreadedServer(app) as server:
        client = discovery.build(
            "commentanalyzer",
            "v1alpha1",
            developerKey="not-needed",
            discoveryServiceUrl=f"{server.url}/$discovery/rest?version=v1alpha1",
            static_discovery=False,
            cache_discovery=False,
        )
        request = {
            "comment": {"text": "You clearly have an agenda."},
            "requestedAttributes": {"ATTACK_ON_COMMENTER": {}, "STEELMAN_DH1": {}},
            "spanAnnotations": True,
        }
        try:
            response = client.comments().analyze(body=request).execute()
        finally:
            client.close()
    attack = response["attributeScores"]["ATTACK_ON_COMMENTER"]
    assert attack["summaryScore"]["value"] > 0.5
    assert attack["spanScores"][0]["begin"] == 0
