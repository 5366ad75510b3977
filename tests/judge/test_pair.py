"""The pair head: does a reply answer its parent's point?"""

from __future__ import annotations

import numpy as np
import pytest

from steelman.data.corpus import Sample
from steelman.judge.pair import Lexicon, PairHead, contrast_pairs, fit_pair_head, fit_projection


def test_lexicon_weighs_rare_words_and_ignores_unknown_ones() -> None:
    lex = Lexicon.fit(
        ["the rent cap cut supply", "the rent rose", "the buses run late", "the buses rose"]
    )
    assert "cap" not in lex.idf  # seen in one text only: no evidence of anything
    assert lex.idf["rent"] > lex.idf["the"]
    assert lex.cosine("rent rose", "the rent rose") > lex.cosine("rent rose", "buses run late")
    assert lex.cosine("zzz qqq", "zzz qqq") == 0.0  # words it never saw count for nothing
    assert lex.cosine("rent", "rent") == pytest.approx(1.0)


def test_pair_head_round_trips_through_its_arrays() -> None:
    rng = np.random.default_rng(0)
    head = PairHead(
        rng.normal(size=(4, 4)).astype(np.float32),
        Lexicon({"rent": 1.5, "supply": 2.0}),
        np.asarray([1.0, 2.0], np.float32),
        -0.5,
    )
    arrays = head.arrays()
    assert arrays["lex_words"].dtype == np.uint8  # no pickle: the words as UTF-8 bytes
    back = PairHead.from_arrays(arrays)
    reply, parent = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    texts = [("rent supply", "rent"), ("rent", None)]
    assert np.allclose(head.features(reply, parent, texts), back.features(reply, parent, texts))
    feats = head.features(reply, parent, texts)
    assert feats[1].tolist() == [0.0, 0.0]  # no parent: nothing to answer


def _sample(text: str, parent: str, group: str, domain: str = "wikitactics") -> Sample:
    return Sample(text, parent, domain, group, "train", {})


def test_contrast_pairs_shuffle_parents_within_a_conversation() -> None:
    rows = [
        _sample("r1", "p1", "g1"),
        _sample("r2", "p2", "g1"),
        _sample("r3", "p3", "g1"),
        _sample("lonely", "p4", "g2"),  # one parent only: no contrast to draw
        Sample("c", "point", "arguana", "d", "train", {"answers": 0.0}),
    ]
    pairs = contrast_pairs(rows)
    assert sum(1 for s in pairs if s.domain == "arguana") == 1
    shuffled = [s for s in pairs if s.domain == "wikitactics"]
    assert len(shuffled) == 6
    own = {(s.text, s.parent) for s in shuffled if s.labels["answers"] == 1.0}
    assert own == {("r1", "p1"), ("r2", "p2"), ("r3", "p3")}
    for s in shuffled:
        if s.labels["answers"] == 0.0:
            assert s.parent in {"p1", "p2", "p3"} and (s.text, s.parent) not in own
    assert contrast_pairs(rows) == pairs  # a fixed draw


def test_projection_and_head_learn_which_reply_answers_which_parent() -> None:
    """Synthetic pairs: a reply is its parent's vector seen through a fixed distortion plus noise,
    so the raw cosine is weak and a learnt projection should undo it."""
    rng = np.random.default_rng(1)
    dim, n = 16, 240
    parents = rng.normal(size=(n, dim)).astype(np.float32)
    mix = np.eye(dim, dtype=np.float32)
    mix[:, :8] *= 0.05  # half the dimensions nearly lost in the reply
    replies = (parents @ mix + rng.normal(scale=0.5, size=(n, dim))).astype(np.float32)
    pooled: dict[str, np.ndarray] = {}
    samples = []
    for i in range(n):
        pooled[f"p{i}"], pooled[f"r{i}"] = parents[i], replies[i]
        samples.append(Sample(f"r{i}", f"p{i}", "arguana", f"d{i // 2}", "train", {"answers": 1.0}))
        j = (i + 7) % n
        samples.append(Sample(f"r{i}", f"p{j}", "arguana", f"d{i // 2}", "train", {"answers": 0.0}))
    proj = fit_projection(parents, replies, epochs=30)
    assert proj.shape == (dim, dim)
    head, info, oof = fit_pair_head(pooled, samples, Lexicon({}), folds=4)
    assert set(info["designs"]) == {"ArguAna alone", "labelled sets", "with shuffled pairs"}
    assert info["designs"][info["chosen"]]["grouped_cv_roc_auc"]["arguana"] > 0.8
    assert len(oof) == len(samples)
    logits = head.logits(
        head.features(replies, parents[np.arange(n)], [(f"r{i}", f"p{i}") for i in range(n)])
    )
    wrong = head.logits(
        head.features(replies, parents[(np.arange(n) + 7) % n], [(f"r{i}", "x") for i in range(n)])
    )
    assert float(np.mean(logits > wrong)) > 0.85
