"""Measuring a judge on data it did not train on (the ``[train]`` extra: scikit-learn).

:func:`evaluate` judges held-out samples (the dev splits of :mod:`steelman.data.corpus`) through
the same :class:`~steelman.judge.Judge` users run, and reports per-domain ROC-AUC for every head
that the domain labels, level macro-F1 over all seven levels and within-one accuracy with a
conversation-grouped bootstrap interval, acts macro-F1, and the token F1 of the evidence against
the rated toxic spans. :func:`textbook` scores the hand-written textbook replies.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from steelman.data.corpus import ACT_TASKS, Sample
from steelman.judge.compat import import_sklearn
from steelman.judge.judge import Judge
from steelman.judge.result import Judgement
from steelman.levels import LEVELS

__all__ = ["evaluate", "span_f1", "textbook"]

_CODES = [lv.code for lv in LEVELS]
_RANK = {c: i for i, c in enumerate(_CODES)}
_WIKI_ACTS = [a for a in ACT_TASKS if a != "agreement"]


def _score(j: Judgement, task: str) -> float:
    if task == "attack":
        return j.attack
    if task == "disagreement":
        return j.disagreement
    if task in j.acts:
        return j.acts[task]
    return j.attributes.get(task, float("nan"))


def _char_f1(pred: set[int], gold: set[int]) -> float:
    if not gold and not pred:
        return 1.0
    if not gold or not pred:
        return 0.0
    tp = len(pred & gold)
    if tp == 0:
        return 0.0
    p, r = tp / len(pred), tp / len(gold)
    return 2 * p * r / (p + r)


def span_f1(judgements: Sequence[Judgement], samples: Sequence[Sample]) -> dict[str, float]:
    """Mean per-post character F1 of the evidence against the rated spans (SemEval 2021's
    measure): all evidence, and the toxic-span head's evidence alone."""
    every, head = [], []
    for j, s in zip(judgements, samples, strict=True):
        gold = {c for a, b in s.spans or () for c in range(a, b)}
        allp = {c for e in j.because for c in range(e.start, e.end)}
        spans = {c for e in j.because if "toxic-span" in e.reason for c in range(e.start, e.end)}
        every.append(_char_f1(allp, gold))
        head.append(_char_f1(spans, gold))
    return {
        "evidence_f1": float(np.mean(every)),
        "span_head_f1": float(np.mean(head)),
        "n": len(every),
    }


def _level_figures(
    pred: list[str], gold: list[str], groups: list[str], rounds: int, seed: int
) -> dict[str, Any]:
    m = import_sklearn().metrics

    def figures(idx: Sequence[int]) -> tuple[float, float]:
        p = [pred[i] for i in idx]
        g = [gold[i] for i in idx]
        f1 = m.f1_score(g, p, labels=_CODES, average="macro", zero_division=0)
        within = np.mean(
            [p_ != "none" and abs(_RANK[p_] - _RANK[g_]) <= 1 for p_, g_ in zip(p, g, strict=True)]
        )
        return float(f1), float(within)

    f1, within = figures(range(len(pred)))
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    keys = sorted(by_group)
    rng = random.Random(seed)
    boot_f1, boot_w = [], []
    for _ in range(rounds):
        idx = [i for k in (rng.choice(keys) for _ in keys) for i in by_group[k]]
        bf, bw = figures(idx)
        boot_f1.append(bf)
        boot_w.append(bw)
    per = m.precision_recall_fscore_support(gold, pred, labels=_CODES, zero_division=0)
    return {
        "level_macro_f1": f1,
        "level_macro_f1_ci": [
            float(np.percentile(boot_f1, 2.5)),
            float(np.percentile(boot_f1, 97.5)),
        ],
        "within_one": within,
        "within_one_ci": [float(np.percentile(boot_w, 2.5)), float(np.percentile(boot_w, 97.5))],
        "per_level_f1": {c: round(float(v), 3) for c, v in zip(_CODES, per[2], strict=True)},
        "per_level_support": {c: int(v) for c, v in zip(_CODES, per[3], strict=True)},
        "confusion": m.confusion_matrix(gold, pred, labels=[*_CODES, "none"]).tolist(),
        "n_replies": len(pred),
        "n_conversations": len(keys),
    }


