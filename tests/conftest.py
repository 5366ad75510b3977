"""Shared fixtures: the real bundled judge, and a small judge trained in the fixture."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def encoder():  # type: ignore[no-untyped-def]
    from steelman.judge import Encoder

    return Encoder()


@pytest.fixture(scope="session")
def judge(encoder):  # type: ignore[no-untyped-def]
    """The bundled model, as users get it."""
    from steelman.judge import Judge

    return Judge.load(encoder=encoder)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, encoder):  # type: ignore[no-untyped-def]
    """A judge trained on the small labelled fixture (seconds, not minutes)."""
    from steelman.judge.train import TrainConfig
    from steelman.judge.training import train_judge

    out = tmp_path_factory.mktemp("models") / "tiny"
    train_judge(
        FIXTURES / "labelled", out, version="0.0.1-test", cfg=TrainConfig(folds=3), encoder=encoder
    )
    return out


@pytest.fixture(scope="session")
def tiny_judge(tiny_model_dir, encoder):  # type: ignore[no-untyped-def]
    from steelman.judge import Judge

    return Judge.load(tiny_model_dir, encoder=encoder)
