"""What a pair of texts says that an embedding misses: quoting, reasons, the claim answered.

Graham's upper levels are about the pair: a refutation quotes or pins down a claim of the parent
(DH5), a counterargument gives reasons or evidence (DH4), the top level answers the claim the
parent's argument stands on (DH6). These few numbers describe that; the judge's head reads them
beside the fine-tuned embeddings (the model card's ablation says what they add). Plain Python:
the same code runs in training and at run time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CUE_NAMES",
    "Sentence",
    "answered_sentence",
    "central_sentence",
    "cue_vector",
    "sentences",
]

_WORD = re.compile(r"[A-Za-z0-9']+")
_SENT = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
_STOP_WORDS = """
a an the and or but if of to in on at for with by from as is are was were be been being it its
this that these those i me my we us our he him his she her they them their there here what which
who whom whose do does did doing have has had having not no nor so than too very can could would
should will shall may might must just also then only own same such into about over out up down
off again once all any both each few more most other some s t don didn doesn isn aren wasn weren
im ive id ill youre thats it's i'm i've you your
"""
STOPWORDS = frozenset(_STOP_WORDS.split())  # function words: never evidence on their own
_REASON = re.compile(
    r"\b(because|since|therefore|thus|hence|so that|which means|as a result|due to|for example|"
    r"for instance|e\.g\.|that is why|the reason|consequently|it follows)\b",
    re.I,
)
_EVIDENCE = re.compile(
    r"(\d+(?:[.,]\d+)?\s*%|\b\d{2,}\b|https?://|\bwww\.|\b(study|studies|source|sources|data|"
    r"according to|research|report|statistics|survey|paper|cited?)\b)",
    re.I,
)
_CONTRA = re.compile(
    r"\b(not|no|wrong|false|incorrect|untrue|disagree|actually|however|but|nonsense|doesn't|"
    r"isn't|aren't|don't|never)\b",
    re.I,
)
_YOU_ARE = re.compile(r"\b(you are|you're|ur|u r)\s+(a|an|so|such|just|clearly|obviously)\b", re.I)
_TONE = re.compile(
    r"\b(tone|rude|calm down|attitude|civil|uncivil|personal attack|condescending|shouting|"
    r"no need to|hostile|aggressive)\b",
    re.I,
)
_AGREE = re.compile(
    r"\b(i agree|agreed|good point|fair point|you're right|you are right|exactly|well said|"
    r"true|absolutely|same here|thanks)\b",
    re.I,
)
_CONCEDE = re.compile(
    r"\b(i was wrong|my mistake|my bad|fair enough|i stand corrected|you have a point|i concede|"
    r"point taken|i retract)\b",
    re.I,
)
_COMPROMISE = re.compile(
    r"\b(how about|what if we|maybe we could|middle ground|compromise|meet halfway|both versions|"
    r"could we|why not both)\b",
    re.I,
)
_EDITING = re.compile(
    r"\b(revert(ed|ing)?|edit(s|ed|ing)?|article|section|paragraph|infobox|citations?|cite|"
    r"added|removed|moved|merged|talk page|archived?|wording|lead|sourced?)\b",
    re.I,
)
_CLARIFY = re.compile(
    r"\b(i meant|what i meant|to clarify|just to be clear|i was referring|i mean|my point was|"
    r"to be clear|i was talking about)\b",
    re.I,
)
_CONTEXT = re.compile(r"\b(for context|background|some context|historically|in \d{4})\b", re.I)
_THESIS = re.compile(
    r"\b(i think|i believe|the point is|my point|in short|overall|clearly|the main|the key|"
    r"therefore|so the|this means|should|must)\b",
    re.I,
)

CUE_NAMES = (
    "has_parent",
    "length",
    "sentences",
    "questions",
    "quoted_share",
    "quote_marked",
    "answers_overlap",
    "answers_central",
    "reasons",
    "evidence",
    "contradiction",
    "second_person",
    "you_are",
    "tone",
    "agreement",
    "concession",
    "compromise",
    "shouting",
    "editing",
    "clarify",
    "context",
)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a text: ``text[start:end]``."""

    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` with their offsets (blank ones dropped)."""
    out = []
    for m in _SENT.finditer(text):
        raw = m.group(0)
        lead = len(raw) - len(raw.lstrip())
        body = raw.strip()
        if len(_WORD.findall(body)) >= 1:
            start = m.start() + lead
            out.append(Sentence(start, start + len(body), body))
    return out


def _content(text: str) -> list[str]:
    return [
        w for w in (t.lower() for t in _WORD.findall(text)) if w not in STOPWORDS and len(w) > 1
    ]


def _shingles(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _quoted_share(reply_words: list[str], parent_words: list[str], n: int = 4) -> float:
    """Share of the reply's words that sit in a run of ``n`` words copied from the parent."""
    if len(reply_words) < n or len(parent_words) < n:
        return 0.0
    grams = _shingles(parent_words, n)
    covered = [False] * len(reply_words)
    for i in range(len(reply_words) - n + 1):
        if tuple(reply_words[i : i + n]) in grams:
            for j in range(i, i + n):
                covered[j] = True
    return sum(covered) / len(reply_words)


def _centrality(sents: list[Sentence]) -> list[float]:
    """How much each sentence shares with the rest of the text (0..1), plus a thesis bonus."""
    bags = [set(_content(s.text)) for s in sents]
    out = []
    for i, bag in enumerate(bags):
        rest = set().union(*(b for j, b in enumerate(bags) if j != i)) if len(bags) > 1 else set()
        share = len(bag & rest) / len(bag) if bag else 0.0
        bonus = 0.3 if _THESIS.search(sents[i].text) else 0.0
        out.append(min(1.0, share + bonus))
    return out


def _match_scores(reply: str, sents: list[Sentence]) -> list[float]:
    reply_bag = set(_content(reply))
    scores = []
    for s in sents:
        bag = set(_content(s.text))
        scores.append(len(bag & reply_bag) / math.sqrt(len(bag) + 1) if bag else 0.0)
    return scores


def answered_sentence(reply: str, parent: str | None) -> Sentence | None:
    """The parent's sentence the reply most likely answers (most shared content words)."""
    if not parent:
        return None
    sents = sentences(parent)
    if not sents:
        return None
    scores = _match_scores(reply, sents)
    best = int(np.argmax(scores))
    if scores[best] <= 0:
        return central_sentence(parent)
    return sents[best]


def central_sentence(parent: str | None) -> Sentence | None:
    """The parent's sentence its argument most likely stands on."""
    if not parent:
        return None
    sents = sentences(parent)
    if not sents:
        return None
    cent = _centrality(sents)
    return sents[int(np.argmax(cent))]


def _log(n: float) -> float:
    return math.log1p(n) / 3.0


def cue_vector(reply: str, parent: str | None) -> np.ndarray:
    """The :data:`CUE_NAMES` numbers for one reply and its parent, as float32."""
    words = _WORD.findall(reply)
    n = max(1, len(words))
    low = [w.lower() for w in words]
    sents = sentences(reply)
    questions = sum(s.text.rstrip().endswith("?") for s in sents) / max(1, len(sents))
    quoted = marked = overlap = central = 0.0
    if parent:
        quoted = _quoted_share(low, [w.lower() for w in _WORD.findall(parent)])
        lines = [ln.strip() for ln in reply.splitlines()]
        marked = float(
            any(ln.startswith(">") for ln in lines)
            or any(
                len(q.split()) >= 3 and q.lower() in parent.lower()
                for q in re.findall(r"[\"“]([^\"”]{8,300})[\"”]", reply)
            )
        )
        psents = sentences(parent)
        if psents:
            scores = _match_scores(reply, psents)
            best = int(np.argmax(scores))
            overlap = min(1.0, scores[best] / 3.0)
            central = _centrality(psents)[best] if scores[best] > 0 else 0.0
    caps = sum(1 for w in words if len(w) > 2 and w.isupper()) / n
    values = (
        1.0 if parent else 0.0,
        _log(n),
        _log(len(sents)),
        questions,
        quoted,
        marked,
        overlap,
        central,
        _log(len(_REASON.findall(reply))),
        _log(len(_EVIDENCE.findall(reply))),
        _log(len(_CONTRA.findall(reply))),
        min(1.0, 5 * sum(w in ("you", "your", "you're", "yours", "u", "ur") for w in low) / n),
        1.0 if _YOU_ARE.search(reply) else 0.0,
        _log(len(_TONE.findall(reply))),
        _log(len(_AGREE.findall(reply))),
        _log(len(_CONCEDE.findall(reply))),
        _log(len(_COMPROMISE.findall(reply))),
        min(1.0, 3 * caps + reply.count("!") / (2 * n)),
        _log(len(_EDITING.findall(reply))),
        _log(len(_CLARIFY.findall(reply))),
        _log(len(_CONTEXT.findall(reply))),
    )
    return np.asarray(values, dtype=np.float32)