def evaluate(
    judge: Judge, samples: Sequence[Sample], *, rounds: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """Every figure the model card reports, on ``samples`` (held out from training)."""
    m = import_sklearn().metrics
    judged = judge.judge_batch([s.text for s in samples], [s.parent for s in samples])
    auc: dict[str, dict[str, dict[str, float]]] = {}
    for task in (
        "attack",
        "disagreement",
        "agreement",
        "toxicity",
        "insult",
        "identity_attack",
        "threat",
        "profanity",
        "reasons",
    ):
        for domain in sorted({s.domain for s in samples}):
            rows = [
                (s.labels[task], _score(j, task))
                for s, j in zip(samples, judged, strict=True)
                if s.domain == domain and task in s.labels
            ]
            ys = [y for y, _ in rows]
            if len(set(ys)) < 2:
                continue
            auc.setdefault(task, {})[domain] = {
                "roc_auc": round(float(m.roc_auc_score(ys, [p for _, p in rows])), 4),
                "n": len(rows),
                "positives": int(sum(ys)),
            }
    wiki = [(s, j) for s, j in zip(samples, judged, strict=True) if s.domain == "wikitactics"]
    placed = [(float(s.level <= 1), j.attack) for s, j in wiki if s.level is not None]
    if len({y for y, _ in placed}) == 2:  # the stricter reading: placed at DH0/DH1 by its top
        auc["attack_placed"] = {
            "wikitactics": {
                "roc_auc": round(float(m.roc_auc_score(*zip(*placed, strict=True))), 4),
                "n": len(placed),
                "positives": int(sum(y for y, _ in placed)),
            }
        }
    out: dict[str, Any] = {"roc_auc": auc}
    lv = [(s, j) for s, j in wiki if s.level is not None]
    if lv:
        out["levels"] = _level_figures(
            [j.level or "none" for _, j in lv],
            [_CODES[s.level] for s, _ in lv if s.level is not None],
            [s.group for s, _ in lv],
            rounds,
            seed,
        )
    if wiki:
        f1s = {}
        for a in _WIKI_ACTS:
            y = [bool(s.labels.get(a)) for s, _ in wiki]
            p = [a in j.act_labels for _, j in wiki]
            f1s[a] = round(float(m.f1_score(y, p, zero_division=0)), 3)
        out["acts"] = {
            "macro_f1": float(np.mean(list(f1s.values()))),
            "per_act_f1": f1s,
            "n": len(wiki),
        }
    answering = _answer_figures(samples, judged)
    if answering:
        out["answers"] = answering
    spans = [(s, j) for s, j in zip(samples, judged, strict=True) if s.spans is not None]
    if spans:
        out["spans"] = span_f1([j for _, j in spans], [s for s, _ in spans])
    return out


def _answer_figures(samples: Sequence[Sample], judged: Sequence[Judgement]) -> dict[str, Any]:
    """Per pair domain: how well the pair head's P(answers) and the level's P(DH5)+P(DH6) rank
    replies that answer their parent above replies to another parent, and where the answering
    replies are placed (DH4 or above; DH5 or DH6)."""
    m = import_sklearn().metrics
    out: dict[str, Any] = {}
    for domain in sorted({s.domain for s in samples if "answers" in s.labels}):
        rows = [
            (s.labels["answers"], j)
            for s, j in zip(samples, judged, strict=True)
            if s.domain == domain and "answers" in s.labels
        ]
        ys = [y for y, _ in rows]
        if len(set(ys)) < 2:
            continue
        own = [j for y, j in rows if y == 1]
        out[domain] = {
            "answers_roc_auc": round(
                float(m.roc_auc_score(ys, [j.attributes.get("answers", 0.0) for _, j in rows])), 4
            ),
            "dh56_roc_auc": round(
                float(m.roc_auc_score(ys, [j.scores["DH5"] + j.scores["DH6"] for _, j in rows])), 4
            ),
            "own_dh4_or_above": round(
                float(np.mean([j.level is not None and _RANK[j.level] >= 4 for j in own])), 4
            ),
            "own_dh5_or_dh6": round(float(np.mean([j.level in ("DH5", "DH6") for j in own])), 4),
            "n": len(rows),
            "answering": len(own),
        }
    return out


def textbook(judge: Judge, path: str | Path) -> dict[str, Any]:
    """Exact-level and act accuracy on the hand-written textbook replies (a JSON list of
    ``{"text", "parent", "expect"}``, where ``expect`` is a level code or an act code)."""
    cases = json.loads(Path(path).read_text(encoding="utf-8"))
    judged = judge.judge_batch([c["text"] for c in cases], [c.get("parent") for c in cases])
    hits: dict[str, list[bool]] = {}
    misses = []
    for c, j in zip(cases, judged, strict=True):
        want = c["expect"]
        ok = j.level == want if want in _CODES else (j.level is None and want in j.act_labels)
        hits.setdefault(want, []).append(ok)
        if not ok:
            misses.append(
                {
                    "text": c["text"][:80],
                    "expect": want,
                    "got": j.level or ",".join(j.act_labels) or "none",
                }
            )
    levels = [ok for k, v in hits.items() if k in _CODES for ok in v]
    acts = [ok for k, v in hits.items() if k not in _CODES for ok in v]
    return {
        "level_exact": float(np.mean(levels)) if levels else float("nan"),
        "act_exact": float(np.mean(acts)) if acts else float("nan"),
        "per_expected": {k: round(float(np.mean(v)), 3) for k, v in sorted(hits.items())},
        "n": len(cases),
        "misses": misses,
    }
