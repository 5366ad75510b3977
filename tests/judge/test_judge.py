"""The bundled judge on real replies: shapes, levels, evidence, determinism, bad input."""

from __future__ import annotations

import pytest

from steelman import Judge, Judgement, TextError
from steelman.levels import LEVELS

INSULT = "You are an idiot and a troll, shut up."
COUNTER = (
    "I disagree, because the census counts residents rather than citizens, so the 12% figure"
    " you quote overstates the change; the 2011 report gives 7%."
)
QUESTION = "Which source did you take that number from?"


def test_one_reply_gives_one_judgement(judge: Judge) -> None:
    j = judge("You clearly never read the article.", parent="The study found a 12% drop.")
    assert isinstance(j, Judgement)
    assert set(j.scores) == {lv.code for lv in LEVELS}
    assert sum(j.scores.values()) == pytest.approx(1.0, abs=1e-3)
    assert 0.0 <= j.disagreement <= 1.0 and 0.0 <= j.attack <= 1.0
    assert j.model["name"] == "steelman-judge"
    assert j.suggestion


def test_list_in_list_out(judge: Judge) -> None:
    out = judge([INSULT, COUNTER, QUESTION], parent=["Rents fell.", None, "Rents fell 12%."])
    assert isinstance(out, list) and len(out) == 3
    assert all(isinstance(j, Judgement) for j in out)


def test_insult_reads_as_an_attack(judge: Judge) -> None:
    j = judge(INSULT, parent="The article says rents fell after the policy.")
    assert j.attack > 0.5
    assert j.level in ("DH0", "DH1")
    assert any("idiot" in e.text or "troll" in e.text for e in j.because)


def test_reasoned_reply_ranks_above_the_insult(judge: Judge) -> None:
    insult, counter = judge([INSULT, COUNTER], parent=["Rents fell 12%.", "Rents fell 12%."])
    assert counter.attack < insult.attack
    assert counter.level is not None
    rank = [lv.code for lv in LEVELS].index(counter.level)
    assert rank >= 3


def test_question_is_an_act_not_forced_onto_the_scale(judge: Judge) -> None:
    j = judge(QUESTION, parent="Rents fell 12% after the policy.")
    assert j.act_labels == ("question",)


def test_evidence_spans_point_into_the_reply(judge: Judge) -> None:
    for text in (INSULT, COUNTER, QUESTION):
        j = judge(text, parent="Rents fell 12%.")
        assert j.because, text
        for ev in j.because:
            assert text[ev.start : ev.end] == ev.text
            assert ev.reason


def test_judgement_is_the_same_whatever_the_batch(judge: Judge) -> None:
    alone = judge(COUNTER, parent="Rents fell 12%.")
    batched = judge([INSULT, COUNTER, QUESTION], parent=["x", "Rents fell 12%.", None])[1]
    assert alone.to_dict() == batched.to_dict()


def test_parent_is_an_input(judge: Judge) -> None:
    a = judge("That is wrong.", parent="The sky is green.")
    b = judge("That is wrong.")
    assert a.scores != b.scores


def test_to_dict_has_the_documented_keys(judge: Judge) -> None:
    d = judge(COUNTER).to_dict()
    for key in (
        "level",
        "scores",
        "disagreement",
        "attack",
        "acts",
        "because",
        "suggestion",
        "model",
    ):
        assert key in d
    assert d["because"][0].keys() >= {"start", "end", "text", "reason"}


@pytest.mark.parametrize("bad", ["", "   \n\t ", None, 42])
def test_empty_or_non_text_is_refused(judge: Judge, bad: object) -> None:
    with pytest.raises(TextError, match="text"):
        judge(bad)  # type: ignore[arg-type]


def test_empty_text_in_a_batch_names_its_position(judge: Judge) -> None:
    with pytest.raises(TextError, match="text 1"):
        judge(["fine", "  "])


def test_one_megabyte_reply_is_judged(judge: Judge) -> None:
    text = ("This is wrong because the figures disagree. " * 25000)[:1_000_000]
    j = judge(text)
    assert all(ev.end <= len(text) for ev in j.because)


def test_control_characters_keep_spans_valid(judge: Judge) -> None:
    text = "You\x00 are an\x07 idiot\x1b[31m, clearly."
    j = judge(text)
    assert j.because
    for ev in j.because:
        assert text[ev.start : ev.end] == ev.text


def test_mismatched_parents_are_refused(judge: Judge) -> None:
    with pytest.raises(TextError, match="2 texts but 1 parents"):
        judge.judge_batch(["a b", "c d"], ["p"])


def test_each_distinct_text_is_embedded_once(judge: Judge) -> None:
    calls: list[str] = []
    net = judge.model.network
    real = net.encode

    def counting(texts, **kwargs):  # type: ignore[no-untyped-def]
        calls.extend(texts)
        return real(texts, **kwargs)

    net.encode = counting  # type: ignore[method-assign]
    try:
        a, b = "First comment here, unique 4711.", "Second comment, unique 4712."
        judge.judge_batch([a, b, "Third, unique 4713."], [None, a, b])
        judge.judge_batch([b], [a])
    finally:
        net.encode = real  # type: ignore[method-assign]
    # a reply is encoded with its token states each time it is judged (for its evidence); a
    # parent already seen is never encoded again
    assert sorted(calls) == sorted([a, b, "Third, unique 4713.", b])


