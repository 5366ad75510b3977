"""The numbers the escalation model reads from a judged thread.

Every feature is computed from the replies in reply order (see :class:`~steelman.threads.report.
Reply`); the escalation model's ``config.json`` names the ones it uses, in order, so a model stays
valid when features are added here.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from steelman.levels import ACTS
from steelman.threads.report import LEVEL_CODES, Reply

__all__ = ["FEATURE_NAMES", "longest_attack_run", "thread_features"]

_YOU = re.compile(r"\byou(?:r|rs|rself|'re|'ve|'d|'ll)?\b", re.IGNORECASE)
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
)


def longest_attack_run(replies: Sequence[Reply]) -> int:
    """The longest run of consecutive judged replies at DH0-DH1 (unjudged ones are passed over)."""
    best = run = 0
    for r in replies:
        if r.judgement is None:
            continue
        run = run + 1 if r.is_attack else 0
        best = max(best, run)
    return best


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
        feats["mean_rank"] = feats["expected_rank"] = 3.0
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
    if n > 1:
        pos = np.linspace(0.0, 1.0, n) - 0.5
        feats["trend"] = float(pos @ (expected - expected.mean()) / (pos @ pos))
    else:
        feats["trend"] = 0.0
    feats["you_share"] = sum(1 for r in judged if _YOU.search(r.text)) / n
    for a in ACTS:
        feats[f"act_{a.code}"] = float(np.mean([j.acts.get(a.code, 0.0) for j in js]))
    return {k: feats[k] for k in FEATURE_NAMES}
