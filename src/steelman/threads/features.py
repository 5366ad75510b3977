"""The numbers the escalation model reads from a judged thread.

Every feature is computed from the replies in reply order (see :class:`~steelman.threads.report.
Reply`); the escalation model's ``config.json`` names the ones it uses, in order, so a model stays
valid when features are added here.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from steelman.levels import ACTS
from steelman.threads.report import LEVEL_CODES, Reply

__all__ = ["CUE_FEATURES", "FEATURE_NAMES", "longest_attack_run", "thread_features"]

_YOU = re.compile(r"\byou(?:r|rs|rself|'re|'ve|'d|'ll)?\b", re.IGNORECASE)
# Politeness and directness cues (Zhang et al. 2018, "Conversations Gone Awry"): read from the
# text, not the judge; each feature is the share of judged replies showing the cue.
_CUES: dict[str, re.Pattern[str]] = {
    "please_share": re.compile(r"\bplease\b", re.IGNORECASE),
    "thanks_share": re.compile(r"\b(?:thanks?|thank you|appreciate)\b", re.IGNORECASE),
    "hedge_share": re.compile(
        r"\b(?:i think|i believe|maybe|perhaps|probably|it seems|might|i guess)\b", re.IGNORECASE
    ),
    "why_share": re.compile(r"\bwhy\b[^.!?]*\?", re.IGNORECASE),  # a "why ...?" question
    "you_start_share": re.compile(r"^\W*you(?:r|'re| are)?\b", re.IGNORECASE),
    "exclaim_share": re.compile(r"!"),
}
_RANKS = np.arange(len(LEVEL_CODES), dtype=np.float64)

FEATURE_NAMES: tuple[str, ...] = (
    "log_comments",  # log(1 + judged comments): the thread's length
    "log_participants",  # log of the number of distinct authors of judged comments
    "top2_share",  # share of judged comments written by the two most active authors
    "alternation",  # share of consecutive judged replies written by different authors
    "attack_share",  # share of judged replies at DH0-DH1
    "attack_prob",  # mean probability that a reply attacks the person
    "disagreement_prob",  # mean probability that a reply disagrees at all
    "mean_rank",  # mean level (0-6) of the disagreements; 3 when there are none
    "expected_rank",  # mean expected level (0-6) over every judged reply
    "tone_share",  # share of judged replies at DH2 (responding to tone, policing)
    "high_share",  # share of judged replies at DH5-DH6
    "max_attack_run",  # longest run of consecutive attacks, over log(2 + comments)
    "trend",  # slope of the expected level from the first reply (0) to the last (1)
    "you_share",  # share of judged replies that address the other person ("you", "your"...)
    *(f"act_{a.code}" for a in ACTS),  # mean probability of each non-disagreement act
    # The trajectory (Escalation 2): where the thread is heading, not only where it has been.
    # "_max" is the highest over the judged replies, "_last" the latest reply's, "_trend" the
    # slope from the first reply (0) to the latest (1). None of these needs authors.
    "attack_max",
    "attack_last",
    "attack_trend",
    "toxicity_mean",  # the judge's toxicity attribute (0 for a judge without one)
    "toxicity_max",
    "toxicity_last",
    "toxicity_trend",
    "insult_max",
    "identity_attack_max",
    "threat_max",
    "profanity_max",
    "disagreement_last",
    "disagreement_trend",
    "reasons_mean",  # the judge's "gives reasons" attribute
    "expected_rank_last",
    "contradiction_share",  # share of judged replies at DH3 (contradiction without support)
    "question_last",  # the latest reply's probability of asking a question
    "you_last",  # 1 when the latest judged reply addresses the other person
    "depth_share",  # deepest reply (replies above it) over the judged replies: 1 = one chain
    *_CUES,  # text cues: please, thanks, hedges, "why ...?", opening with "you", "!"
)
CUE_FEATURES: tuple[str, ...] = tuple(_CUES)  # the features read from the text, not the judge


def longest_attack_run(replies: Sequence[Reply]) -> int:
    """The longest run of consecutive judged replies at DH0-DH1 (unjudged ones are passed over)."""
    best = run = 0
    for r in replies:
        if r.judgement is None:
            continue
        run = run + 1 if r.is_attack else 0
        best = max(best, run)
    return best


@functools.lru_cache(maxsize=65_536)
def _text_cues(text: str) -> tuple[bool, ...]:
    """Whether ``text`` addresses the other person, then each of :data:`_CUES`, in order (kept
    per text: a thread's trajectory reads every reply once per later reply)."""
    return (bool(_YOU.search(text)), *(bool(cue.search(text)) for cue in _CUES.values()))


def _slope(values: np.ndarray) -> float:
    """Least-squares slope of ``values`` against positions 0..1 (0 for fewer than two)."""
    n = len(values)
    if n < 2:
        return 0.0
    pos = np.linspace(0.0, 1.0, n) - 0.5
    return float(pos @ (values - values.mean()) / (pos @ pos))


def _depths(replies: Sequence[Reply]) -> dict[str, int]:
    """Each reply's depth in the reply tree (a reply to a missing parent counts as a root)."""
    depth: dict[str, int] = {}
    for r in replies:
        parent = depth.get(r.parent_id) if r.parent_id is not None else None
        depth[r.comment_id] = 0 if parent is None else parent + 1
    return depth


def _trajectory(
    replies: Sequence[Reply], judged: Sequence[Reply], expected: np.ndarray
) -> dict[str, float]:
    js = [r.judgement for r in judged if r.judgement is not None]
    n = len(js)

    def attr(name: str) -> np.ndarray:
        return np.array([j.attributes.get(name, 0.0) for j in js], dtype=np.float64)

    attack = np.array([j.attack for j in js], dtype=np.float64)
    toxicity = attr("toxicity")
    disagreement = np.array([j.disagreement for j in js], dtype=np.float64)
    depth = _depths(replies)
    return {
        "attack_max": float(attack.max()),
        "attack_last": float(attack[-1]),
        "attack_trend": _slope(attack),
        "toxicity_mean": float(toxicity.mean()),
        "toxicity_max": float(toxicity.max()),
        "toxicity_last": float(toxicity[-1]),
        "toxicity_trend": _slope(toxicity),
        "insult_max": float(attr("insult").max()),
        "identity_attack_max": float(attr("identity_attack").max()),
        "threat_max": float(attr("threat").max()),
        "profanity_max": float(attr("profanity").max()),
        "disagreement_last": float(disagreement[-1]),
        "disagreement_trend": _slope(disagreement),
        "reasons_mean": float(attr("reasons").mean()),
        "expected_rank_last": float(expected[-1]),
        "contradiction_share": sum(1 for r in judged if r.rank == 3) / n,
        "question_last": float(js[-1].acts.get("question", 0.0)),
        "you_last": 1.0 if _text_cues(judged[-1].text)[0] else 0.0,
        "depth_share": max(depth[r.comment_id] for r in judged) / n,
        **{
            name: sum(1 for r in judged if _text_cues(r.text)[k]) / n
            for k, name in enumerate(_CUES, start=1)
        },
    }


def _expected_rank(scores: dict[str, float]) -> float:
    probs = np.array([scores.get(c, 0.0) for c in LEVEL_CODES], dtype=np.float64)
    total = probs.sum()
    return float(probs @ _RANKS / total) if total > 0 else 3.0


def thread_features(replies: Sequence[Reply]) -> dict[str, float]:
    """Every feature in :data:`FEATURE_NAMES` for one thread, in that order."""
    judged = [r for r in replies if r.judgement is not None]
    n = len(judged)
    authors = Counter(r.author for r in judged)
    top2 = sum(c for _, c in authors.most_common(2))
    switches = sum(1 for a, b in itertools.pairwise(judged) if a.author != b.author)
    feats: dict[str, float] = {
        "log_comments": math.log1p(n),
        "log_participants": math.log(max(len(authors), 1)),
        "top2_share": top2 / n if n else 0.0,
        "alternation": switches / (n - 1) if n > 1 else 0.0,
    }
    if n == 0:
        feats.update({k: 0.0 for k in FEATURE_NAMES if k not in feats})
        feats["mean_rank"] = feats["expected_rank"] = feats["expected_rank_last"] = 3.0
        return {k: feats[k] for k in FEATURE_NAMES}
    js = [r.judgement for r in judged if r.judgement is not None]
    ranks = [r.rank for r in judged if r.rank is not None]
    expected = np.array([_expected_rank(j.scores) for j in js])
    feats["attack_share"] = sum(r.is_attack for r in judged) / n
    feats["attack_prob"] = float(np.mean([j.attack for j in js]))
    feats["disagreement_prob"] = float(np.mean([j.disagreement for j in js]))
    feats["mean_rank"] = float(np.mean(ranks)) if ranks else 3.0
    feats["expected_rank"] = float(expected.mean())
    feats["tone_share"] = sum(1 for r in ranks if r == 2) / n
    feats["high_share"] = sum(1 for r in ranks if r >= 5) / n
    feats["max_attack_run"] = longest_attack_run(judged) / math.log(2 + n)
    feats["trend"] = _slope(expected)
    feats["you_share"] = sum(1 for r in judged if _text_cues(r.text)[0]) / n
    for a in ACTS:
        feats[f"act_{a.code}"] = float(np.mean([j.acts.get(a.code, 0.0) for j in js]))
    feats.update(_trajectory(replies, judged, expected))
    return {k: feats[k] for k in FEATURE_NAMES}