REPLIES = [
    (INSULT, "Rents fell 12%."),
    (COUNTER, "Rents fell 12% after the policy."),
    (QUESTION, None),
    ("No. That is simply false.", "The bridge opened in 1932."),
    ("I agree, that is exactly what happened here.", "The vote was moved to Friday."),
    ("x" * 3000, None),
    ("Short.", "A much longer parent comment that goes on and on about many things. " * 20),
]


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_scores_do_not_depend_on_the_batch(judge: Judge, size: int) -> None:
    texts = [t for t, _ in REPLIES]
    parents = [p for _, p in REPLIES]
    whole = [j.to_dict() for j in Judge(judge.model).judge_batch(texts, parents)]
    fresh = Judge(judge.model)  # no remembered vectors
    parts = []
    for i in range(0, len(texts), size):
        parts += [
            j.to_dict() for j in fresh.judge_batch(texts[i : i + size], parents[i : i + size])
        ]
    for a, b in zip(whole, parts, strict=True):
        assert a["level"] == b["level"] and a["act_labels"] == b["act_labels"]
        for key in ("attack", "disagreement"):
            assert abs(a[key] - b[key]) <= 1e-4
        for code in a["scores"]:
            assert abs(a["scores"][code] - b["scores"][code]) <= 1e-4


def test_lone_surrogates_are_judged_not_fatal(judge: Judge) -> None:
    out = judge(["x \ud800 y, you idiot", "Fine text."], parent=["p \udfff", None])
    assert len(out) == 2 and out[0].level in ("DH0", "DH1")


def test_evidence_is_phrases_never_lone_function_words(judge: Judge) -> None:
    function_words = {"i", "not", "the", "a", "you", "is", "it", "and", "to", "of", "that"}
    texts = [t for t, _ in REPLIES[:5]] + [
        "I do not think the report says that at all, because the table on page 4 shows 7%.",
        "You are wrong and you know it.",
        "Not true. The data says otherwise.",
    ]
    for j in judge(texts):
        for ev in j.because:
            words = ev.text.lower().split()
            assert words, ev
            assert not (len(words) == 1 and words[0].strip(".,!?") in function_words), ev


def test_forget_drops_remembered_texts(judge: Judge) -> None:
    text = "A parent to forget, unique 4999."
    judge("Sure.", parent=text)
    assert text in judge._read
    judge.forget([text, "never seen"])
    assert text not in judge._read


def test_a_small_cache_never_loses_a_parent_the_chunk_reads(
    judge: Judge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replies encoded in a chunk must not push out of the cache a parent that the same chunk
    reads (issue 16, item 12: `KeyError: "<a parent's text>"` on big files)."""
    import steelman.judge.judge as judge_module

    monkeypatch.setattr(judge_module, "EMBED_CACHE", 4)
    parent = "A parent several replies answer, unique 7311."
    first = judge("Sure.", parent=parent)
    replies = [f"I disagree with point {i}, because the figures say otherwise." for i in range(6)]
    again = judge(replies, parent=[parent] * len(replies))
    assert len(again) == len(replies)
    assert judge("Sure.", parent=parent).scores == pytest.approx(first.scores, abs=1e-6)
    assert len(judge._read) <= 4


LONG_CALM = " ".join(
    f"Point {i}: the council's figures for district {i} show the bus lane cut journey times"
    f" by {i + 2} minutes, and the survey of {i * 40 + 100} riders agrees with them."
    for i in range(10)
)


def test_a_long_reply_is_read_in_windows_to_its_end(judge: Judge) -> None:
    net = judge.model.network
    (enc,) = net.encode([LONG_CALM])
    assert len(enc.offsets) > net.max_tokens  # not cut at the first window
    assert len(enc.windows) >= 2 and len(enc.spans) == len(enc.windows)
    assert enc.offsets[-2][1] == len(LONG_CALM.rstrip(".")) + 1  # the last word is read
    assert enc.pooled == pytest.approx(enc.tokens.mean(axis=0), abs=1e-5)
    assert enc.window_at(len(LONG_CALM) - 1) == pytest.approx(enc.windows[-1])


def test_an_insult_in_the_last_sentence_counts_like_the_insult_alone(judge: Judge) -> None:
    """Issue 15: ten calm sentences then the insult scored TOXICITY 0.09 (the insult alone 0.99)
    because only the first 128 tokens were read. Now TOXICITY 0.99 like the insult alone; the
    part is read from the whole reply's token states, so INSULT (0.71 against 0.91) and the
    attack (0.56 against 0.97) come out lower than alone, still an attack."""
    insult = "You are a fucking moron and an idiot."
    alone, long = judge([insult, f"{LONG_CALM} {insult}"])
    calm = judge(LONG_CALM)
    assert long.attributes["toxicity"] >= alone.attributes["toxicity"] - 0.1
    assert long.attributes["insult"] >= 0.5 and long.attack >= 0.5
    assert long.level in ("DH0", "DH1")
    for key in ("toxicity", "insult"):
        assert calm.attributes[key] < 0.3, key
    assert calm.level not in ("DH0", "DH1")
