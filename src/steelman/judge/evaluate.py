"""Measure a judge on labelled examples: the figures the issue asks for, per level and overall."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from steelman.data.labelled import Example
from steelman.judge.judge import Judge
from steelman.judge.metrics import (
    confusion,
    expected_calibration_error,
    f1_per_class,
    macro_f1,
    roc_auc,
    within_one,
)
from steelman.levels import LEVELS

__all__ = ["EVAL_ACTS", "Evaluation", "evaluate"]

# The non-disagreement acts the product is measured on (WikiTactics coordination labels).
EVAL_ACTS = ("question", "clarification", "compromise", "concession", "context", "coordination")


@dataclass
class Evaluation:
    """Metrics of one judge on one labelled set."""

    name: str
    n: int
    metrics: dict[str, float] = field(default_factory=dict)
    per_level: list[dict[str, Any]] = field(default_factory=list)
    confusion: list[list[int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "n": self.n,
            "metrics": self.metrics,
            "per_level": self.per_level,
            "confusion": self.confusion,
        }


def evaluate(judge: Judge, examples: Sequence[Example], name: str) -> Evaluation:
    """Judge every example and score the judgements against the labels."""
    judged = judge.judge_batch([e.text for e in examples], [e.parent for e in examples])
    ev = Evaluation(name=name, n=len(examples))
    m = ev.metrics
    att = [
        (bool(e.attack), j.attack)
        for e, j in zip(examples, judged, strict=True)
        if e.attack is not None
    ]
    if att:
        y, p = zip(*att, strict=True)
        m["attack_auc"] = roc_auc(y, p)
        m["attack_ece"] = expected_calibration_error(y, p)
    lab = [(e, j) for e, j in zip(examples, judged, strict=True) if e.labelled_level]
    if lab:
        y_dis = [e.level is not None for e, _ in lab]
        p_dis = [j.disagreement for _, j in lab]
        m["disagreement_auc"] = roc_auc(y_dis, p_dis)
        m["disagreement_ece"] = expected_calibration_error(y_dis, p_dis)
        m["disagreement_accuracy"] = float(
            np.mean([(j.level is not None) == y for (_, j), y in zip(lab, y_dis, strict=True)])
        )
        _levels(ev, [(e, j) for e, j in lab if e.level is not None])
        _acts(ev, lab)
    return ev


def _levels(ev: Evaluation, rows: list[tuple[Example, Any]]) -> None:
    if not rows:
        return
    y = np.asarray([e.level for e, _ in rows])
    pred = np.asarray(
        [LEVELS.index(next(lv for lv in LEVELS if lv.code == j.top_level)) for _, j in rows]
    )
    ranks = list(range(len(LEVELS)))
    ev.metrics["level_macro_f1"] = macro_f1(y, pred, ranks)
    ev.metrics["level_within_one"] = within_one(y, pred)
    ev.metrics["level_accuracy"] = float(np.mean(y == pred))
    for lv, (prec, rec, f1, sup) in zip(LEVELS, f1_per_class(y, pred, ranks), strict=True):
        ev.per_level.append(
            {
                "level": lv.code,
                "name": lv.name,
                "precision": prec,
                "recall": rec,
                "f1": f1,
                "support": sup,
            }
        )
    ev.confusion = confusion(y, pred, len(LEVELS)).tolist()
    probs = np.asarray([[j.scores[lv.code] for lv in LEVELS] for _, j in rows])
    ev.metrics["level_ece"] = expected_calibration_error(y == probs.argmax(1), probs.max(1))


def _acts(ev: Evaluation, rows: list[tuple[Example, Any]]) -> None:
    f1s = []
    for code in EVAL_ACTS:
        y = np.asarray([code in e.acts for e, _ in rows])
        if not y.any():
            continue
        pred = np.asarray([code in j.act_labels for _, j in rows])
        tp = float(np.sum(pred & y))
        f1 = 2 * tp / max(float(pred.sum() + y.sum()), 1.0)
        ev.metrics[f"act_{code}_f1"] = f1
        ev.metrics[f"act_{code}_auc"] = roc_auc(y, [j.acts.get(code, 0.0) for _, j in rows])
        f1s.append(f1)
    if f1s:
        ev.metrics["acts_macro_f1"] = float(np.mean(f1s))
