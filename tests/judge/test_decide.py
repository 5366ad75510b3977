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
    upper=st.lists(logits, min_size=4, max_size=4),
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
    low = level_distribution(0.0, 0.5, np.array([-6.0, -7.0, -8.0, -9.0]))
    high = level_distribution(0.0, 0.5, np.array([9.0, 8.0, 7.0, 6.0]))
    assert int(np.argmax(low)) == 2 and int(np.argmax(high)) == 6
    # cumulative logits that cross are made monotone, never negative probabilities
    crossed = level_distribution(0.0, 0.5, np.array([-3.0, 3.0, -3.0, 3.0]))
    assert (crossed >= 0).all() and abs(crossed.sum() - 1) < 1e-9


def test_off_the_scale_reply_gets_its_most_likely_act() -> None:
    binary = np.full(len(BINARY_TASKS), -6.0)
    binary[BINARY_TASKS.index("question")] = -0.5  # 0.38: under the act threshold
    d = decide(binary, np.zeros(4), BINARY_TASKS, ACT_TASKS)
    assert d.level is None and d.act_labels == ("question",)
