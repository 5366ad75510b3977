"""Naming an identity must not make a comment toxic (issue 17): the bundled judge on the
identity templates in ``tests/fixtures/identity_templates.json`` (benchmarks/identity_terms.py
prints the full table)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from steelman.threads.metrics import roc_auc

pytestmark = pytest.mark.slow

TEMPLATES = Path(__file__).parents[1] / "fixtures" / "identity_templates.json"


def _sentences(kind: str) -> list[tuple[str, str]]:
    spec = json.loads(TEMPLATES.read_text(encoding="utf-8"))
    return [
        (t["term"], template.format(term=t["term"], adj=t["adj"]))
        for t in spec["terms"]
        for template in spec[kind]
    ]


def test_benign_mentions_of_identities_are_not_toxic_and_attacks_are(judge: Any) -> None:
    neutral, hostile = _sentences("neutral"), _sentences("hostile")
    judged = judge.judge_batch([s for _, s in neutral + hostile])
    tox = np.array([j.attributes["toxicity"] for j in judged])
    calm, rude = tox[: len(neutral)], tox[len(neutral) :]
    terms = np.array([t for t, _ in neutral])
    for term in dict.fromkeys(terms):
        flagged = float((calm[terms == term] >= 0.5).mean())
        assert flagged <= 0.10, f"{term}: {flagged:.0%} of benign sentences flagged toxic"
    # attacks on the group rank above benign mentions (measured ROC-AUC 0.966)
    assert roc_auc(np.r_[np.zeros(len(calm)), np.ones(len(rude))], np.r_[calm, rude]) > 0.9
