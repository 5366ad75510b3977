"""The Perspective attributes beyond the attacks: TOXICITY and the production set, the bridging
attributes, span scores, languages, doNotStore, and the /docs page that explains each."""

from __future__ import annotations

import copy
import itertools
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from serverkit import FAKE_METRICS, RuleJudge, make_app

from steelman.judge.parts import WINDOW_CHARS, windows
from steelman.judge.result import Judgement
from steelman.server.attributes import CATALOGUE, severe_toxicity

URL = "/v1alpha1/comments:analyze"
PRODUCTION = (
    "TOXICITY",
    "SEVERE_TOXICITY",
    "IDENTITY_ATTACK",
    "INSULT",
    "PROFANITY",
    "THREAT",
    "ATTACK_ON_COMMENTER",
    "ATTACK_ON_AUTHOR",
)
BRIDGING = ("REASONING_EXPERIMENTAL", "CURIOSITY_EXPERIMENTAL", "RESPECT_EXPERIMENTAL")


def _request(text: str, *names: str, **extra: Any) -> dict[str, Any]:
    return {"comment": {"text": text}, "requestedAttributes": {n: {} for n in names}, **extra}


def _scores(client: TestClient, text: str, *names: str, **extra: Any) -> dict[str, float]:
    r = client.post(URL, json=_request(text, *names, **extra))
    assert r.status_code == 200, r.text
    return {k: v["summaryScore"]["value"] for k, v in r.json()["attributeScores"].items()}


class Recording(RuleJudge):
    def __init__(self, metrics: dict[str, Any] | None = None) -> None:
        super().__init__(metrics)
        self.seen: list[tuple[str, str | None]] = []
        self.forgotten: list[str] = []

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        self.seen.extend(zip(texts, parents, strict=True))
        return super().judge_batch(texts, parents)

    def forget(self, texts: list[str]) -> None:
        self.forgotten.extend(texts)


def test_every_production_attribute_is_answered_as_a_probability(client: TestClient) -> None:
    r = client.post(URL, json=_request("You idiot, nobody asked you.", *PRODUCTION))
    assert r.status_code == 200, r.text
    scores = r.json()["attributeScores"]
    assert set(scores) == set(PRODUCTION)
    for entry in scores.values():
        assert entry["summaryScore"]["type"] == "PROBABILITY"
        assert 0 <= entry["summaryScore"]["value"] <= 1


def test_toxicity_ranks_abuse_above_a_reasoned_reply(client: TestClient) -> None:
    rude = _scores(client, "You idiot, that is stupid.", "TOXICITY")["TOXICITY"]
    calm = _scores(client, "No, because the 2019 study found the opposite.", "TOXICITY")
    assert rude > 0.8 > 0.2 > calm["TOXICITY"]


@pytest.mark.parametrize(
    ("text", "attribute"),
    [
        ("I will hurt you if you post that again.", "THREAT"),
        ("That is damn wrong.", "PROFANITY"),
        ("Those people always ruin everything.", "IDENTITY_ATTACK"),
        ("You moron.", "INSULT"),
    ],
)
def test_each_head_answers_its_own_attribute(client: TestClient, text: str, attribute: str) -> None:
    heads = ("THREAT", "PROFANITY", "IDENTITY_ATTACK", "INSULT")
    scores = _scores(client, text, *heads)
    assert max(scores, key=lambda k: scores[k]) == attribute


@given(
    st.dictionaries(
        st.sampled_from(["toxicity", "insult", "identity_attack", "threat", "profanity"]),
        st.floats(0, 1),
    ),
    st.sampled_from(["toxicity", "insult", "identity_attack", "threat", "profanity"]),
    st.floats(0, 1),
)
def test_severe_toxicity_is_monotone_and_never_above_toxicity(
    heads: dict[str, float], which: str, more: float
) -> None:
    severe = severe_toxicity(heads)
    assert 0 <= severe <= heads.get("toxicity", 0.0)
    raised = {**heads, which: max(heads.get(which, 0.0), more)}
    assert severe_toxicity(raised) >= severe
    if which == "profanity":  # profanity alone never raises it
        assert severe_toxicity(raised) == severe


def test_attack_on_author_reads_the_article_and_on_commenter_the_comment(tmp_path: Path) -> None:
    judge = Recording()
    body = _request(
        "Typical shill nonsense.",
        "ATTACK_ON_COMMENTER",
        "ATTACK_ON_AUTHOR",
        context={"entries": [{"text": "The article."}, {"text": "The comment replied to."}]},
    )
    with TestClient(make_app(tmp_path, judge=judge)) as client:
        r = client.post(URL, json=body)
        assert r.status_code == 200, r.text
        assert set(judge.seen) == {
            ("Typical shill nonsense.", "The comment replied to."),
            ("Typical shill nonsense.", "The article."),
        }
        judge.seen.clear()
        one = _request("Typical.", "ATTACK_ON_AUTHOR", context={"entries": [{"text": "Post."}]})
        client.post(URL, json=one)
        assert judge.seen == [("Typical.", "Post.")]  # one entry: judged once


