"""The labelled-data readers and the mapping of the paper's labels onto Graham's levels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from steelman import RecordError
from steelman.data.labelled import (
    map_coordination_label,
    map_rebuttal_label,
    read_cmv,
    read_wikitactics,
    wikitactics_parents,
)
from steelman.levels import LEVELS, act, level

FIXTURES = Path(__file__).parent.parent / "fixtures" / "labelled"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("DH-1: Bailing out", "bailing_out"),
        ("DH0: Name calling/hostility", 0),
        ("DH1: Attacks to the person or argument", 1),
        ("DH2: Attempted derailing / off-topic comments", "derailing"),
        ("DH3: Policing the discussion", 2),
        ("DH4: Stating your stance without evidence or reasoning", 3),
        ("DH5: Counterargument with new evidence / reasoning", 4),
        ("DH6: Refutation", 5),
        ("DH7: Refuting the central point", 6),
        ("Nonsense", None),
    ],
)
def test_rebuttal_labels_map_onto_grahams_scale(label: str, expected: object) -> None:
    assert map_rebuttal_label(label) == expected


def test_coordination_labels_map_onto_acts() -> None:
    assert map_coordination_label("Asking questions") == "question"
    assert map_coordination_label("Conceding / recanting") == "concession"
    assert map_coordination_label("Other: Quote") is None
    for code in ("question", "clarification", "compromise", "concession", "context"):
        assert act(code).name


def test_parent_is_the_latest_other_speaker() -> None:
    utts = [{"username": "a"}, {"username": "b"}, {"username": "b"}, {"username": "a"}]
    assert wikitactics_parents(utts) == [None, 0, 0, 2]


def test_wikitactics_fixture_reads_with_top_level_and_parent() -> None:
    ex = read_wikitactics(FIXTURES / "wikitactics" / "train.json")
    assert len(ex) == 72
    assert ex[0].parent is None and ex[1].parent == ex[0].text
    assert {e.level for e in ex} >= {0, 1, 2, 3, 4, 5, None}
    assert any(e.attack for e in ex) and any("question" in e.acts for e in ex)


def test_cmv_fixture_labels_attacks() -> None:
    ex = list(read_cmv(FIXTURES / "cmv-attacks" / "dev.jsonl"))
    assert len(ex) == 30 and sum(e.attack for e in ex) == 15
    assert all(e.labelled_level is False and e.disagreement for e in ex)


def test_cmv_missing_field_lists_the_fields_seen(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps({"reply": "x", "label": "attack"}) + "\n" + json.dumps({"body": "y"}) + "\n"
    )
    with pytest.raises(
        RecordError, match=r"line 2, field 'reply': missing field; fields seen: body"
    ):
        list(read_cmv(bad))


def test_cmv_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(
        b'{"reply": "ok", "label": "attack"}\n{"reply": "\xff\xfe", "label": "attack"}\n'
    )
    with pytest.raises(RecordError, match=r"line 2.*UTF-8"):
        list(read_cmv(bad))


def test_wikitactics_wrong_shape_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "w.json"
    bad.write_text(json.dumps([{"conv_id": "1", "utterances": [{"username": "a"}]}]))
    with pytest.raises(RecordError, match=r"utterance 0 has no 'text'"):
        read_wikitactics(bad)


def test_levels_are_ordered_and_each_says_how_to_climb() -> None:
    assert [lv.code for lv in LEVELS] == [f"DH{i}" for i in range(7)]
    assert level("dh1") is level(1) is LEVELS[1]
    assert all(lv.climb for lv in LEVELS)
    with pytest.raises(KeyError):
        level("DH9")
