"""Suggestions fitted to the reply, the pair cues, and evidence phrases from the bundled model."""

from __future__ import annotations

import numpy as np
import pytest

from steelman import Judge
from steelman.judge.cues import CUE_NAMES, answered_sentence, central_sentence, cue_vector
from steelman.judge.decide import Decision
from steelman.judge.explain import suggestion

PARENT = (
    "Rent control is the best way to make housing affordable. Cities that capped rents kept"
    " families in their homes. We should cap rent increases at 2% a year."
)


def decision(level: str | None, acts: tuple[str, ...] = ()) -> Decision:
    scores = {f"DH{i}": 0.0 for i in range(7)}
    if level:
        scores[level] = 1.0
    return Decision(level, scores, 0.0, 0.9 if level else 0.1, {}, acts, level or "DH3", {})


def test_contradiction_without_reasons_is_asked_for_the_reason() -> None:
    s = suggestion(decision("DH3"), "No, that is wrong.", PARENT, gives_reasons=False)
    assert "reason" in s


def test_a_reply_that_gives_reasons_is_never_asked_to_add_them() -> None:
    for level in ("DH3", "DH4", "DH5", "DH6"):
        s = suggestion(decision(level), "It is wrong because supply falls.", PARENT, True)
        assert "add the reason" not in s.lower(), level


def test_counterargument_is_asked_to_quote_the_sentence_it_answers() -> None:
    text = "Capped rents mean landlords stop maintaining the families' homes, because..."
    s = suggestion(decision("DH4"), text, PARENT, True)
    assert "Quote the sentence you answer" in s and "families in their homes" in s


def test_a_reply_that_quotes_them_is_not_asked_to_quote() -> None:
    text = 'You say "cities that capped rents kept families in their homes", but evictions rose.'
    for level in ("DH3", "DH4"):
        s = suggestion(decision(level), text, PARENT, True, quotes_them=True)
        assert "Quote the sentence" not in s and "central" in s, level


def test_bundled_judge_does_not_ask_a_quoting_reply_to_quote(judge: Judge) -> None:
    text = (
        'You say "cities that capped rents kept families in their homes", but the city\'s own'
        " data shows evictions rose by a third after the cap, because landlords sold up."
    )
    assert "Quote the sentence" not in judge(text, parent=PARENT).suggestion


def test_refutation_is_pointed_at_the_central_point() -> None:
    text = 'You say "we should cap rent increases at 2% a year", but 2% is below inflation.'
    s = suggestion(decision("DH5"), text, PARENT, True)
    assert "central" in s


def test_attack_is_asked_which_sentence_it_disagrees_with_quoting_the_parent() -> None:
    s = suggestion(decision("DH1"), "You're a landlord, of course you'd say that.", PARENT, False)
    assert "which sentence of theirs" in s and "They wrote:" in s


def test_not_a_disagreement_names_the_act() -> None:
    s = suggestion(decision(None, ("question",)), "Which cities?", PARENT, False)
    assert "Not a disagreement" in s and "question" in s


def test_cues_see_quotes_reasons_and_the_answered_sentence() -> None:
    text = 'You wrote "cities that capped rents kept families in their homes", because of data.'
    v = dict(zip(CUE_NAMES, cue_vector(text, PARENT).tolist(), strict=True))
    assert v["has_parent"] == 1.0 and v["quote_marked"] == 1.0 and v["quoted_share"] > 0.5
    assert v["reasons"] > 0 and v["evidence"] > 0
    answered = answered_sentence(text, PARENT)
    assert answered is not None and answered.text.startswith("Cities that capped")
    assert PARENT[answered.start : answered.end] == answered.text
    assert central_sentence(None) is None
    assert np.all(np.isfinite(cue_vector("x", None)))


@pytest.mark.parametrize(
    "text",
    [
        "You are an idiot and a troll.",
        "Which source did you take that number from?",
        "I disagree, because the census counts residents, not citizens.",
    ],
)
def test_evidence_points_into_the_reply_and_names_a_reason(judge: Judge, text: str) -> None:
    j = judge(text, parent=PARENT)
    for ev in j.because:
        assert text[ev.start : ev.end] == ev.text and ev.reason and ev.points_to


def test_token_attributions_add_up_to_the_heads_linear_term(judge: Judge) -> None:
    """The evidence is the model's own: the tokens' shares sum to the head's term in the reply."""
    from steelman.judge.explain import _attribution

    net = judge.model.network
    text = "You say the cap kept families housed, but the data shows evictions rose."
    reply, parent_enc = net.encode([text, PARENT])
    cues = np.stack([cue_vector(text, PARENT)])
    answers = net.answers(reply.pooled[None, :], parent_enc.pooled[None, :], [(text, PARENT)])
    head = net.forward(reply.pooled[None, :], parent_enc.pooled[None, :], cues, answers)
    for target in ("attack", "disagreement", "question", "DH4", "DH5"):
        shares = _attribution(net, reply, parent_enc.pooled, head, 0, target, judge.model.tasks)
        direction = net.direction(target, judge.model.tasks, parent_enc.pooled, head.pre[0])
        assert shares.sum() == pytest.approx(float(direction @ reply.pooled), rel=1e-4, abs=1e-6)
