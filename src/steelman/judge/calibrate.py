"""Calibrated probabilities: a score of 0.8 means about 80%.

The heads are fitted for ranking (several class-balanced, for macro-F1), so their raw sigmoids are
not probabilities. Each head served as a probability gets a Platt map, ``a * logit + b``, fitted
on held-out data (the dev splits, never trained on); the level softmax gets a temperature. A
decision threshold moves with its head's map, so every decision stays what it was and only the
printed numbers change.

:func:`fit_calibration` reports the expected calibration error (ten equal-width bins) per head
and domain before and after, *cross-fitted*: each half of the conversations is scored by the map
fitted on the other half.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from steelman.data.corpus import BINARY_TASKS, Sample
from steelman.judge.compat import import_sklearn
from steelman.judge.decide import sigmoid, softmax

__all__ = ["CALIBRATED", "apply_calibration", "ece", "fit_calibration", "moved_thresholds"]

# the heads served as probabilities (every binary task but the name-calling share of an attack
# and the weak argument-quality head), with "answers" (the pair head) beside them
CALIBRATED = (*(t for t in BINARY_TASKS if t not in ("dh0", "reasons")), "answers")
_TEMPERATURES = tuple(round(0.5 + 0.1 * k, 1) for k in range(26))  # 0.5 .. 3.0


def ece(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the mean |observed rate - mean score| over equal-width bins,
    weighted by how many scores fall in each."""
    p = np.asarray(p, np.float64)
    y = np.asarray(y, np.float64)
    if not len(p):
        return float("nan")
    which = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        m = which == b
        if m.any():
            total += m.sum() * abs(float(y[m].mean()) - float(p[m].mean()))
    return total / len(p)


def _platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    sk = import_sklearn("Calibrating the judge")
    if len(set(y.tolist())) < 2:
        return 1.0, 0.0
    clf = sk.linear_model.LogisticRegression(C=1e4, max_iter=1000).fit(z.reshape(-1, 1), y)
    a = float(clf.coef_[0][0])
    return (a, float(clf.intercept_[0])) if a > 0 else (1.0, 0.0)


def _half(group: str) -> int:
    return int(hashlib.sha1(f"calibration\0{group}".encode()).hexdigest()[:8], 16) % 2


def _temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature (of :data:`_TEMPERATURES`) with the least negative log-likelihood."""

    def nll(t: float) -> float:
        p = softmax(logits, t)[np.arange(len(y)), y]
        return float(-np.mean(np.log(np.maximum(p, 1e-12))))

    return min(_TEMPERATURES, key=nll)


def fit_calibration(judge: Any, samples: Sequence[Sample]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Platt maps and the level temperature fitted on ``samples`` (held out from training),
    and the figures: per head and domain, cross-fitted ECE before and after, and n."""
    raw = judge.logits([s.text for s in samples], [s.parent for s in samples])
    tasks = list(judge.model.tasks)
    halves = np.asarray([_half(f"{s.domain}:{s.group}") for s in samples])
    maps: dict[str, list[float]] = {}
    figures: dict[str, Any] = {}
    for task in CALIBRATED:
        rows = [i for i, s in enumerate(samples) if task in s.labels]
        if task == "answers":
            rows = [i for i in rows if samples[i].parent]
        if len(rows) < 40:
            continue
        z = raw.answers[rows] if task == "answers" else raw.binary[rows, tasks.index(task)]
        y = np.asarray([samples[i].labels[task] for i in rows], np.float64)
        h = halves[rows]
        crossed = np.zeros(len(rows))
        for half in (0, 1):
            fit, use = h != half, h == half
            a, b = _platt(z[fit], y[fit]) if fit.any() else (1.0, 0.0)
            crossed[use] = sigmoid(a * z[use] + b)
        maps[task] = list(_platt(z, y))
        doms = np.asarray([samples[i].domain for i in rows])
        figures[task] = {
            d: {
                "ece_raw": round(ece(sigmoid(z[doms == d]), y[doms == d]), 4),
                "ece": round(ece(crossed[doms == d], y[doms == d]), 4),
                "n": int((doms == d).sum()),
            }
            for d in sorted(set(doms.tolist()))
            if (doms == d).sum() >= 40
        }
    graded = [i for i, s in enumerate(samples) if s.level is not None and s.level >= 2]
    calibration: dict[str, Any] = {"platt": maps}
    if len(graded) >= 40:
        logits = np.log(np.maximum(raw.upper[graded], 1e-12))
        y_lv = np.asarray([samples[i].level for i in graded]) - 2
        h = halves[graded]
        conf, hit = np.zeros(len(graded)), np.zeros(len(graded))
        for half in (0, 1):
            use = h == half
            t = _temperature(logits[h != half], y_lv[h != half]) if (h != half).any() else 1.0
            p = softmax(logits[use], t)
            conf[use] = p.max(axis=1)
            hit[use] = p.argmax(axis=1) == y_lv[use]
        raw_p = softmax(logits, 1.0)
        calibration["level"] = _temperature(logits, y_lv)
        figures["level"] = {
            "ece_raw": round(ece(raw_p.max(axis=1), raw_p.argmax(axis=1) == y_lv), 4),
            "ece": round(ece(conf, hit), 4),
            "n": len(graded),
        }
    return calibration, figures


def apply_calibration(binary: np.ndarray, tasks: Sequence[str], maps: Mapping[str, Any]) -> None:
    """Map each calibrated task's logits in ``binary`` (rows: replies) in place."""
    for k, task in enumerate(tasks):
        if task in maps:
            a, b = maps[task]
            binary[:, k] = a * binary[:, k] + b


def moved_thresholds(
    thresholds: Mapping[str, float], acts: Sequence[str], maps: Mapping[str, Any]
) -> dict[str, float]:
    """The decision thresholds moved with their heads' maps, so that each decision stays what it
    was: the disagreement gate, and each act's own threshold (``act.<name>``)."""
    out = dict(thresholds)

    def move(th: float, task: str) -> float:
        if task not in maps:
            return th
        a, b = maps[task]
        z = math.log(th / (1.0 - th))
        return float(sigmoid(np.asarray(a * z + b)))

    out["disagreement"] = move(float(thresholds.get("disagreement", 0.5)), "disagreement")
    for act in acts:
        out[f"act.{act}"] = move(
            float(thresholds.get(f"act.{act}", thresholds.get("act", 0.5))), act
        )
    return out
