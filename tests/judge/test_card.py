"""The bundled model against its card: `steelman eval`'s figures are the card's figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from steelman import Judge
from steelman.data.corpus import read_corpus
from steelman.judge.evaluate import evaluate, textbook
from steelman.judge.model import bundled_model_dir
from steelman.judge.train import dev_samples

# shared/ sits beside the checkout, as on developers' machines and in CI
DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
TEXTBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "textbook.json"
CARD = json.loads((bundled_model_dir() / "config.json").read_text())["metrics"]


@pytest.mark.slow
def test_wikitactics_and_cmv_figures_reproduce_the_card(judge: Judge) -> None:
    assert DATA.is_dir(), f"the labelled data is missing: {DATA}"
    got = evaluate(judge, dev_samples(read_corpus(DATA, ("wikitactics", "cmv"))))
    want = CARD["dev"]
    for head in ("attack", "disagreement"):
        for domain, fig in got["roc_auc"][head].items():
            assert fig == want["roc_auc"][head][domain], (head, domain)
    for key in ("level_macro_f1", "level_macro_f1_ci", "within_one", "per_level_f1"):
        assert got["levels"][key] == pytest.approx(want["levels"][key], abs=1e-9), key
    assert got["acts"]["macro_f1"] == pytest.approx(want["acts"]["macro_f1"])
    assert got["acts"]["per_act_f1"] == want["acts"]["per_act_f1"]


def test_textbook_figure_reproduces_the_card(judge: Judge) -> None:
    got = textbook(judge, TEXTBOOK)
    assert got["level_exact"] == pytest.approx(CARD["textbook"]["level_exact"])
    assert got["per_expected"] == CARD["textbook"]["per_expected"]


def test_card_quotes_the_measured_figures() -> None:
    card = (bundled_model_dir() / "README.md").read_text()
    lv = CARD["dev"]["levels"]
    assert f"{lv['level_macro_f1']:.3f}" in card and f"{lv['within_one']:.3f}" in card
    assert f"{CARD['dev']['roc_auc']['attack']['cmv']['roc_auc']:.3f}" in card
