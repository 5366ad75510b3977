"""Shared fixtures: the real bundled judge, and a small judge trained in the fixture."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def judge():  # type: ignore[no-untyped-def]
    """The bundled model, as users get it."""
    from steelman.judge import Judge

    return Judge.load()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A judge fine-tuned for a few steps on the small labelled fixture, exported and measured by
    the real training pipeline (under a minute, not forty)."""
    from steelman.judge.finetune import FinetuneConfig
    from steelman.judge.train import train_judge

    out = tmp_path_factory.mktemp("models") / "tiny"
    cfg = FinetuneConfig(quota={"wikitactics": 48, "cmv": 16}, limit_steps=4, batch=8)
    train_judge(
        FIXTURES / "labelled", out, version="0.0.1-test", cfg=cfg, domains=("wikitactics", "cmv")
    )
    return out


@pytest.fixture(scope="session")
def tiny_judge(tiny_model_dir):  # type: ignore[no-untyped-def]
    from steelman.judge import Judge

    return Judge.load(tiny_model_dir)
