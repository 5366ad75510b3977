"""Text features shared by training and run time: TF-IDF n-grams and hand-written cues.

The analysers here are the only ones: training builds its vocabulary with them and the runtime
applies the same code, so a saved model sees exactly the features it was trained on. Every
feature keeps the character span it came from, which is what lets the judge point at words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = [
    "CUES",
    "Analysis",
    "Cue",
    "TfidfSpace",
    "analyse",
    "cue_spans",
    "cue_vector",
    "words",
]

_WORD = re.compile(r"\w+(?:['’]\w+)?", re.UNICODE)

Term = tuple[str, int, int]  # (term, start, end) with text[start:end] the source


def words(text: str) -> list[Term]:
    """Lower-cased word tokens with their character spans."""
    return [(m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _WORD.finditer(text)]


TermAt = tuple[str, int, int]  # (term, first token, last token)


@dataclass
class Analysis:
    """A text's word tokens and every TF-IDF term with the tokens it covers.

    :meth:`TfidfSpace.transform` fills ``ids`` (each term's vocabulary index, -1 if unknown)
    and ``counts`` (occurrences of each index it returns), which explanations reuse.
    """

    tokens: list[Term]
    terms: list[TermAt]
    ids: np.ndarray | None = None
    counts: np.ndarray | None = None


@lru_cache(maxsize=131072)
def _char_grams(tok: str) -> tuple[str, ...]:
    padded = f" {tok} "
    return tuple("c:" + padded[i : i + n] for n in range(2, 6) for i in range(len(padded) - n + 1))


def analyse(text: str) -> Analysis:
    """All TF-IDF terms of a text: word 1-2 grams (``"w:"``) and character 2-5 grams inside
    word boundaries (``"c:"``, spaces pad each word)."""
    toks = words(text)
    names = [t[0] for t in toks]
    terms: list[TermAt] = [("w:" + w, k, k) for k, w in enumerate(names)]
    terms += [(f"w:{names[k]} {names[k + 1]}", k, k + 1) for k in range(len(names) - 1)]
    for k, w in enumerate(names):
        terms += [(g, k, k) for g in _char_grams(w)]
    return Analysis(toks, terms)


@dataclass
class TfidfSpace:
    """A fitted TF-IDF vocabulary: ``1 + log(tf)`` times smoothed idf, L2-normalised per text."""

    terms: list[str]
    idf: np.ndarray

    def __post_init__(self) -> None:
        self.index = {t: i for i, t in enumerate(self.terms)}

    @classmethod
    def fit(cls, texts: Iterable[str], *, min_df: int = 2, max_terms: int = 60000) -> TfidfSpace:
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            n += 1
            df.update({t for t, _, _ in analyse(text).terms})
        kept = [(c, t) for t, c in df.items() if c >= min_df]
        kept.sort(key=lambda ct: (-ct[0], ct[1]))
        terms = sorted(t for _, t in kept[:max_terms])
        idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in terms], dtype=np.float32)
        return cls(terms, idf)

    def transform(self, analysis: Analysis) -> tuple[np.ndarray, np.ndarray]:
        """Indices and weights of the known terms (sorted by index)."""
        get = self.index.get
        ids = np.fromiter(
            (get(t, -1) for t, _, _ in analysis.terms), dtype=np.int64, count=len(analysis.terms)
        )
        idx, counts = np.unique(ids[ids >= 0], return_counts=True)
        analysis.ids, analysis.counts = ids, counts
        if not len(idx):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        tf = 1.0 + np.log(counts.astype(np.float32))
        val = tf * self.idf[idx]
        val /= np.float32(np.linalg.norm(val))
        return idx, val

    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Indices and weights of the text's known terms (sorted by index)."""
        return self.transform(analyse(text))


@dataclass(frozen=True)
class Cue:
    """A hand-written cue: a pattern, what it signals, and the level or act it points to."""

    name: str
    pattern: re.Pattern[str]
    reason: str
    points_to: str


def _rx(words_: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(words_) + r")(?!\w)", re.IGNORECASE)


CUES: tuple[Cue, ...] = (
    Cue(
        "insult",
        _rx(
            [
                r"idiot\w*",
                r"moron\w*",
                r"stupid\w*",
                r"dumb\w*",
                r"imbecile\w*",
                r"fool\w*",
                r"troll\w*",
                r"liar\w*",
                r"clown\w*",
                r"retard\w*",
                r"pathetic",
                r"ignorant",
                r"incompetent",
                r"clueless",
                r"loser\w*",
                r"jerk\w*",
                r"asshole\w*",
                r"shit\w*",
                r"fuck\w*",
                r"crap\w*",
                r"bullshit",
                r"nonsense",
                r"garbage",
                r"rubbish",
                r"ridiculous",
                r"absurd",
                r"laughable",
                r"delusional",
                r"hypocrit\w*",
                r"bigot\w*",
                r"vandal\w*",
                r"nutjob\w*",
                r"crank\w*",
                r"idiocy",
                r"dishonest\w*",
                r"lying",
                r"shut up",
                r"get a life",
                r"grow up",
            ]
        ),
        "insulting or hostile wording",
        "DH0",
    ),
    Cue(
        "person",
        _rx(
            [
                r"you(?:'re| are) (?:just |clearly |obviously |simply )?(?:a |an |being )?\w+",
                r"your (?:agenda|bias|motives?|ignorance|problem|attitude|behaviou?r|pov)",
                r"you (?:clearly|obviously|never|always|just) \w+",
                r"people like you",
                r"someone like you",
                r"you people",
                r"typical of you",
                r"you don't (?:know|understand|get)\w*",
                r"you have no idea",
            ]
        ),
        "speaks about the person rather than their argument",
        "DH1",
    ),
    Cue(
        "tone",
        _rx(
            [
                r"tone",
                r"rude\w*",
                r"uncivil\w*",
                r"civil\w*",
                r"calm down",
                r"personal attacks?",
                r"hostile",
                r"condescending",
                r"patroni[sz]ing",
                r"aggressive",
                r"shouting",
                r"no need to",
                r"assume good faith",
                r"wp:(?:civil|npa|agf)",
                r"attitude",
                r"offensive",
                r"disrespectful",
                r"the way you",
            ]
        ),
        "talks about how it was said, not what",
        "DH2",
    ),
    Cue(
        "contradiction",
        _rx(
            [
                r"no",
                r"wrong",
                r"incorrect",
                r"false",
                r"untrue",
                r"not true",
                r"disagree\w*",
                r"not the case",
                r"doesn't",
                r"isn't",
                r"aren't",
                r"won't",
                r"can't",
                r"not",
            ]
        ),
        "states the opposite",
        "DH3",
    ),
    Cue(
        "reason",
        _rx(
            [
                r"because",
                r"since",
                r"therefore",
                r"thus",
                r"hence",
                r"which means",
                r"that means",
                r"so that",
                r"as a result",
                r"for example",
                r"for instance",
                r"e\.g",
                r"the reason",
                r"due to",
                r"given that",
                r"if \w+",
                r"consider",
            ]
        ),
        "gives a reason",
        "DH4",
    ),
    Cue(
        "evidence",
        re.compile(
            r"https?://\S+|\bwww\.\S+|\[\d+\]|\bwp:[a-z]+\b|\d+(?:\.\d+)?\s?%|"
            r"(?<!\w)(?:according to|source[sd]?|study|studies|research|data|statistics|"
            r"reference[sd]?|cited?|citation)(?!\w)",
            re.IGNORECASE,
        ),
        "brings evidence or a source",
        "DH4",
    ),
    Cue(
        "quote",
        re.compile(r"^\s*>.*$|\"[^\"\n]{8,300}\"|“[^”\n]{8,300}”|''[^'\n]{8,300}''", re.MULTILINE),
        "quotes what it answers",
        "DH5",
    ),
    Cue(
        "question",
        re.compile(r"[^.!?\n]{3,200}\?"),
        "asks a question",
        "question",
    ),
    Cue(
        "concession",
        _rx(
            [
                r"you(?:'re| are) right",
                r"i agree",
                r"fair point",
                r"good point",
                r"i concede",
                r"my mistake",
                r"i stand corrected",
                r"point taken",
                r"i was wrong",
                r"agreed",
            ]
        ),
        "concedes a point",
        "concession",
    ),
    Cue(
        "compromise",
        _rx(
            [
                r"how about",
                r"what if we",
                r"compromise",
                r"middle ground",
                r"meet halfway",
                r"could we",
                r"why don't we",
                r"let's",
                r"perhaps we",
                r"maybe we",
            ]
        ),
        "proposes a middle ground",
        "compromise",
    ),
)

_SECOND_PERSON = {"you", "your", "you're", "yours", "yourself", "u", "ur", "youre"}


CueMatch = tuple[Cue, int, int]


def cue_spans(text: str) -> list[CueMatch]:
    """Every cue match in the text with its span."""
    return [(cue, m.start(), m.end()) for cue in CUES for m in cue.pattern.finditer(text)]


def _longest_shared_run(reply: list[str], parent: list[str]) -> int:
    """Length in words of the longest word sequence the reply shares with the parent (within
    the first 400 words of each): a binary search over lengths with sets of n-grams."""
    a, b = reply[:400], parent[:400]

    def shares(n: int) -> bool:
        grams = {tuple(b[i : i + n]) for i in range(len(b) - n + 1)}
        return any(tuple(a[i : i + n]) in grams for i in range(len(a) - n + 1))

    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if shares(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


CUE_FEATURES: tuple[str, ...] = (
    *(f"cue_{c.name}" for c in CUES),
    "second_person",
    "log_words",
    "exclaim",
    "caps",
    "has_parent",
    "shared_run",
    "parent_overlap",
)


def cue_vector(
    text: str,
    parent: str | None,
    *,
    tokens: list[Term] | None = None,
    matches: list[CueMatch] | None = None,
) -> np.ndarray:
    """The hand-written cue features of a reply (and its parent), as in ``CUE_FEATURES``.

    ``tokens`` (:func:`words`) and ``matches`` (:func:`cue_spans`) of the reply are reused when
    the caller already has them."""
    toks = [t for t, _, _ in (words(text) if tokens is None else tokens)]
    n = max(len(toks), 1)
    found = cue_spans(text) if matches is None else matches
    counts = Counter(cue.name for cue, _, _ in found)
    vec = [math.log1p(counts[c.name]) for c in CUES]
    vec.append(sum(t in _SECOND_PERSON for t in toks) / n)
    vec.append(math.log1p(len(toks)))
    vec.append(math.log1p(text.count("!")))
    letters = [ch for ch in text if ch.isalpha()]
    vec.append(sum(ch.isupper() for ch in letters) / max(len(letters), 1))
    if parent:
        ptoks = [t for t, _, _ in words(parent)]
        vec.append(1.0)
        vec.append(math.log1p(_longest_shared_run(toks, ptoks)))
        shared = set(toks) & set(ptoks)
        vec.append(len(shared) / max(len(set(toks)), 1))
    else:
        vec.extend([0.0, 0.0, 0.0])
    return np.asarray(vec, dtype=np.float32)
