"""The one decision module: its invariants over many random head outputs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from steelman.data.corpus import ACT_TASKS, BINARY_TASKS
from steelman.judge.decide import DEFAULT_THRESHOLDS, decide, level_distribution

CODES = [f"DH{i}" for i in range(7)]
logits = st.floats(min_value=-12, max_value=12, allow_nan=False)


@settings(max_examples=400, deadline=None)
@given(
    binary=st.lists(logits, min_size=len(BINARY_TASKS), max_size=len(BINARY_TASKS)),
    upper=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=5, max_size=5),
)
def test_decisions_agree_with_the_printed_probabilities(
    binary: list[float], upper: list[float]
) -> None:
    d = decide(np.array(binary), np.array(upper), BINARY_TASKS, ACT_TASKS)
    assert abs(sum(d.scores.values()) - 1.0) < 1e-3
    assert all(0.0 <= v <= 1.0 for v in d.scores.values())
    # one distribution: the side holding most of its mass, then that side's most probable level
    if d.level is not None:
        attack_side = d.scores["DH0"] + d.scores["DH1"] >= 0.5
        side = CODES[:2] if attack_side else CODES[2:]
        assert d.level in side and d.scores[d.level] == max(d.scores[c] for c in side)
        assert d.attack_flag == attack_side
        assert d.disagreement >= DEFAULT_THRESHOLDS["disagreement"]
    else:
        assert d.disagreement < DEFAULT_THRESHOLDS["disagreement"]
        assert not d.attack_flag
    # the attack probability is the mass on DH0 + DH1
    assert abs(d.scores["DH0"] + d.scores["DH1"] - d.attack) < 2e-3
    assert d.disagreement >= d.attack
    for a in d.act_labels:
        assert a in ACT_TASKS
    assert d.top_level == max(CODES, key=lambda c: d.scores[c])


def test_an_attack_is_named_only_when_most_of_the_mass_says_so() -> None:
    """P(attack) 0.45 makes DH1 the single most probable level (the rest is spread over five),
    but the model finds it more likely that the reply is not an attack: no attack flag."""
    binary = np.full(len(BINARY_TASKS), -6.0)
    binary[BINARY_TASKS.index("attack")] = np.log(0.45 / 0.55)
    binary[BINARY_TASKS.index("disagreement")] = 3.0
    d = decide(binary, np.full(5, 0.2), BINARY_TASKS, ACT_TASKS)
    assert d.top_level == "DH1" and d.level not in ("DH0", "DH1") and not d.attack_flag
    binary[BINARY_TASKS.index("attack")] = np.log(0.55 / 0.45)
    assert decide(binary, np.full(5, 0.2), BINARY_TASKS, ACT_TASKS).attack_flag


def test_the_answers_probability_is_reported_only_with_a_parent() -> None:
    binary = np.zeros(len(BINARY_TASKS))
    with_parent = decide(binary, np.full(5, 0.2), BINARY_TASKS, ACT_TASKS, answers=2.0)
    assert abs(with_parent.extra["answers"] - 0.8808) < 1e-3
    assert "answers" not in decide(binary, np.full(5, 0.2), BINARY_TASKS, ACT_TASKS).extra


def test_level_distribution_splits_the_attack_and_the_rest() -> None:
    dist = level_distribution(0.8, 0.25, np.array([0.0, 0.0, 1.0, 0.0, 0.0]))
    assert np.allclose(dist, [0.2, 0.6, 0.0, 0.0, 0.2, 0.0, 0.0])
    uniform = level_distribution(0.0, 0.5, np.zeros(5))  # no information: the five alike
    assert np.allclose(uniform[2:], 0.2)


def test_off_the_scale_reply_gets_its_most_likely_act() -> None:
    binary = np.full(len(BINARY_TASKS), -6.0)
    binary[BINARY_TASKS.index("question")] = -0.5  # 0.38: under the act threshold
    d = decide(binary, np.full(5, 0.2), BINARY_TASKS, ACT_TASKS)
    assert d.level is None and d.act_labels == ("question",)
