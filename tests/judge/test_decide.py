"""The one decision module: its invariants over many random head outputs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from steelman.data.corpus import ACT_TASKS, BINARY_TASKS
from steelman.judge.decide import DEFAULT_THRESHOLDS, decide, level_distribution
from steelman.judge.network import ordinal_probs

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
    # an attack flag means DH0 or DH1, and only then
    if d.level is not None:
        assert (d.level in ("DH0", "DH1")) == (d.attack >= DEFAULT_THRESHOLDS["attack"])
        allowed = CODES[:2] if d.level in ("DH0", "DH1") else CODES[2:]
        # the level shown is the most probable allowed level
        assert d.scores[d.level] == max(d.scores[c] for c in allowed)
        assert d.disagreement >= DEFAULT_THRESHOLDS["disagreement"]
    else:
        assert d.disagreement < DEFAULT_THRESHOLDS["disagreement"]
        assert d.attack < DEFAULT_THRESHOLDS["attack"]
    # the attack probability is the mass on DH0 + DH1
    assert abs(d.scores["DH0"] + d.scores["DH1"] - d.attack) < 2e-3
    assert d.disagreement >= d.attack
    for a in d.act_labels:
        assert a in ACT_TASKS
    assert d.top_level == max(CODES, key=lambda c: d.scores[c])


def test_ordinal_logits_order_the_upper_levels() -> None:
    low = ordinal_probs(np.array([[-6.0, -7.0, -8.0, -9.0]]))[0]
    high = ordinal_probs(np.array([[9.0, 8.0, 7.0, 6.0]]))[0]
    assert int(np.argmax(low)) == 0 and int(np.argmax(high)) == 4
    # cumulative logits that cross are made monotone, never negative probabilities
    crossed = ordinal_probs(np.array([[-3.0, 3.0, -3.0, 3.0]]))[0]
    assert (crossed >= 0).all() and abs(crossed.sum() - 1) < 1e-9


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
