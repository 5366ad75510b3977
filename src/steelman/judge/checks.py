"""Does a judge still measure up to its card? Checks that hold on any CPU and catch a broken model.

Two kinds of check, both over what :func:`~steelman.judge.evaluate.evaluate` and
:func:`~steelman.judge.evaluate.textbook` return:

- **against the card**: each figure within :data:`TOLERANCE` of the figure the card recorded for
  the same kernels (``int8`` or ``float``, see :func:`~steelman.judge.network.choose_kernels`).
  The card's figures were measured on one machine; the float kernels give the same numbers on
  every CPU (measured: AVX-512 and emulated AVX2 agree to the last digit), the int8 kernels agree
  between CPUs with exact int8 dot products (AMX and AVX-512 VNNI: identical figures), and the
  two kinds differ by at most 0.004 ROC-AUC and 0.010 level macro-F1. The tolerances are about
  three times those gaps, and well inside the bootstrap interval of the small level sample.
- **floors** (:data:`FLOORS`): fixed quality every shipped model keeps, whatever the CPU. A model
  that always answers DH3, or an encoder whose weights were shuffled, falls below them.

:func:`check_figures` lists what fails, in words; an empty list is a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["FLOORS", "TOLERANCE", "card_figures", "check_figures"]

TOLERANCE = {
    "roc_auc": 0.01,
    "level_macro_f1": 0.03,
    "within_one": 0.03,
    "acts_macro_f1": 0.03,
    "span_head_f1": 0.02,
    "textbook_level_exact": 0.05,
    "textbook_check_level_exact": 0.05,
}

# head -> the lowest ROC-AUC allowed on any domain that labels it (Judge 2.0.0 sits 0.03-0.13
# above each; identity attack 0.06 and profanity 0.05 above theirs on ToxicSpans' toxic posts,
# where every negative is toxic too, and a shuffled encoder gives about 0.5); the level, act and
# span figures below are WikiTactics val's and ToxicSpans dev's
FLOORS: dict[str, float] = {
    "attack": 0.80,
    "attack_placed": 0.78,
    "disagreement": 0.65,
    "agreement": 0.70,
    "toxicity": 0.70,
    "insult": 0.68,
    "identity_attack": 0.62,
    "threat": 0.55,
    "profanity": 0.55,
    "reasons": 0.55,
    "answers": 0.65,  # the pair head on ArguAna / ArgTersely dev (a shuffled encoder: about 0.5)
    "level_macro_f1": 0.25,
    "within_one": 0.65,
    "acts_macro_f1": 0.25,
    "span_head_f1": 0.40,
    "textbook_level_exact": 0.35,
}


def _flat(metrics: Mapping[str, Any]) -> dict[str, float]:
    """``{"roc_auc/attack/cmv": 0.92, "level_macro_f1": 0.31, ...}`` from evaluate's shape
    (``{"dev": ..., "textbook": ...}``)."""
    dev = metrics.get("dev", {})
    out: dict[str, float] = {}
    for head, per in dev.get("roc_auc", {}).items():
        for domain, fig in per.items():
            out[f"roc_auc/{head}/{domain}"] = float(fig["roc_auc"])
    for domain, fig in dev.get("answers", {}).items():
        out[f"roc_auc/answers/{domain}"] = float(fig["answers_roc_auc"])
    lv = dev.get("levels")
    if lv:
        out["level_macro_f1"] = float(lv["level_macro_f1"])
        out["within_one"] = float(lv["within_one"])
    if dev.get("acts"):
        out["acts_macro_f1"] = float(dev["acts"]["macro_f1"])
    if dev.get("spans"):
        out["span_head_f1"] = float(dev["spans"]["span_head_f1"])
    if metrics.get("textbook"):
        out["textbook_level_exact"] = float(metrics["textbook"]["level_exact"])
    if metrics.get("textbook_check"):
        out["textbook_check_level_exact"] = float(metrics["textbook_check"]["level_exact"])
    return out


def card_figures(config: Mapping[str, Any], kernels: str) -> dict[str, Any] | None:
    """The figures a model's card recorded for ``kernels`` (``metrics`` for the kernels it was
    measured with, ``metrics["by_kernels"][kernels]`` for the other kind), or None where the
    card has none for them."""
    metrics = dict(config.get("metrics", {}))
    if kernels == metrics.get("kernels", "int8"):
        return metrics
    other = metrics.get("by_kernels", {}).get(kernels)
    return None if other is None else dict(other)


def check_figures(
    got: Mapping[str, Any],
    card: Mapping[str, Any] | None = None,
    *,
    tolerance: Mapping[str, float] = TOLERANCE,
    floors: Mapping[str, float] = FLOORS,
) -> list[str]:
    """What fails: every figure of ``got`` under its floor, and (with ``card``) every figure
    further from the card's than its tolerance. Only figures present in ``got`` are checked."""
    mine = _flat(got)
    problems = []
    for key, value in sorted(mine.items()):
        kind = key.split("/")[1] if key.startswith("roc_auc/") else key
        floor = floors.get(kind)
        if floor is not None and not value >= floor:
            problems.append(f"{key} {value:.3f} is under its floor {floor:.2f}")
    if card is not None:
        want = _flat(card)
        for key, value in sorted(mine.items()):
            if key not in want:
                continue
            tol = tolerance["roc_auc" if key.startswith("roc_auc/") else key]
            if not abs(value - want[key]) <= tol:
                problems.append(
                    f"{key} {value:.3f} is {value - want[key]:+.3f} from the card's"
                    f" {want[key]:.3f} (tolerance {tol})"
                )
    return problems
