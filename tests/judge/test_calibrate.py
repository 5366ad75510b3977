"""Calibrated probabilities, and thresholds that move with them so decisions stay put."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from steelman.judge.calibrate import _platt, apply_calibration, ece, moved_thresholds


def test_ece_of_perfect_and_of_overconfident_scores() -> None:
    y = np.array([1, 0] * 50, dtype=float)
    assert ece(np.full(100, 0.5), y) == 0.0  # half right, scored one half
    assert abs(ece(np.where(y == 1, 0.99, 0.01), y) - 0.01) < 1e-9
    assert abs(ece(np.full(100, 0.9), y) - 0.4) < 1e-9


def test_platt_map_fixes_an_overconfident_head() -> None:
    rng = np.random.default_rng(0)
    z_true = rng.normal(scale=1.5, size=4000)
    y = (rng.random(4000) < 1 / (1 + np.exp(-z_true))).astype(float)
    z_head = 3.0 * z_true + 2.0  # too sure, and biased: what a class-balanced head looks like
    before = ece(1 / (1 + np.exp(-z_head)), y)
    a, b = _platt(z_head, y)
    after = ece(1 / (1 + np.exp(-(a * z_head + b))), y)
    assert abs(a - 1 / 3) < 0.05 and before > 0.1 and after < 0.03


@settings(max_examples=300, deadline=None)
@given(
    a=st.floats(0.05, 5.0),
    b=st.floats(-5.0, 5.0),
    z=st.floats(-10.0, 10.0),
    th=st.floats(0.05, 0.95),
)
def test_a_moved_threshold_keeps_every_decision(a: float, b: float, z: float, th: float) -> None:
    maps = {"question": [a, b], "disagreement": [a, b]}
    moved = moved_thresholds({"act": th, "disagreement": th}, ["question"], maps)
    binary = np.array([[z, z]])
    apply_calibration(binary, ["question", "disagreement"], maps)
    before = 1 / (1 + np.exp(-z)) >= th
    if abs(1 / (1 + np.exp(-z)) - th) > 1e-4:  # not on the boundary itself
        assert (1 / (1 + np.exp(-binary[0, 0])) >= moved["act.question"]) == before
        assert (1 / (1 + np.exp(-binary[0, 1])) >= moved["disagreement"]) == before
