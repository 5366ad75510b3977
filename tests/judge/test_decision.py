"""The level decision rule and the stacked heads' arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from steelman.judge.judge import decide_levels
from steelman.judge.linear import Head, LinearStack, sigmoid, softmax


def test_argmax_without_smoothing_or_override() -> None:
    p = np.array([[0.1, 0.1, 0.1, 0.4, 0.1, 0.1, 0.1]])
    assert decide_levels(p, np.array([0.0]), {}).tolist() == [3]


def test_smoothing_prefers_the_level_between_two_likely_neighbours() -> None:
    p = np.array([[0.0, 0.0, 0.0, 0.3, 0.0, 0.35, 0.35]])
    assert decide_levels(p, np.array([0.0]), {"smoothing": 0.0}).tolist() == [5]
    p2 = np.array([[0.0, 0.0, 0.0, 0.34, 0.32, 0.34, 0.0]])
    assert decide_levels(p2, np.array([0.0]), {}).tolist() == [3]
    assert decide_levels(p2, np.array([0.0]), {"smoothing": 0.5}).tolist() == [4]


def test_a_sure_attack_sits_at_dh0_or_dh1() -> None:
    p = np.array([[0.05, 0.15, 0.0, 0.8, 0.0, 0.0, 0.0]] * 2)
    out = decide_levels(p, np.array([0.95, 0.2]), {"attack_override": 0.9})
    assert out.tolist() == [1, 3]


def test_meta_model_reads_domain_terms_only_when_asked() -> None:
    head = Head("h", "binary", ["h"], experts=["tfidf"], domain_meta=True)
    logits = np.array([[2.0], [-1.0]], dtype=np.float32)
    x = LinearStack.meta_input(head, logits, np.array([1.0, 0.0]))
    assert x.tolist() == [[2.0, 1.0, 2.0], [-1.0, 0.0, -0.0]]
    with pytest.raises(ValueError, match="domain"):
        LinearStack.meta_input(head, logits, None)
    head.domain_meta = False
    assert LinearStack.meta_input(head, logits, None) is logits


def test_sigmoid_and_softmax_are_stable() -> None:
    assert sigmoid(np.array([-1000.0, 0.0, 1000.0])).tolist() == [0.0, 0.5, 1.0]
    s = softmax(np.array([[1000.0, 0.0], [0.0, 0.0]]))
    assert s.sum(axis=1) == pytest.approx([1.0, 1.0])