def test_bridging_attributes_are_served_with_their_figures(client: TestClient) -> None:
    reasoned = _scores(client, "No, because the data says otherwise.", *BRIDGING)
    asked = _scores(client, "Where does that number come from?", *BRIDGING)
    rude = _scores(client, "You idiot.", *BRIDGING)
    assert reasoned["REASONING_EXPERIMENTAL"] > asked["REASONING_EXPERIMENTAL"]
    assert asked["CURIOSITY_EXPERIMENTAL"] > reasoned["CURIOSITY_EXPERIMENTAL"]
    assert rude["RESPECT_EXPERIMENTAL"] < 0.5 < reasoned["RESPECT_EXPERIMENTAL"]


def test_bridging_attributes_without_a_measured_figure_are_refused_or_dropped(
    tmp_path: Path,
) -> None:
    unmeasured = copy.deepcopy(FAKE_METRICS)
    del unmeasured["dev"]["acts"]  # no F1 for the question act
    with TestClient(make_app(tmp_path, judge=RuleJudge(metrics=unmeasured))) as client:
        r = client.post(URL, json=_request("Why?", "CURIOSITY_EXPERIMENTAL", "TOXICITY"))
        assert r.status_code == 400
        assert "no measured figure" in r.json()["error"]["message"]
        body = _request(
            "Why?", "CURIOSITY_EXPERIMENTAL", "TOXICITY", dropUnsupportedAttributes=True
        )
        r = client.post(URL, json=body)
    assert r.status_code == 200 and set(r.json()["attributeScores"]) == {"TOXICITY"}


def test_bridging_attributes_under_their_floor_are_not_served(tmp_path: Path) -> None:
    """A figure measured but weak anywhere (ROC-AUC under 0.70, F1 under 0.50) does not count."""
    weak = copy.deepcopy(FAKE_METRICS)
    weak["dev"]["roc_auc"]["reasons"]["wiki"] = {"roc_auc": 0.641, "n": 50, "positives": 20}
    weak["dev"]["acts"]["per_act_f1"]["question"] = 0.227
    with TestClient(make_app(tmp_path, judge=RuleJudge(metrics=weak))) as client:
        for name, figure in (
            ("REASONING_EXPERIMENTAL", "0.641"),
            ("CURIOSITY_EXPERIMENTAL", "0.227"),
        ):
            r = client.post(URL, json=_request("Why?", name))
            assert r.status_code == 400 and f"({figure})" in r.json()["error"]["message"]
        assert _scores(client, "Why?", "RESPECT_EXPERIMENTAL")  # the attack head's figures hold
        page = client.get("/docs").text
    row = re.search(r"<code>REASONING_EXPERIMENTAL</code>.*?</tr>", page, re.S)
    assert row is not None and "its measured figure (0.641) is under the floor (0.70)" in row.group(
        0
    )


def test_weak_or_unmeasured_production_attributes_are_not_served(tmp_path: Path) -> None:
    """Issue 17 row 11: a production attribute is served only when its figure clears the floor
    (ROC-AUC 0.70 in every community, 0.80 on average, in at least two communities), as the
    bridging ones are."""
    weak = copy.deepcopy(FAKE_METRICS)
    weak["dev"]["roc_auc"]["threat"] = {"toxic-spans": {"roc_auc": 0.6702, "n": 9, "positives": 3}}
    weak["dev"]["roc_auc"]["identity_attack"] = {"cad": {"roc_auc": 0.7461, "n": 9, "positives": 3}}
    weak["dev"]["roc_auc"]["insult"] = {"news": {"roc_auc": 0.9512, "n": 90, "positives": 30}}
    del weak["dev"]["roc_auc"]["profanity"]
    with TestClient(make_app(tmp_path, judge=RuleJudge(metrics=weak))) as client:
        for name, why in (
            ("THREAT", "(0.670) is under the floor (0.70)"),
            (
                "IDENTITY_ATTACK",
                "(0.746 on average over the communities) is under the floor (0.80)",
            ),
            ("PROFANITY", "no measured figure"),
            ("INSULT", "measured in 1 community only (0.951); it must hold up in at least 2"),
        ):
            r = client.post(URL, json=_request("Damn.", name, "TOXICITY"))
            assert r.status_code == 400 and why in r.json()["error"]["message"], r.text
            assert f"Attribute {name} is not served" in r.json()["error"]["message"]
        body = _request(
            "Damn.",
            "THREAT",
            "PROFANITY",
            "IDENTITY_ATTACK",
            "INSULT",
            "TOXICITY",
            dropUnsupportedAttributes=True,
        )
        r = client.post(URL, json=body)
        assert r.status_code == 200 and set(r.json()["attributeScores"]) == {"TOXICITY"}
        page = client.get("/docs").text

    def row(name: str) -> str:
        found = re.search(rf"<code>{name}</code>.*?</tr>", page, re.S)
        assert found is not None
        return found.group(0)

    assert "not served by this model: its measured figure (0.670)" in row("THREAT")
    assert "not served by this model: it has no measured figure" in row("PROFANITY")
    assert "not served by this model: its measured figure (0.746 on" in row("IDENTITY_ATTACK")
    assert "not served" not in row("TOXICITY") and "served: its ROC-AUC" in row("TOXICITY")


