"""The one place where the heads' outputs become the judge's decisions.

From the logits of one reply: the probability of each level (they sum to 1), the attack and
disagreement probabilities, each act's probability, and then the decisions that are printed:

- ``attack`` is P(DH0 or DH1).
- The level distribution: P(DH0) = attack x P(name-calling | attack), P(DH1) the rest of the
  attack; DH2..DH6 share ``1 - attack`` as the level head says (:meth:`Network.forward`).
- ``disagreement`` is P(the reply is on the scale): the disagreement head, or the attack
  probability when that is higher (an attack on the person is the scale's bottom).
- The level shown is ``None`` below the disagreement threshold; otherwise it is read from the one
  distribution: on the attack side (DH0/DH1) when most of its mass is there, and then the more
  probable of the two, else the most probable of DH2..DH6. The attack flag follows from the level.
  (The plain argmax over all seven names an attack whenever P(DH1) beats each upper level alone,
  which at P(attack) 0.3 it often does: it called a third more WikiTactics replies DH1 and took
  within-one accuracy from 0.73 to 0.66 on WikiTactics val. Calling someone an attacker when the
  model itself finds it more likely that they are not is the worse error.)
- ``answers`` (where the reply has a parent) is the pair head's P(it answers the parent's point).
- The acts decided are those at or above their threshold; a reply off the scale with none above
  gets its most probable act when that reaches ``thresholds["fallback_act"]``.

Every invariant above is checked by a property test over many random logit vectors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from steelman.levels import LEVELS

__all__ = ["DEFAULT_THRESHOLDS", "Decision", "decide", "sigmoid", "softmax"]

DEFAULT_THRESHOLDS: dict[str, float] = {
    "disagreement": 0.5,
    "act": 0.5,
    "fallback_act": 0.25,
}


def sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0))), dtype=np.float64)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature``."""
    z = np.asarray(logits) / temperature
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True), np.float64)


@dataclass(frozen=True)
class Decision:
    """What the judge decides for one reply, with the probabilities it decided from."""

    level: str | None
    scores: dict[str, float]
    attack: float
    disagreement: float
    acts: dict[str, float]
    act_labels: tuple[str, ...]
    top_level: str
    extra: dict[str, float]  # the other heads (toxicity, insult, ...) as probabilities

    @property
    def attack_flag(self) -> bool:
        return self.level in ("DH0", "DH1")


def level_distribution(attack: float, dh0: float, upper: np.ndarray) -> np.ndarray:
    """P(DH0..DH6) from P(attack), P(name-calling | attack) and P(DH2..DH6 | no attack)."""
    upper_p = np.clip(np.asarray(upper, dtype=np.float64), 0.0, 1.0)
    upper_p = upper_p / upper_p.sum() if upper_p.sum() > 0 else np.full(5, 0.2)
    out = np.concatenate([[attack * dh0, attack * (1.0 - dh0)], (1.0 - attack) * upper_p])
    return np.asarray(out / out.sum(), dtype=np.float64)


def decide(
    binary: np.ndarray,
    upper: np.ndarray,
    tasks: Sequence[str],
    acts: Sequence[str],
    thresholds: Mapping[str, float] | None = None,
    answers: float | None = None,
) -> Decision:
    """Decide for one reply from its binary logits (in ``tasks`` order), P(DH2..DH6) and the
    pair head's logit that it answers its parent (``None``: it has no parent)."""
    th = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    raw = sigmoid(np.asarray(binary, dtype=np.float64)).tolist()
    p = {t: round(float(v), 4) for t, v in zip(tasks, raw, strict=True)}
    attack = p["attack"]
    dist = level_distribution(attack, p["dh0"], upper)
    scores = {lv.code: round(float(dist[lv.rank]), 4) for lv in LEVELS}
    codes = [lv.code for lv in LEVELS]
    disagreement = max(p["disagreement"], attack)
    level: str | None = None
    if disagreement >= th["disagreement"]:
        side = codes[:2] if scores["DH0"] + scores["DH1"] >= 0.5 else codes[2:]
        level = max(side, key=lambda c: scores[c])  # decided on the printed numbers
    act_p = {a: p[a] for a in acts}
    chosen = sorted(
        (a for a in acts if act_p[a] >= th.get(f"act.{a}", th["act"])), key=lambda a: -act_p[a]
    )
    if level is None and not chosen and act_p:
        best = max(act_p, key=lambda a: act_p[a])
        if act_p[best] >= th["fallback_act"]:
            chosen = [best]
    skip = {*acts, "attack", "dh0", "disagreement"}
    extra = {t: v for t, v in p.items() if t not in skip}
    if answers is not None:
        extra["answers"] = round(float(sigmoid(np.asarray(answers))), 4)
    return Decision(
        level=level,
        scores=scores,
        attack=attack,
        disagreement=disagreement,
        acts=act_p,
        act_labels=tuple(chosen),
        top_level=max(codes, key=lambda c: scores[c]),
        extra=extra,
    )
