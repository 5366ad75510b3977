"""The real judge's side of site layers: pooled vectors, and `steelman adapt` on a site with too
few decisions (the judge loads, nothing is fitted, the refusal says why)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from steelman.cli import cli


@pytest.mark.slow
def test_pooled_vectors_are_the_encoders_and_remembered(judge: Any) -> None:
    texts = ["You clearly never read it.", "Which source is that?"]
    judge.judge_batch(texts, [None, None])
    pooled = judge.pooled(texts)
    direct = np.stack([e.pooled for e in judge.model.network.encode(texts)])
    assert pooled.shape == (2, judge.model.network.dim)
    assert np.allclose(pooled, direct, atol=1e-5)
    assert judge.pooled([]).shape == (0, judge.model.network.dim)


@pytest.mark.slow
def test_adapt_refuses_a_site_without_decisions(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    out = CliRunner().invoke(cli, ["adapt", "--database", db, "--layers", str(tmp_path / "l")])
    assert out.exit_code == 1
    assert "refused: too few decisions: 0" in out.output and "about 100 more" in out.output
    assert not (tmp_path / "l").exists()