def test_a_judge_without_the_heads_refuses_toxicity_in_perspective_shape(tmp_path: Path) -> None:
    class Old(RuleJudge):  # judge 1.0.0: attack and levels only
        def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
            from dataclasses import replace

            return [replace(j, attributes={}) for j in super().judge_batch(texts, parents)]

    with TestClient(make_app(tmp_path, judge=Old())) as client:
        r = client.post(URL, json=_request("You idiot.", "TOXICITY", "ATTACK_ON_COMMENTER"))
        assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"
        assert "no toxicity head" in r.json()["error"]["message"]
        body = _request(
            "You idiot.", "TOXICITY", "ATTACK_ON_COMMENTER", dropUnsupportedAttributes=True
        )
        assert set(client.post(URL, json=body).json()["attributeScores"]) == {"ATTACK_ON_COMMENTER"}


@pytest.mark.parametrize("languages", [["en"], ["en-US"], ["EN"], ["en_GB"]])
def test_english_in_any_spelling_is_served(client: TestClient, languages: list[str]) -> None:
    r = client.post(URL, json=_request("No.", "TOXICITY", languages=languages))
    assert r.status_code == 200 and r.json()["languages"] == languages


@pytest.mark.parametrize("languages", [["de"], ["fr", "de"], ["pt-BR"]])
def test_other_languages_are_a_perspective_400(client: TestClient, languages: list[str]) -> None:
    r = client.post(URL, json=_request("Nein.", "TOXICITY", languages=languages))
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"].startswith("Attribute TOXICITY does not support request languages:")


def test_other_languages_are_dropped_on_request_without_judging(tmp_path: Path) -> None:
    judge = Recording()
    body = _request("Nein.", "TOXICITY", "INSULT", languages=["de"], dropUnsupportedAttributes=True)
    with TestClient(make_app(tmp_path, judge=judge)) as client:
        r = client.post(URL, json=body)
    assert r.status_code == 200, r.text
    assert r.json()["attributeScores"] == {} and r.json()["languages"] == ["de"]
    assert judge.seen == []


def test_span_scores_are_per_sentence_each_with_its_own_score(client: TestClient) -> None:
    text = "That is not what the report says. And I will hurt you.  Could you share it?"
    r = client.post(URL, json=_request(text, "TOXICITY", "THREAT", spanAnnotations=True))
    scores = r.json()["attributeScores"]
    for name in ("TOXICITY", "THREAT"):
        spans = scores[name]["spanScores"]
        assert [text[s["begin"] : s["end"]] for s in spans] == [
            "That is not what the report says.",
            "And I will hurt you.",
            "Could you share it?",
        ]
        values = [s["score"]["value"] for s in spans]
        assert values[1] == 0.85 and values[0] < 0.1 and values[2] < 0.1  # each its own
        assert scores[name]["summaryScore"]["value"] == 0.85


def test_one_sentence_is_one_span_over_the_comment(client: TestClient) -> None:
    text = "Could you share the source?"
    r = client.post(URL, json=_request(text, "TOXICITY", spanAnnotations=True))
    (span,) = r.json()["attributeScores"]["TOXICITY"]["spanScores"]
    assert (span["begin"], span["end"]) == (0, len(text))
    assert span["score"] == r.json()["attributeScores"]["TOXICITY"]["summaryScore"]


class ReadsTheStart(Recording):
    """Reads only the first :data:`WINDOW_CHARS` characters of a text, as the real judge reads
    only its first 128 word pieces."""

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        self.seen.extend(zip(texts, parents, strict=True))
        return RuleJudge.judge_batch(self, [t[:WINDOW_CHARS] for t in texts], parents)


CALM = "The council published the figures last week and they match the survey. " * 12


