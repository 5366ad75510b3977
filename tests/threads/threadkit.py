"""Helpers for the thread tests: a keyword stand-in judge that records its calls, and threads."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from steelman.data.comments import Comment
from steelman.data.formats import Thread, build_threads
from steelman.judge.result import Evidence, Judgement
from steelman.levels import ACTS, LEVELS, level

_RULES: tuple[tuple[str, str | None], ...] = (
    ("idiot", "DH0"),
    ("liar", "DH1"),
    ("tone", "DH2"),
    ("central point", "DH6"),
    ("you wrote", "DH5"),
    ("because", "DH4"),
    ("?", None),
)


class KeywordJudge:
    """A stand-in judge: the level comes from a keyword; every call is recorded."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], list[str | None]]] = []

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        assert len(texts) == len(parents)
        self.calls.append((list(texts), list(parents)))
        return [self._one(t) for t in texts]

    @property
    def texts_seen(self) -> list[str]:
        return [t for texts, _ in self.calls for t in texts]

    def _one(self, text: str) -> Judgement:
        low = text.lower()
        code: str | None = "DH3"
        for key, value in _RULES:
            if key in low:
                code = value
                break
        top = code or "DH3"
        scores = {lv.code: (0.94 if lv.code == top else 0.01) for lv in LEVELS}
        acts = {a.code: 0.0 for a in ACTS}
        if code is None:
            acts["question"] = 0.9
        because: tuple[Evidence, ...] = ()
        if code in ("DH0", "DH1"):
            key = "idiot" if code == "DH0" else "liar"
            start = low.index(key)
            because = (Evidence(start, len(text), text[start:], "an insult", code),)
        return Judgement(
            level=code,
            scores=scores,
            disagreement=0.9 if code else 0.1,
            attack=0.9 if code in ("DH0", "DH1") else 0.05,
            acts=acts,
            because=because,
            suggestion=level(top).climb,
            act_labels=("question",) if code is None else (),
            model={"name": "keyword-judge", "version": "test"},
            top_level=top,
        )


def make_thread(
    rows: Sequence[tuple[str, str | None, str | None, str]], thread: str = "t1"
) -> Thread:
    """A thread from ``(id, parent id, author, text)`` rows, in the given order."""
    comments = [Comment(cid, parent, author, text, thread) for cid, parent, author, text in rows]
    return build_threads(comments)[thread]


def conversation(i: int, escalated: bool) -> dict[str, object]:
    calm = ["I think the lead is fine.", "No, because the source is old.", "Which source?"]
    hot = ["You idiot, the lead is wrong.", "You are a liar.", "No, because it is sourced."]
    lines = (hot if escalated else calm) * (1 + i % 3)
    return {
        "conv_id": f"c{i}",
        "split": "x",
        "escalation_label": int(escalated),
        "utterances": [
            {"text": f"{t} ({k})", "username": "ab"[k % 2], "rebuttal_labels": []}
            for k, t in enumerate(lines)
        ],
    }


def cga_record(corpus: str, i: int, derails: bool) -> dict[str, object]:
    """A CGA-shaped conversation: heated ones trade insults before the attack (``last``)."""
    calm = ["i think the lead is fine.", "no, because the source is old.", "which source?"]
    hot = ["you idiot, the lead is wrong.", "you are a liar.", "read it."]
    opening = f"opening {i // 2} of {corpus}"  # two conversations share each first comment
    context = [opening, *(hot if derails else calm)[: 1 + i % 3]]
    return {
        "id": f"cga-{corpus}-{i}",
        "context": context,
        "last": "you moron." if derails else "thanks.",
        "derails": derails,
    }


def write_cga(folder: Path, n: int = 40) -> Path:
    """A small CGA-shaped data folder (both corpora) where insults come before attacks."""
    cga = folder / "cga"
    cga.mkdir(parents=True)
    for corpus in ("wiki", "cmv"):
        rows = [cga_record(corpus, i, (i // 2) % 2 == 0) for i in range(n)]
        (cga / f"{corpus}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def write_wikitactics(folder: Path) -> Path:
    """A small WikiTactics-shaped data folder where insults go with escalation."""
    wt = folder / "wikitactics"
    wt.mkdir(parents=True)
    train = [conversation(i, i % 2 == 0) for i in range(30)]
    val = [conversation(i, i % 3 == 0) for i in range(30, 42)]
    (wt / "train.json").write_text(json.dumps(train))
    (wt / "val.json").write_text(json.dumps(val))
    return folder
