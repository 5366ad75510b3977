"""The bundled model against its card, on any CPU: figures within a tolerance of the card's for
the kernels in use, fixed quality floors on all twelve domains, and broken models that fail them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from datakit import REQUIRE_DATA, shared_data
from steelman import Judge
from steelman.data.corpus import Sample, read_corpus
from steelman.judge.checks import FLOORS, TOLERANCE, card_figures, check_figures
from steelman.judge.evaluate import evaluate, textbook
from steelman.judge.model import bundled_model_dir
from steelman.judge.network import sha256_file
from steelman.judge.result import Judgement
from steelman.judge.train import dev_samples

TEXTBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "textbook.json"
CONFIG = json.loads((bundled_model_dir() / "config.json").read_text())


@pytest.fixture(scope="module")
def dev() -> list[Sample]:
    return dev_samples(read_corpus(shared_data()))


@pytest.fixture(scope="module")
def wiki_cmv(dev: list[Sample]) -> list[Sample]:
    return [s for s in dev if s.domain in ("wikitactics", "cmv")]


def _card(judge: Judge) -> dict[str, object]:
    card = card_figures(CONFIG, judge.model.network.kernels)
    assert card is not None, f"the card has no figures for {judge.model.network.kernels}"
    return card


@pytest.mark.slow
def test_all_twelve_domains_hold_the_card_and_the_floors(judge: Judge, dev: list[Sample]) -> None:
    got = {"dev": evaluate(judge, dev, rounds=200)}
    assert len({s.domain for s in dev}) == 12
    assert set(got["dev"]["answers"]) == {"arguana", "argtersely"}
    assert check_figures(got, _card(judge)) == []


def test_textbook_holds_the_card_and_the_floor(judge: Judge) -> None:
    got = {"textbook": textbook(judge, TEXTBOOK)}
    assert check_figures(got, _card(judge)) == []


def test_both_kinds_of_kernels_have_card_figures() -> None:
    for kernels in ("int8", "float"):
        card = card_figures(CONFIG, kernels)
        assert card is not None and check_figures(card) == [], kernels
    assert set(CONFIG["metrics"]["measured_on"]) == {"int8", "float"}


class _AlwaysDH3:
    """A judge that answers every reply DH3: a disagreement, no attack, no act."""

    def __init__(self, real: Judge) -> None:
        self.real = real

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        j = self.real("That is not true.")
        return [j] * len(texts)


@pytest.mark.slow
def test_a_model_that_always_says_dh3_fails(judge: Judge, wiki_cmv: list[Sample]) -> None:
    got = {
        "dev": evaluate(_AlwaysDH3(judge), wiki_cmv, rounds=20),
        "textbook": textbook(_AlwaysDH3(judge), TEXTBOOK),
    }
    problems = check_figures(got)
    assert any(p.startswith("level_macro_f1") for p in problems), problems
    assert any(p.startswith("roc_auc/attack/cmv") for p in problems), problems
    assert any(p.startswith("textbook_level_exact") for p in problems), problems


@pytest.mark.slow
def test_an_encoder_with_shuffled_weights_fails(tmp_path: Path, wiki_cmv: list[Sample]) -> None:
    import onnx
    from onnx import numpy_helper

    src = bundled_model_dir()
    model = onnx.load(str(src / "encoder.onnx"))
    rng = np.random.default_rng(0)
    for init in model.graph.initializer:
        arr = numpy_helper.to_array(init)
        if arr.size >= 4096:  # the weight matrices and embeddings, not scales or shapes
            shuffled = rng.permutation(arr.reshape(-1)).reshape(arr.shape)
            init.CopyFrom(numpy_helper.from_array(shuffled, init.name))
    broken = tmp_path / "broken"
    broken.mkdir()
    onnx.save(model, str(broken / "encoder.onnx"))
    for name in ("tokenizer.json", "heads.npz"):
        shutil.copyfile(src / name, broken / name)
    config = dict(CONFIG, files={n: sha256_file(broken / n) for n in CONFIG["files"]})
    (broken / "config.json").write_text(json.dumps(config))
    bad = Judge.load(broken)
    problems = check_figures({"dev": evaluate(bad, wiki_cmv, rounds=20)}, _card(bad))
    assert any(p.startswith("roc_auc/attack/wikitactics") for p in problems), problems
    assert any("from the card's" in p for p in problems), problems


def test_figures_off_the_card_by_more_than_the_tolerance_fail() -> None:
    card = card_figures(CONFIG, "int8")
    assert card is not None
    moved = json.loads(json.dumps(card))
    auc = moved["dev"]["roc_auc"]["attack"]["cmv"]
    auc["roc_auc"] += TOLERANCE["roc_auc"] * 0.9
    assert check_figures(moved, card) == []
    auc["roc_auc"] += TOLERANCE["roc_auc"] * 0.2
    (problem,) = check_figures(moved, card)
    assert problem.startswith("roc_auc/attack/cmv") and "tolerance" in problem


def test_a_figure_under_its_floor_fails_whatever_the_card_says() -> None:
    card = card_figures(CONFIG, "float")
    assert card is not None
    low = json.loads(json.dumps(card))
    low["dev"]["levels"]["within_one"] = FLOORS["within_one"] - 0.01
    problems = check_figures(low, low)
    assert problems == [f"within_one {FLOORS['within_one'] - 0.01:.3f} is under its floor 0.65"]


def test_card_quotes_the_measured_figures() -> None:
    card = (bundled_model_dir() / "README.md").read_text()
    dev = CONFIG["metrics"]["dev"]
    lv = dev["levels"]
    assert f"{lv['level_macro_f1']:.3f}" in card and f"{lv['within_one']:.3f}" in card
    assert f"{dev['roc_auc']['attack']['cmv']['roc_auc']:.3f}" in card
    flt = CONFIG["metrics"]["by_kernels"]["float"]["dev"]["levels"]
    assert f"level macro-F1 {flt['level_macro_f1']:.3f}" in card
    for cpu in CONFIG["metrics"]["measured_on"].values():
        assert cpu in card


def test_missing_data_says_what_and_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_DATA, raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        shared_data("cga", root=tmp_path / "nowhere")
    message = str(skipped.value)
    assert str(tmp_path / "nowhere" / "cga") in message
    assert "TEST_SHARED_DATA" in message and "git clone" in message
    monkeypatch.setenv(REQUIRE_DATA, "1")
    with pytest.raises(pytest.fail.Exception, match="the labelled data is missing"):
        shared_data("cga", root=tmp_path / "nowhere")
    assert shared_data("", root=tmp_path) == tmp_path
