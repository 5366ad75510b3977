"""The numpy metrics against hand-computed values."""

from __future__ import annotations

import math

import pytest

from steelman.judge.metrics import (
    confusion,
    expected_calibration_error,
    macro_f1,
    roc_auc,
    within_one,
)


def test_roc_auc_counts_pairs_and_ties() -> None:
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert roc_auc([0, 1], [0.5, 0.5]) == pytest.approx(0.5)
    assert roc_auc([1, 1], [0.2, 0.3]) != roc_auc([1, 1], [0.2, 0.3])  # NaN: one class only


def test_macro_f1_ignores_labels_absent_from_the_truth() -> None:
    y = [0, 0, 1, 1]
    pred = [0, 1, 1, 1]
    # class 0: P=1, R=.5, F1=2/3; class 1: P=2/3, R=1, F1=.8; class 2 absent from y
    assert macro_f1(y, pred, [0, 1, 2]) == pytest.approx((2 / 3 + 0.8) / 2)


def test_within_one_and_confusion() -> None:
    assert within_one([0, 3, 6], [1, 5, 6]) == pytest.approx(2 / 3)
    m = confusion([0, 1, 1], [0, 0, 1], 2)
    assert m.tolist() == [[1, 0], [1, 1]]


def test_ece_is_zero_when_calibrated_and_large_when_not() -> None:
    assert expected_calibration_error([1, 0], [1.0, 0.0]) == pytest.approx(0.0)
    assert expected_calibration_error([0, 0, 0, 0], [0.95] * 4) == pytest.approx(0.95)
    assert math.isnan(expected_calibration_error([], []))
