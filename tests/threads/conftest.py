"""Fixtures for the thread analysis: a keyword judge, a heated thread, a hand-set model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from threadkit import KeywordJudge, make_thread, write_cga, write_wikitactics

from steelman.data.formats import Thread
from steelman.threads import FEATURE_NAMES, EscalationModel


@pytest.fixture
def keyword_judge() -> KeywordJudge:
    return KeywordJudge()


@pytest.fixture
def heated() -> Thread:
    """Calm at first, then ann turns on bob, who stays calm."""
    return make_thread(
        [
            ("c1", None, "ann", "The bridge should be rebuilt in steel."),
            ("c2", "c1", "bob", "No, concrete is cheaper because it needs less upkeep."),
            ("c3", "c2", "ann", "Where did you get the upkeep figures?"),
            ("c4", "c3", "bob", "You wrote 'less upkeep' but the 2019 audit says otherwise."),
            ("c5", "c4", "ann", "You are a liar with an agenda."),
            ("c6", "c5", "bob", "That misses the central point: cost over fifty years."),
            ("c7", "c6", "ann", "Only an idiot would say that."),
        ]
    )


@pytest.fixture
def tiny_model() -> EscalationModel:
    """A hand-set escalation model: more attacks, more risk."""
    k = len(FEATURE_NAMES)
    coef = np.zeros(k)
    coef[FEATURE_NAMES.index("attack_share")] = 3.0
    return EscalationModel(
        features=FEATURE_NAMES,
        mean=np.full(k, 0.2),
        scale=np.ones(k),
        coef=coef,
        intercept=-0.5,
        version="test",
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return write_cga(write_wikitactics(tmp_path / "data"))
