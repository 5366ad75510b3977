"""Why the judge said what it said: evidence spans and one suggestion for climbing higher.

The evidence is faithful to the model where it can be: each word of the reply is scored by the
TF-IDF weights of every n-gram that covers it, toward the level (or act) being explained; the
hand-written cues add what the weights cannot name ("quotes what it answers").
"""

from __future__ import annotations

import re

import numpy as np

from steelman.judge.features import Analysis, CueMatch, TfidfSpace, words
from steelman.judge.linear import Head
from steelman.judge.result import Evidence
from steelman.levels import act as act_info
from steelman.levels import level as level_info

__all__ = ["evidence", "suggestion"]

# Which cues support which judgement.
_SUPPORTS: dict[str, set[str]] = {
    "DH0": {"insult", "person"},
    "DH1": {"person", "insult"},
    "DH2": {"tone"},
    "DH3": {"contradiction"},
    "DH4": {"reason", "evidence", "contradiction"},
    "DH5": {"quote", "reason", "evidence"},
    "DH6": {"quote", "reason", "evidence"},
    "question": {"question"},
    "concession": {"concession"},
    "compromise": {"compromise"},
}

_MAX_EVIDENCE = 5


def _word_scores(
    analysis: Analysis,
    tfidf: tuple[np.ndarray, np.ndarray],
    space: TfidfSpace,
    head: Head,
    column: int,
) -> list[tuple[float, int, int]]:
    """Each word's share of the TF-IDF logit toward ``column`` of ``head`` (relative to the
    other classes): every term's contribution is split evenly over the words it covers."""
    idx, val = tfidf
    toks = analysis.tokens
    if not len(idx) or not toks:
        return []
    if analysis.ids is None or analysis.counts is None:
        space.transform(analysis)
    assert analysis.ids is not None and analysis.counts is not None
    w = head.weights["tfidf"][idx]
    contrib = val * (w[:, 0] if head.kind == "binary" else w[:, column] - w.mean(axis=1))
    # a term's weight counts once per text (TF is sublinear): share it over its occurrences
    contrib = contrib / analysis.counts
    known = analysis.ids >= 0
    pos = np.searchsorted(idx, analysis.ids[known])
    first = np.fromiter((f for _, f, _ in analysis.terms), np.int64, len(analysis.terms))[known]
    last = np.fromiter((la for _, _, la in analysis.terms), np.int64, len(analysis.terms))[known]
    share = contrib[pos] / (last - first + 1)
    scores = np.zeros(len(toks))
    np.add.at(scores, first, share)
    wide = last != first
    np.add.at(scores, last[wide], share[wide])
    return [(float(scores[k]), toks[k][1], toks[k][2]) for k in range(len(toks))]


def _phrases(scored: list[tuple[float, int, int]], text: str) -> list[tuple[float, int, int]]:
    """Merge runs of positively scored neighbouring words into phrases (strongest first)."""
    if not scored:
        return []
    top = max(s for s, _, _ in scored)
    if top <= 0:
        return []
    keep = [(s, a, b) for s, a, b in scored if s >= 0.35 * top]
    merged: list[list[float]] = []
    for s, a, b in keep:
        if merged and re.fullmatch(r"[\s,;:'\"-]*", text[int(merged[-1][2]) : a]):
            merged[-1][0] += s
            merged[-1][2] = b
        else:
            merged.append([s, a, b])
    return sorted(((m[0], int(m[1]), int(m[2])) for m in merged), reverse=True)


def evidence(
    text: str,
    analysis: Analysis,
    tfidf: tuple[np.ndarray, np.ndarray],
    matches: list[CueMatch],
    target: str,
    space: TfidfSpace,
    head: Head,
    column: int,
) -> tuple[Evidence, ...]:
    """The spans of ``text`` that push it toward ``target`` (a level or act code)."""
    found: list[tuple[float, Evidence]] = []
    wanted = _SUPPORTS.get(target, set())
    for cue, s, e in matches:
        if cue.name in wanted:
            found.append((10.0, Evidence(s, e, text[s:e], cue.reason, target)))
    label = _describe(target)
    for score, s, e in _phrases(_word_scores(analysis, tfidf, space, head, column), text)[:3]:
        found.append(
            (0.5 + score, Evidence(s, e, text[s:e], f"wording typical of {label}", target))
        )
    found.sort(key=lambda se: -se[0])
    chosen: list[Evidence] = []
    for _, ev in found:
        if all(ev.end <= c.start or ev.start >= c.end for c in chosen):
            chosen.append(ev)
        if len(chosen) == _MAX_EVIDENCE:
            break
    return tuple(sorted(chosen, key=lambda ev: ev.start))


def _describe(code: str) -> str:
    if code.startswith("DH"):
        lv = level_info(code)
        return f"{lv.name.lower()} ({lv.code})"
    return act_info(code).name.lower()


_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


def _closest_sentence(reply: str, parent: str) -> str | None:
    """The parent's sentence that shares most words with the reply (what it most likely answers)."""
    mine = {w for w, _, _ in words(reply)}
    best, best_overlap = None, 0
    for m in _SENTENCE.finditer(parent):
        sent = m.group().strip()
        if len(sent) < 12:
            continue
        overlap = len(mine & {w for w, _, _ in words(sent)})
        if overlap > best_overlap or best is None:
            best, best_overlap = sent, overlap
    if best and len(best) > 160:
        best = best[:157].rstrip() + "..."
    return best


def suggestion(level: str | None, acts: list[str], reply: str, parent: str | None) -> str:
    """One concrete way to write this reply higher up the hierarchy."""
    if level is None:
        if "question" in acts:
            return (
                "A question is not a disagreement, and good questions keep a discussion honest."
                " If you do disagree, say with which sentence and why."
            )
        return (
            "This does not read as a disagreement. If you disagree, quote the sentence you"
            " disagree with and say why it is wrong."
        )
    advice = level_info(level).climb
    rank = level_info(level).rank
    if parent and rank <= 4:
        sent = _closest_sentence(reply, parent)
        if sent:
            advice += f" For example, start from their words: “{sent}”"
    return advice
