"""Threads heating up: the forecast kept per thread as comments arrive, the view sorted by it,
and its actions (slow down, close, note), each audited."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from steelman.errors import ModelError
from steelman.server.db import Store
from steelman.server.db.forecasts import Forecasts
from steelman.server.forecasting import COUNTED, ThreadForecasts, _replies
from steelman.threads import EscalationModel
from steelman.threads.forecast import forecast

HOT = "https://blog.example/hot"
CALM = "https://blog.example/calm"


def _model() -> EscalationModel:
    """A hand-set forecast: the worst attack so far and the latest toxicity raise the risk."""
    return EscalationModel(
        features=("attack_max", "toxicity_last"),
        mean=np.zeros(2),
        scale=np.ones(2),
        coef=np.array([3.0, 2.0]),
        intercept=-2.0,
        version="test",
    )


@pytest.fixture(autouse=True)
def hand_set_model(app: FastAPI) -> EscalationModel:
    model = _model()
    app.state.steelman.comments.forecasts = ThreadForecasts(app.state.steelman.store, model)
    return model


def _post(client: TestClient, uri: str, text: str, **extra: object) -> dict[str, object]:
    r = client.post("/api/comments", json={"uri": uri, "text": text, **extra})
    assert r.status_code == 201, r.text
    return dict(r.json()["comment"])


def _heating(admin: TestClient) -> list[dict[str, object]]:
    r = admin.get("/api/admin/heating")
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def _hot_thread(client: TestClient) -> list[dict[str, object]]:
    first = _post(client, HOT, "Cars must go from the centre.")
    second = _post(client, HOT, "No, because buses are slower.", parent_id=first["id"])
    third = _post(client, HOT, "You idiot, buses are faster.", parent_id=second["id"])
    return [first, second, third]


def test_the_forecast_follows_each_new_comment(app: FastAPI, client: TestClient) -> None:
    state = app.state.steelman
    table = Forecasts(state.store)
    risks = []
    for text in ("Cars must go.", "No, because buses are slower.", "You idiot, buses are faster."):
        _post(client, HOT, text)
        thread = state.store.thread(HOT)
        assert thread is not None
        stored = table.get(thread.id)
        assert stored is not None
        risks.append(stored.risk)
    assert risks[2] > risks[1] and stored.replies == 3
    # what is stored is what the library forecasts from the thread's comments so far
    replies = _replies(state.store.comments(thread.id, COUNTED))
    whole = forecast(replies, _model())
    assert stored.risk == pytest.approx(whole.risk)
    assert [m["id"] for m in stored.movers] == [m.comment_id for m in whole.movers]
    assert stored.movers[0]["index"] == 2  # the insult raised it most


def test_heating_up_lists_open_threads_riskiest_first_with_the_movers(admin: TestClient) -> None:
    hot = _hot_thread(admin)
    _post(admin, CALM, "Paint the bridge blue.")
    items = _heating(admin)
    assert [i["uri"] for i in items] == [HOT, CALM]
    assert items[0]["risk"] > items[1]["risk"]
    top = items[0]["movers"][0]
    assert top["id"] == hot[2]["id"] and "idiot" in top["text"] and top["after"] > top["before"]
    assert top["status"] == "pending"  # held by the policy, and still counted
    admin.post(f"/api/admin/threads/{items[0]['thread_id']}/close", json={"closed": True})
    assert [i["uri"] for i in _heating(admin)] == [CALM]  # closed threads leave the view


def test_moderation_and_deletion_recompute_the_forecast(admin: TestClient) -> None:
    first = _post(admin, HOT, "Cars must go.")
    r = admin.post(
        "/api/comments", json={"uri": HOT, "text": "You idiot.", "parent_id": first["id"]}
    )
    insult, token = r.json()["comment"], r.json()["token"]
    before = _heating(admin)[0]
    assert before["replies"] == 2 and before["movers"][0]["id"] == insult["id"]
    r = admin.post(f"/api/admin/comments/{insult['id']}/reject", json={"reason": "an insult"})
    assert r.status_code == 200
    assert _heating(admin)[0]["risk"] == pytest.approx(before["risk"])  # rejected heat counts
    r = admin.delete(f"/api/comments/{first['id']}", headers={"X-Steelman-Token": token})
    assert r.status_code == 403  # not the author's token: nothing changes
    r = admin.post("/api/comments", json={"uri": CALM, "text": "Paint it blue."})
    calm_token = r.json()["token"]
    r = admin.delete(
        f"/api/comments/{r.json()['comment']['id']}", headers={"X-Steelman-Token": calm_token}
    )
    assert r.status_code == 200
    calm = next(i for i in _heating(admin) if i["uri"] == CALM)
    assert calm["replies"] == 0  # a deleted comment is not read


def test_slow_mode_makes_each_poster_wait_and_is_audited(admin: TestClient, app: FastAPI) -> None:
    first = _post(admin, HOT, "Cars must go.")
    thread = app.state.steelman.store.thread(HOT)
    assert thread is not None
    thread_id = thread.id
    r = admin.post(f"/api/admin/threads/{thread_id}/slow", json={"seconds": 600, "reason": "hot"})
    assert r.status_code == 200 and r.json()["slow_s"] == 600
    r = admin.post(
        "/api/comments", json={"uri": HOT, "text": "And bikes.", "parent_id": first["id"]}
    )
    assert r.status_code == 403 and "slowed this discussion down" in r.json()["error"]["message"]
    entry = admin.get("/api/admin/audit").json()[0]
    assert (entry["action"], entry["thread_id"], entry["reason"]) == ("slow", thread_id, "hot")
    admin.post(f"/api/admin/threads/{thread_id}/slow", json={"seconds": 0})
    _post(admin, HOT, "And bikes.", parent_id=first["id"])


def test_slow_mode_counts_from_the_posters_own_last_post(store: Store) -> None:
    thread = store.thread("https://x.example/a", create=True)
    assert thread is not None
    table = Forecasts(store)
    c, _ = store.add_comment(
        thread_id=thread.id, text="hi", status="published", actor="author", address_hash="a1"
    )
    assert table.wait_s(thread.id, "a1", now=c.created) == 0.0  # not slowed yet
    table.set_slow(thread.id, 60, actor="mod")
    assert table.wait_s(thread.id, "a1", now=c.created + 10) == pytest.approx(50)
    assert table.wait_s(thread.id, "a1", now=c.created + 61) == 0.0
    assert table.wait_s(thread.id, "b2", now=c.created + 10) == 0.0  # someone else


def test_a_moderator_note_is_published_signed_audited_and_not_forecast(
    admin: TestClient, app: FastAPI
) -> None:
    _hot_thread(admin)
    item = _heating(admin)[0]
    r = admin.post(f"/api/admin/threads/{item['thread_id']}/note", json={"text": "Keep it civil."})
    assert r.status_code == 200, r.text
    note = r.json()
    assert note["status"] == "published" and note["author"] == "mod"
    public = admin.get("/api/threads", params={"uri": HOT}).json()["comments"]
    assert any(c["text"] == "Keep it civil." for c in public)
    entry = admin.get("/api/admin/audit").json()[0]
    assert (entry["action"], entry["actor"], entry["comment_id"]) == ("note", "mod", note["id"])
    after = _heating(admin)[0]
    assert after["replies"] == item["replies"]
    r = admin.post(f"/api/admin/threads/{item['thread_id']}/note", json={"text": "  "})
    assert r.status_code == 422


def test_the_page_shows_the_reason_and_its_one_key_actions(admin: TestClient) -> None:
    _hot_thread(admin)
    _post(admin, CALM, "<script>alert(1)</script> no, because it is dull.")
    page = admin.get("/admin/heating")
    assert page.status_code == 200
    html = page.text
    assert html.index(HOT) < html.index(CALM)
    assert "You idiot, buses are faster." in html and "raised it from" in html
    for key in ("<kbd>s</kbd> slow down", "<kbd>c</kbd> close", "<kbd>n</kbd> write a note"):
        assert key in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    thread_id = _heating(admin)[0]["thread_id"]
    csrf = admin.headers["X-CSRF-Token"]
    for path, form in (
        (f"/admin/threads/{thread_id}/slow", {"seconds": "120"}),
        (f"/admin/threads/{thread_id}/note", {"text": "Please keep to the argument."}),
        (f"/admin/threads/{thread_id}/close", {"closed": "1", "back": "heating"}),
    ):
        r = admin.post(path, data={"csrf": csrf, **form}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/admin/heating"
    actions = [e["action"] for e in admin.get("/api/admin/audit").json()[:3]]
    assert actions == ["close", "note", "slow"]
    r = admin.post(
        f"/admin/threads/{thread_id}/close",
        data={"csrf": csrf, "closed": "0", "back": "https://evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/admin/threads"  # never an outside page


def test_the_page_and_api_need_a_moderator(client: TestClient) -> None:
    assert client.get("/admin/heating", follow_redirects=False).headers["location"] == (
        "/admin/login"
    )
    assert client.get("/api/admin/heating").status_code in (401, 403)


class _Broken(EscalationModel):
    def predict_matrix(self, x: np.ndarray) -> np.ndarray:
        raise ModelError("this model is broken")


def test_a_failing_forecast_never_fails_the_post(app: FastAPI, client: TestClient) -> None:
    m = _model()
    broken = _Broken(m.features, m.mean, m.scale, m.coef, m.intercept)
    app.state.steelman.comments.forecasts = ThreadForecasts(app.state.steelman.store, broken)
    _post(client, HOT, "You idiot.")
    thread = app.state.steelman.store.thread(HOT)
    assert thread is not None and Forecasts(app.state.steelman.store).get(thread.id) is None


def test_no_model_means_no_forecasts(app: FastAPI, client: TestClient) -> None:
    app.state.steelman.comments.forecasts = ThreadForecasts(app.state.steelman.store, None)
    _post(client, HOT, "You idiot.")
    thread = app.state.steelman.store.thread(HOT)
    assert thread is not None and Forecasts(app.state.steelman.store).get(thread.id) is None


def test_imported_threads_are_forecast(admin: TestClient) -> None:
    rows = [
        {"id": "1", "parent_id": None, "author": "ann", "text": "Steel lasts.", "thread": "imp"},
        {"id": "2", "parent_id": "1", "author": "bob", "text": "You idiot.", "thread": "imp"},
    ]
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    r = admin.post("/api/admin/import", files={"file": ("imp.jsonl", data)})
    assert r.status_code == 200, r.text
    items = _heating(admin)
    assert [i["replies"] for i in items] == [2]
