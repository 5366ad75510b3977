"""Why the judge said what it said: phrases found by the model, and one suggestion to climb.

Evidence comes from the network itself, two ways:

- **Token attributions.** The reply's vector is the mean of its token states, and the interaction
  layer is linear in it (given the parent), so each token's share of the decided head's logit is
  exact at that layer: ``g . (W_r + W_rp * parent) . h_t / n`` with ``g`` the gradient of the
  logit at the layer's output. Tokens are summed into words and words grown into phrases.
- **The span head**, trained on the rated toxic spans, marks insulting or abusive wording.

A phrase is kept only when it holds a content word: never a lone "I", "not" or "the".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from steelman.judge.cues import STOPWORDS, answered_sentence, central_sentence
from steelman.judge.decide import Decision, sigmoid
from steelman.judge.network import Encoded, HeadOutput, Network
from steelman.judge.result import Evidence
from steelman.levels import act as act_info
from steelman.levels import level as level_info

__all__ = ["evidence", "suggestion"]

_MAX_PHRASES = 3
_MAX_WORDS = 7
_WORDLIKE = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    score: float


def _words(text: str, offsets: tuple[tuple[int, int], ...], scores: np.ndarray) -> list[_Word]:
    """Tokens merged into words (touching character offsets), each with its summed score."""
    out: list[_Word] = []
    for (a, b), s in zip(offsets, scores.tolist(), strict=True):
        if b <= a:
            continue  # a special token
        if out and a == out[-1].end:
            last = out[-1]
            out[-1] = _Word(last.start, b, last.score + s)
        else:
            out.append(_Word(a, b, s))
    return out


def _is_content(text: str) -> bool:
    w = text.lower().strip(".,;:!?\"'()[]")
    return bool(_WORDLIKE.search(w)) and w not in STOPWORDS and len(w) > 1


def _phrases(text: str, words: list[_Word], keep: float) -> list[tuple[float, int, int]]:
    """Runs of words scoring at least ``keep`` x the best word, trimmed to content words."""
    if not words:
        return []
    best = max(w.score for w in words)
    if best <= 0:
        return []
    cut = keep * best
    runs: list[list[int]] = []
    current: list[int] = []
    for i, w in enumerate(words):
        strong = w.score >= cut
        bridge = (
            current
            and w.score > 0
            and not _is_content(text[w.start : w.end])
            and i + 1 < len(words)
            and words[i + 1].score >= cut
        )
        if strong or bridge:
            current.append(i)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    out: list[tuple[float, int, int]] = []
    for run in runs:
        while run and not _is_content(text[words[run[0]].start : words[run[0]].end]):
            run = run[1:]
        while run and not _is_content(text[words[run[-1]].start : words[run[-1]].end]):
            run = run[:-1]
        if not run:
            continue
        if len(run) > _MAX_WORDS:  # the best window of the run
            sums = [
                sum(words[j].score for j in run[k : k + _MAX_WORDS])
                for k in range(len(run) - _MAX_WORDS + 1)
            ]
            k = int(np.argmax(sums))
            run = run[k : k + _MAX_WORDS]
        total = sum(words[j].score for j in run)
        out.append((total, words[run[0]].start, words[run[-1]].end))
    out.sort(key=lambda t: -t[0])
    return out[:_MAX_PHRASES]


def _attribution(
    net: Network,
    enc: Encoded,
    parent: np.ndarray,
    head: HeadOutput,
    row: int,
    target: str,
    tasks: tuple[str, ...],
) -> np.ndarray:
    """Each token's exact share (at the interaction layer) of the ``target`` logit: the reply
    vector is the mean of the token states, so token ``t`` adds ``direction . h_t / n``."""
    direction = net.direction(target, tasks, parent, head.pre[row])
    return np.asarray(enc.tokens @ direction / len(enc.tokens), dtype=np.float64)


_REASONS = {
    "DH0": "insulting wording: name-calling",
    "DH1": "aimed at the person, not the argument",
    "DH2": "about how it was said, not what",
    "DH3": "states the opposite case",
    "DH4": "gives a reason or evidence",
    "DH5": "pins down their claim and says why it is wrong",
    "DH6": "goes for the point their argument stands on",
}


def _target(decision: Decision) -> tuple[str, str]:
    """Which logit to explain, and the code the evidence points to."""
    lv = decision.level
    if lv in ("DH0", "DH1"):
        return "attack", lv
    if lv is not None:
        return lv, lv
    if decision.act_labels:
        return decision.act_labels[0], decision.act_labels[0]
    return "disagreement", "none"


def evidence(
    text: str,
    net: Network,
    enc: Encoded,
    parent: np.ndarray,
    head: HeadOutput,
    row: int,
    decision: Decision,
    tasks: tuple[str, ...],
) -> tuple[Evidence, ...]:
    """The phrases of ``text`` that put the reply where ``decision`` says, strongest first."""
    target, points_to = _target(decision)
    out: list[Evidence] = []
    seen: list[tuple[int, int]] = []
    if decision.attack_flag or decision.extra.get("toxicity", 0.0) >= 0.5:
        prob = sigmoid(net.span_logits(enc.tokens))
        marks = np.where(prob >= 0.5, prob, 0.0)
        for _, a, b in _phrases(text, _words(text, enc.offsets, marks), 0.99):
            out.append(
                Evidence(
                    a,
                    b,
                    text[a:b],
                    "abusive wording (toxic-span head)",
                    points_to if decision.attack_flag else "toxicity",
                )
            )
            seen.append((a, b))
    scores = _attribution(net, enc, parent, head, row, target, tasks)
    reason = _REASONS.get(points_to) or (
        f"{act_info(points_to).name.lower()}" if points_to != "none" else "not a disagreement"
    )
    for _, a, b in _phrases(text, _words(text, enc.offsets, scores), 0.45):
        if any(a < e and s < b for s, e in seen):
            continue
        out.append(Evidence(a, b, text[a:b], reason, points_to))
        if len(out) >= _MAX_PHRASES + 1:
            break
    return tuple(out)


def _quote(s: str, limit: int = 140) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def suggestion(
    decision: Decision,
    text: str,
    parent: str | None,
    gives_reasons: bool,
    quotes_them: bool = False,
) -> str:
    """One concrete way to climb higher, fitted to the reply (and quoting its parent): a reply
    is never asked for what it already does (reasons, quoting the sentence it answers)."""
    lv = decision.level
    answered = answered_sentence(text, parent)
    central = central_sentence(parent)
    quote = f' They wrote: "{_quote(answered.text)}".' if answered else ""
    if lv is None:
        if decision.act_labels:
            a = act_info(decision.act_labels[0])
            return f"Not a disagreement ({a.name.lower()}): nothing to climb; reply on."
        return "Not a disagreement: nothing to climb."
    if lv in ("DH0", "DH1"):
        return level_info("DH1").climb + quote
    if lv == "DH2":
        return level_info("DH2").climb + quote
    if lv == "DH3" and not gives_reasons:
        return level_info("DH3").climb
    if lv in ("DH3", "DH4") and quotes_them:
        lv = "DH5"  # it already quotes what it answers: the next rung is their central point
    if lv in ("DH3", "DH4"):
        if answered:
            return (
                f'Quote the sentence you answer ("{_quote(answered.text)}") and show exactly'
                " where it goes wrong."
            )
        return level_info("DH4").climb
    if lv == "DH5":
        if central and answered and central.start != answered.start:
            return (
                "You refute one point; is it the one their argument stands on? Their central"
                f' claim looks like: "{_quote(central.text)}".'
            )
        return level_info("DH5").climb
    return level_info("DH6").climb
