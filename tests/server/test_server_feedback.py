"""Perspective's feedback call (``comments:suggestscore``) kept as labelled data, and
``steelman export-feedback`` writing it in the training format."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from perspective_clients import coral_suggestscore

from steelman.cli import main
from steelman.data.corpus import Sample
from steelman.data.feedback import read_feedback
from steelman.server.db import Store
from steelman.server.feedback import add_key, export_feedback

URL = "/v1alpha1/comments:suggestscore"


def _key(database: str) -> dict[str, str]:
    """A feedback key issued for forum-1, as the ``key`` query parameter."""
    store = Store.open(database)
    try:
        return {"key": add_key(store, "forum-1")[1]}
    finally:
        store.close()


def _suggest(text: str, scores: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"comment": {"text": text}, "attributeScores": scores, **extra}


def _summary(value: float) -> dict[str, Any]:
    return {"summaryScore": {"value": value}}


def test_a_suggestion_is_kept_with_the_comment(client: TestClient, database: str) -> None:
    text = "You are all idiots, I will hurt you."
    body = _suggest(
        text,
        {
            "TOXICITY": {
                "summaryScore": {"value": 0.9, "type": "PROBABILITY"},
                "spanScores": [{"begin": 12, "end": 18, "score": {"value": 1}}],
            },
            "THREAT": _summary(1),
        },
        context={"entries": [{"text": "The article."}, {"text": "The parent."}]},
        languages=["en"],
        communityId="forum-1",
        clientToken="tok-1",
        sessionId="https://forum.example_7",
    )
    r = client.post(URL, params=_key(database), json=body)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "detectedLanguages": ["en"],
        "requestedLanguages": ["en"],
        "clientToken": "tok-1",
    }
    store = Store.open(database)
    try:
        (kept,) = list(store.iter_feedback())
    finally:
        store.close()
    assert kept.text == text and kept.context == ["The article.", "The parent."]
    assert kept.scores["TOXICITY"] == {"summary": 0.9, "spans": [[12, 18, 1.0]]}
    assert (kept.community_id, kept.client_token, kept.key) == ("forum-1", "tok-1", "forum-1")
    raw = json.dumps(kept.__dict__)
    assert "forum.example_7" not in raw  # nothing about the sender is kept


def test_corals_feedback_shape_is_accepted(client: TestClient, database: str) -> None:
    body = coral_suggestscore("Thanks, that helped.", comment_id="c-9", status="APPROVED")
    r = client.post(URL + "?key=" + _key(database)["key"], json=body)
    assert r.status_code == 200, r.text
    assert r.json()["clientToken"] == "comment:c-9"
    store = Store.open(database)
    try:
        (kept,) = list(store.iter_feedback())
    finally:
        store.close()
    assert kept.scores == {"APPROVED": {"summary": 1.0, "spans": []}}
    assert kept.community_id == "Coral:https://news.example"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (_suggest("hi", {}), "attributeScores must not be empty"),
        (_suggest("hi", {"TOXICITY": {}}), "summaryScore or spanScores"),
        (_suggest("hi", {"TOXICITY": _summary(1.5)}), "from 0 to 1"),
        (_suggest("hi", {"TOXICITY": _summary(True)}), "from 0 to 1"),  # type: ignore[arg-type]
        (
            _suggest("hi", {"TOXICITY": {"spanScores": [{"begin": 0, "end": 9, "score": {}}]}}),
            "within the comment",
        ),
        (
            _suggest("hi", {"TOXICITY": {"summaryScore": {"value": 1, "type": "STD_DEV"}}}),
            "PROBABILITY",
        ),
        ({"attributeScores": {"TOXICITY": _summary(1)}}, "comment.text"),
        (_suggest("", {"TOXICITY": _summary(1)}), "non-empty"),
    ],
)
def test_bad_suggestions_are_perspective_400s_and_kept_nowhere(
    client: TestClient, database: str, body: dict[str, Any], words: str
) -> None:
    r = client.post(URL, params=_key(database), json=body)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT" and words in error["message"]
    store = Store.open(database)
    try:
        assert store.count_feedback() == 0
    finally:
        store.close()


def _fill(database: str) -> None:
    store = Store.open(database)
    try:
        key = add_key(store, "forum-1")[0]
        store.add_feedback(
            "You idiot, I will hurt you.",
            {
                "TOXICITY": {"summary": 1.0, "spans": [[4, 9, 1.0], [13, 22, 0.2]]},
                "THREAT": {"summary": 1.0, "spans": []},
                "ATTACK_ON_COMMENTER": {"summary": 1.0, "spans": []},
                "APPROVED": {"summary": 0.0, "spans": []},
            },
            context=["The article.", "The parent."],
            community_id="forum-1",
            client_token="comment:1",
            key_id=key.id,
        )
        store.add_feedback(
            "Fair point.", {"TOXICITY": {"summary": 0.0, "spans": []}}, key_id=key.id
        )
    finally:
        store.close()


def test_export_writes_training_rows_that_read_back_as_samples(
    database: str, tmp_path: Path
) -> None:
    _fill(database)
    out = tmp_path / "feedback.jsonl"
    store = Store.open(database)
    try:
        assert export_feedback(store, out) == 2
    finally:
        store.close()
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["labels"] == {"toxicity": 1.0, "threat": 1.0, "attack": 1.0}
    assert rows[0]["spans"] == [[4, 9]]  # spans scored 0.5 or over
    assert rows[0]["parent"] == "The parent." and rows[0]["domain"] == "feedback:forum-1:forum-1"
    assert rows[0]["suggested"]["scores"]["APPROVED"]["summary"] == 0.0  # kept as sent
    assert [r["suggested"]["key"] for r in rows] == ["forum-1", "forum-1"]
    assert rows[1]["labels"] == {"toxicity": 0.0} and rows[1]["group"] == "feedback-2"
    samples = list(read_feedback(out))
    assert all(isinstance(s, Sample) for s in samples)
    assert samples[0].spans == ((4, 9),) and samples[0].labels["toxicity"] == 1.0
    assert samples[1].parent is None and samples[1].split == "train"


def test_export_feedback_cli_replaces_the_file_whole(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(database)
    out = tmp_path / "feedback.jsonl"
    out.write_text("an older export\n")
    main(["export-feedback", "--database", database, str(out)])
    assert capsys.readouterr().out.strip() == f"wrote 2 suggestions to {out}"
    assert len(out.read_text().splitlines()) == 2
    assert [n for n in os.listdir(tmp_path) if n.startswith(".feedback")] == []  # no leftovers


def test_export_feedback_failure_leaves_the_old_file(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(database)
    out = tmp_path / "feedback.jsonl"
    out.write_text("an older export\n")

    def broken(self: Any, page: int = 500) -> Any:
        yield from ()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Store, "iter_feedback", broken)
    with pytest.raises(SystemExit) as exc:
        main(["export-feedback", "--database", database, str(out)])
    assert exc.value.code == 1
    assert out.read_text() == "an older export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
