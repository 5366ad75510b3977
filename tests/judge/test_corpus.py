"""Every labelled set read into multi-task samples, with fixed dev splits and no cut groups."""

from __future__ import annotations

from collections import Counter

import pytest

from datakit import shared_data
from steelman.data.corpus import BINARY_TASKS, READERS, _majority_spans, read_corpus
from steelman.errors import RecordError
from steelman.judge.finetune import balanced, token_targets


@pytest.fixture(scope="module")
def corpus():  # type: ignore[no-untyped-def]
    return read_corpus(shared_data())


def test_every_set_is_read_with_both_splits(corpus) -> None:  # type: ignore[no-untyped-def]
    seen = Counter((s.domain, s.split) for s in corpus)
    for domain in READERS:
        assert seen[(domain, "train")] > 0 and seen[(domain, "dev")] > 0, domain
    for s in corpus:
        assert set(s.labels) <= {*BINARY_TASKS, "answers"}
        assert all(v in (0.0, 1.0) for v in s.labels.values())


def test_no_group_is_cut_between_train_and_dev(corpus) -> None:  # type: ignore[no-untyped-def]
    splits: dict[tuple[str, str], set[str]] = {}
    for s in corpus:
        splits.setdefault((s.domain, s.group), set()).add(s.split)
    cut = [k for k, v in splits.items() if len(v) > 1 and k[0] not in ("ibm-argq", "insults")]
    assert not cut, cut[:5]


def test_labels_follow_the_data_readme(corpus) -> None:  # type: ignore[no-untyped-def]
    wiki = [s for s in corpus if s.domain == "wikitactics" and s.level is not None]
    # an attack is any DH0/DH1 label: every reply placed at DH0/DH1 is one, some higher ones too
    assert all(s.labels["attack"] == 1.0 for s in wiki if s.level is not None and s.level <= 1)
    assert any(s.labels["attack"] == 1.0 for s in wiki if s.level is not None and s.level > 1)
    pairs = [s for s in corpus if s.domain == "debagreement"]
    assert all(s.parent for s in pairs)
    assert all(s.labels["disagreement"] + s.labels["agreement"] <= 1 for s in pairs)
    spans = [s for s in corpus if s.domain == "toxic-spans"]
    assert sum(1 for s in spans if s.spans) > len(spans) // 2


def test_pair_sets_say_whether_a_reply_answers_its_parent(corpus) -> None:  # type: ignore[no-untyped-def]
    arguana = [s for s in corpus if s.domain == "arguana"]
    assert {s.labels["answers"] for s in arguana} == {0.0, 1.0}
    # an own counter is read as a refutation, another point's as at most a counterargument
    assert all(s.level == (5 if s.labels["answers"] else 4) for s in arguana)
    # a counter written to rebut its parent disagrees with it; another point's says nothing here
    assert all(
        s.labels.get("disagreement") == s.labels["answers"] or not s.labels["answers"]
        for s in arguana
    )
    assert all("disagreement" not in s.labels for s in arguana if not s.labels["answers"])
    own = {(s.text, s.parent) for s in arguana if s.labels["answers"]}
    other = {(s.text, s.parent) for s in arguana if not s.labels["answers"]}
    assert len(own & other) < 0.01 * len(own)  # a few points repeat word for word in the set
    tersely = [s for s in corpus if s.domain == "argtersely"]
    positives = {s.text: s.parent for s in tersely if s.labels["answers"]}
    negatives = [s for s in tersely if not s.labels["answers"]]
    assert len(negatives) > 0.9 * len(positives)  # a contrast for nearly every counter
    assert all(positives[s.text] != s.parent for s in negatives)


def test_majority_spans_need_half_the_raters() -> None:
    ratings = [
        {"spans": [{"start": 0, "end": 5, "type": "Insult"}]},
        {"spans": [{"start": 2, "end": 8, "type": "Insult"}]},
        {"spans": []},
    ]
    runs, types = _majority_spans("idiot fool", ratings)
    assert runs == [(2, 5)] and types == {"insult"}  # the characters two of three marked


def test_span_types_are_read_as_the_files_spell_them() -> None:
    """ToxicSpans writes "Profane/Obscene" and "Identity based Attack" (and a few cut short):
    reading only "Profane" and "Identity attack" left PROFANITY with no positive at all."""
    one = [{"start": 0, "end": 4, "type": "Profane/Obscene"}]
    ratings = [
        {"spans": [*one, {"start": 5, "end": 9, "type": "Profane/Obscene"}]},
        {"spans": [{"start": 0, "end": 9, "type": "Identity based Attack"}]},
        {"spans": [{"start": 0, "end": 4, "type": "Identity based "}, *one]},
        {"spans": [{"start": 0, "end": 4, "type": "Threat"}]},
    ]
    _, types = _majority_spans("damn them", ratings)
    assert types == {"profanity", "identity_attack"}  # two raters each; one drew two spans


def test_toxic_spans_carry_every_kind(corpus) -> None:  # type: ignore[no-untyped-def]
    spans = [s for s in corpus if s.domain == "toxic-spans"]
    for task in ("insult", "identity_attack", "threat", "profanity"):
        for split in ("train", "dev"):
            positives = sum(s.labels[task] for s in spans if s.split == split)
            assert positives >= 20, (task, split, positives)


def test_token_targets_mark_overlapping_tokens() -> None:
    y = token_targets([(0, 0), (0, 3), (4, 9), (10, 12), (0, 0)], [(4, 9)])
    assert y.tolist() == [0, 0, 1, 0, 0]


def test_balanced_draws_each_domain_to_its_quota(corpus) -> None:  # type: ignore[no-untyped-def]
    train = [s for s in corpus if s.split == "train"]
    drawn = balanced(train, {"cmv": 2000, "wikitactics": 10}, seed=1)
    counts = Counter(s.domain for s in drawn)
    assert counts["cmv"] == 2000 and counts["wikitactics"] == 10  # cmv repeated to its quota
    assert balanced(train, {"cmv": 50}, seed=1) == balanced(train, {"cmv": 50}, seed=1)


def test_unknown_set_is_an_error() -> None:
    with pytest.raises(RecordError, match="no data set 'nope'"):
        read_corpus(shared_data(), ("nope",))


def test_the_int8_calibration_sample_covers_every_domain_and_parents(corpus) -> None:  # type: ignore[no-untyped-def]
    from steelman.judge.train import calibration_texts

    train = [s for s in corpus if s.split == "train"]
    texts = calibration_texts(train, 256, seed=0)
    assert len(texts) == 256 and len(set(texts)) == 256
    domain_of: dict[str, str] = {}
    for s in train:
        domain_of.setdefault(s.text, s.domain)
    parents = {s.parent for s in train if s.parent}
    assert {domain_of[t] for t in texts if t in domain_of} == set(READERS)
    assert sum(t in parents for t in texts) >= 40
    assert calibration_texts(train, 256, seed=0) == texts