def test_an_insult_at_the_end_of_a_long_comment_counts(tmp_path: Path) -> None:
    judge = ReadsTheStart()
    text = CALM + "You are an idiot."
    assert len(text) > 2 * WINDOW_CHARS
    names = ("TOXICITY", "INSULT", "ATTACK_ON_COMMENTER", "REASONING_EXPERIMENTAL")
    with TestClient(make_app(tmp_path, judge=judge)) as client:
        long = _scores(client, text, *names)
        alone = _scores(client, "You are an idiot.", *names)
    for name in ("TOXICITY", "INSULT", "ATTACK_ON_COMMENTER"):
        assert long[name] == pytest.approx(alone[name], abs=0.1), name
    assert long["REASONING_EXPERIMENTAL"] < 0.5  # read off the whole comment, not its worst part
    read = {t for t, _ in judge.seen}
    parts = windows(text)
    assert parts[0][0] == 0 and parts[-1][1] == len(text)
    assert all(
        e - b <= WINDOW_CHARS and text[e:b2].isspace()
        for (b, e), (b2, _) in itertools.pairwise(parts)
    )
    assert {text} | {text[b:e] for b, e in parts} <= read  # the whole text and every window


def test_spans_cover_a_long_comment_to_its_end(tmp_path: Path) -> None:
    text = CALM + "You are an idiot."
    with TestClient(make_app(tmp_path, judge=ReadsTheStart())) as client:
        r = client.post(URL, json=_request(text, "INSULT", spanAnnotations=True))
    spans = r.json()["attributeScores"]["INSULT"]["spanScores"]
    assert len(spans) == 13 and spans[-1]["end"] == len(text)
    assert [s["begin"] for s in spans] == sorted(s["begin"] for s in spans)
    assert spans[-1]["score"]["value"] == 0.9 and spans[0]["score"]["value"] == 0.05


def test_a_short_comment_is_judged_once(tmp_path: Path) -> None:
    judge = Recording()
    with TestClient(make_app(tmp_path, judge=judge)) as client:
        _scores(client, "That is wrong, you idiot.", "TOXICITY", "INSULT")
    assert judge.seen == [("That is wrong, you idiot.", None)]


def test_long_posts_up_to_perspectives_limit_are_judged(client: TestClient) -> None:
    """Discourse cuts posts to 20 kB; a 400 for a long post would make it score 0 (fail open)."""
    text = "No, because the data says otherwise. " * 500  # 18,500 characters
    assert _scores(client, text, "TOXICITY")
    r = client.post(URL, json=_request("x" * 20_481, "TOXICITY"))
    assert r.status_code == 400 and "too long" in r.json()["error"]["message"]


def _everything_stored(app: Any) -> dict[str, list[dict[str, Any]]]:
    store = app.state.steelman.store
    tables = ("threads", "comments", "audit", "feedback", "bans", "meta")
    with store.backend.transaction() as cur:
        return {t: cur.execute(f"SELECT * FROM {t}") for t in tables}


def test_do_not_store_keeps_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    judge = Recording()
    app = make_app(tmp_path, judge=judge)
    secret = "My secret words, you idiot."
    context = {"entries": [{"text": "The private parent."}]}
    with TestClient(app) as client:
        before = _everything_stored(app)
        with caplog.at_level(logging.DEBUG):
            body = _request(secret, *PRODUCTION, doNotStore=True, context=context)
            assert client.post(URL, json=body).status_code == 200
        assert _everything_stored(app) == before  # nothing written to the database
        cache = app.state.steelman.batcher._cache
        assert not any(secret in key[0] for key in cache)  # nor to the judgement cache
        assert set(judge.forgotten) == {secret, "The private parent."}  # the judge is told
        assert secret not in caplog.text and "private parent" not in caplog.text
        # Without doNotStore the judgement is cached (the check above can see a cached one).
        client.post(URL, json=_request(secret, "TOXICITY"))
        assert any(secret == key[0] for key in cache)


def test_docs_list_every_attribute_with_the_models_figures(client: TestClient) -> None:
    page = client.get("/docs").text
    for attr in CATALOGUE:
        assert f"<code>{attr.name}</code>" in page
    for head, table in FAKE_METRICS["dev"]["roc_auc"].items():
        for figures in table.values():
            assert f"{figures['roc_auc']:.3f}" in page, head
    assert "0.654" in page  # CURIOSITY's figure: the question act's F1
    assert "0.432" in page  # the toxic-span head's character F1
    assert "Google" in page and "SEVERE_TOXICITY" in page


def test_docs_say_which_attributes_a_model_without_figures_does_not_serve(
    tmp_path: Path,
) -> None:
    with TestClient(make_app(tmp_path, judge=RuleJudge(metrics={}))) as client:
        page = client.get("/docs").text
    row = re.search(r"<code>CURIOSITY_EXPERIMENTAL</code>.*?</tr>", page, re.S)
    assert row is not None and "not served" in row.group(0)
