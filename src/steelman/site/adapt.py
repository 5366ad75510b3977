"""``steelman adapt``: fit a site layer on the site's own decisions, compare it with the bundled
judge on held-out decisions, and keep it only when it is better.

1. Read the decisions (:mod:`steelman.site.decisions`).
2. Give each the bundled judge's probabilities (the stored judgement when the same judge made
   it, else judged now) and pooled encoding (kept in the store: each text is encoded once).
3. Cross-validate by thread: every decision is scored by a layer that never saw its thread.
4. Compare with the judge's own attack probability: ROC-AUC for "a moderator rejects it" and
   precision/recall at the hold threshold, with bootstrap intervals over threads.
5. Refuse when there are too few decisions or the gain's interval does not exclude zero (saying
   why and about how many more decisions it would take); else fit on every decision and write a
   new layer directory (switched on only when asked).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from steelman.site.card import layer_card
from steelman.site.decisions import Decision, collect, count
from steelman.site.evaluate import Comparison, compare
from steelman.site.features import baseline_scores, probability_names
from steelman.site.fit import Examples, cross_validate, fit_choosing
from steelman.site.layer import SiteLayer

if TYPE_CHECKING:
    from steelman.server.db import Store
    from steelman.site.registry import SiteLayers

__all__ = ["AdaptOptions", "AdaptReport", "adapt", "evaluate_examples", "featurise"]


@dataclass(frozen=True)
class AdaptOptions:
    min_decisions: int = 100  # fewer: refused
    min_each: int = 20  # rejections and approvals each, at least
    folds: int = 5
    threshold: float = 0.5  # the hold threshold precision and recall are measured at
    resamples: int = 1000
    level: float = 0.95
    seed: int = 0


@dataclass
class AdaptReport:
    """What ``adapt`` found and did."""

    accepted: bool
    reason: str
    counts: dict[str, Any]
    comparison: Comparison | None = None
    more_needed: int | None = None  # about how many more decisions would do, where known
    layer: SiteLayer | None = None
    switched: bool = False
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in self.counts.get("by_kind", {}).items())
        lines = [
            f"{self.counts.get('total', 0)} decisions ({self.counts.get('rejected', 0)} rejected;"
            f" {kinds or 'none'})"
        ]
        c = self.comparison
        if c is not None:
            pct = round(c.level * 100)
            lines += [
                f"held-out ROC-AUC for 'a moderator rejects it' ({pct}% intervals, by thread):",
                f"  bundled judge  {c.auc_bundled}",
                f"  adapted layer  {c.auc_adapted}",
                f"  gain           {c.gain}",
                f"at the hold threshold {c.threshold:g}: precision/recall bundled"
                f" {c.precision_bundled.value:.3f}/{c.recall_bundled.value:.3f}, adapted"
                f" {c.precision_adapted.value:.3f}/{c.recall_adapted.value:.3f}",
            ]
        if self.accepted and self.layer is not None:
            lines.append(
                f"wrote {self.layer.name} to {self.layer.path}"
                + (
                    "; switched on"
                    if self.switched
                    else f"; switch it on with `steelman site-layers switch {self.layer.name}`"
                )
            )
        else:
            lines.append(f"refused: {self.reason}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "reason": self.reason,
            "counts": self.counts,
            "comparison": self.comparison.to_dict() if self.comparison else None,
            "more_needed": self.more_needed,
            "layer": self.layer.name if self.layer else None,
            "path": str(self.layer.path) if self.layer and self.layer.path else None,
            "switched": self.switched,
            "seconds": self.seconds,
        }


def _model_key(info: dict[str, str]) -> str:
    return f"{info.get('name', '')} {info.get('version', '')}"


def featurise(decisions: Sequence[Decision], judge: Any, store: Store | None = None) -> Examples:
    """The layer's view of each decision. Stored judgements made by this judge are reused; the
    rest are judged now. Pooled encodings come from the store where kept, else from the judge
    (and are then kept); a judge without ``pooled`` gives none."""
    info = dict(judge.info)
    key = _model_key({k: v for k, v in info.items() if k in ("name", "version")})
    judgements: list[dict[str, Any] | None] = []
    for d in decisions:
        j = d.judgement
        same = j is not None and _model_key(j.get("model") or {}) == key
        judgements.append(j if same else None)
    todo = [i for i, j in enumerate(judgements) if j is None]
    for start in range(0, len(todo), 256):
        part = todo[start : start + 256]
        answers = judge.judge_batch(
            [decisions[i].text for i in part], [decisions[i].parent for i in part]
        )
        for i, a in zip(part, answers, strict=True):
            judgements[i] = a.to_dict()
    pooled_fn = getattr(judge, "pooled", None)
    if callable(pooled_fn) and decisions:
        pooled = _pooled(decisions, pooled_fn, key, store)
    else:
        pooled = np.zeros((len(decisions), 0))
    return Examples(
        judgements=[j for j in judgements if j is not None],
        pooled=pooled,
        rejected=np.array([d.rejected for d in decisions], dtype=bool),
        groups=np.array([d.thread for d in decisions]),
        weights=np.ones(len(decisions)),
    )


def _pooled(
    decisions: Sequence[Decision], pooled_fn: Any, key: str, store: Store | None
) -> np.ndarray:
    from steelman.server.db.site import SiteTables, text_hash

    tables = SiteTables(store) if store is not None else None
    hashes = [text_hash(d.text) for d in decisions]
    known = tables.encodings(hashes, key) if tables is not None else {}
    missing = list(
        dict.fromkeys(d.text for d, h in zip(decisions, hashes, strict=True) if h not in known)
    )
    for start in range(0, len(missing), 256):
        part = missing[start : start + 256]
        vecs = np.asarray(pooled_fn(part), np.float32)
        new = [(text_hash(t), v) for t, v in zip(part, vecs, strict=True)]
        known.update(new)
        if tables is not None:
            tables.put_encodings(new, key)
    return np.stack([known[h] for h in hashes]).astype(np.float64)


def _too_few(ex: Examples, options: AdaptOptions) -> tuple[str, int] | None:
    n, rejected = len(ex), int(ex.rejected.sum())
    kept = n - rejected
    more = max(options.min_decisions - n, options.min_each - rejected, options.min_each - kept, 0)
    if more == 0:
        return None
    return (
        f"too few decisions: {n} ({rejected} rejected, {kept} kept); adapt needs at least"
        f" {options.min_decisions}, with {options.min_each} rejections and {options.min_each}"
        f" kept replies among them: about {more} more"
        + (
            f" (at least {options.min_each - rejected} more rejections)"
            if rejected < options.min_each
            else ""
        )
        + (
            f" (at least {options.min_each - kept} more kept replies)"
            if kept < options.min_each
            else ""
        ),
        more,
    )


def _more_for_gain(c: Comparison) -> int | None:
    """About how many more decisions would make a gain of the measured size clear (intervals
    narrow as one over the square root of the decisions); ``None`` when there is no gain."""
    g = c.gain
    if g.value <= 0:
        return None
    z = 1.959963984540054
    se = max((g.high - g.low) / (2 * z), 1e-9)
    return max(math.ceil(c.n * (z * se / g.value) ** 2 - c.n), 1)


def evaluate_examples(
    ex: Examples, options: AdaptOptions = AdaptOptions()
) -> tuple[Comparison | None, str, int | None, tuple[str, ...], list[float], np.ndarray]:
    """Cross-validate and compare: the comparison (``None`` when too few), why it is refused
    ("" when it is not), how many more decisions it would take, the probabilities read, the
    penalty per fold, and the out-of-fold scores."""
    few = _too_few(ex, options)
    if few is not None:
        return None, few[0], few[1], (), [], np.zeros(0)
    names = probability_names(ex.judgements)
    oof, l2s = cross_validate(ex, names, k=options.folds, seed=options.seed)
    c = compare(
        ex.rejected,
        baseline_scores(ex.judgements),
        oof,
        ex.groups,
        threshold=options.threshold,
        resamples=options.resamples,
        level=options.level,
        seed=options.seed,
    )
    if c.better:
        return c, "", None, names, l2s, oof
    more = _more_for_gain(c)
    why = (
        f"the adapted layer is not clearly better than the bundled judge on held-out decisions:"
        f" ROC-AUC {c.auc_adapted.value:.3f} against {c.auc_bundled.value:.3f}, a gain of"
        f" {c.gain.value:+.3f} whose {round(c.level * 100)}% interval"
        f" ({c.gain.low:+.3f} to {c.gain.high:+.3f}) does not exclude no gain"
    )
    why += (
        f"; a gain of this size would show with about {more} more decisions"
        if more is not None
        else "; the site's decisions so far follow the bundled judge: keep it"
    )
    return c, why, more, names, l2s, oof


def adapt(
    store: Store,
    judge: Any,
    layers: SiteLayers,
    *,
    options: AdaptOptions = AdaptOptions(),
    actor: str = "cli",
    switch: bool = False,
) -> AdaptReport:
    """Fit, compare, and write a new layer when it is better (switched on with ``switch``). The
    run is recorded in the audit log (``site_layer_adapt``) either way."""
    t0 = time.perf_counter()
    decisions = collect(store)
    counts = count(decisions)
    t1 = time.perf_counter()
    ex = featurise(decisions, judge, store)
    t2 = time.perf_counter()
    c, why, more, names, l2s, oof = evaluate_examples(ex, options)
    t3 = time.perf_counter()
    report = AdaptReport(accepted=not why, reason=why or "better", counts=counts, comparison=c)
    report.more_needed = more
    if report.accepted and c is not None:
        head, reads = fit_choosing(ex, names, seed=options.seed)
        name, version = layers.next_name()
        info = dict(judge.info)
        layer = SiteLayer(
            name=name,
            version=version,
            base={"name": str(info.get("name", "")), "version": str(info.get("version", ""))},
            names=names,
            pooled_dim=int(ex.pooled.shape[1]) if reads else 0,
            head=head,
            threshold=options.threshold,
            decisions=counts,
            metrics={
                "heldout": c.to_dict(),
                "folds": options.folds,
                "l2_per_fold": l2s,
                "heldout_scores": {
                    "adapted": [round(float(v), 4) for v in oof],
                    "bundled": [round(float(v), 4) for v in baseline_scores(ex.judgements)],
                    "rejected": [bool(v) for v in ex.rejected],
                },
            },
            created=time.time(),
        )
        layer.save(layers.folder / name, layer_card(layer))
        report.layer = layer
        if switch:
            layers.switch(name, actor=actor, reason="switched on by steelman adapt")
            report.switched = True
    report.seconds = {
        "read": round(t1 - t0, 3),
        "features": round(t2 - t1, 3),
        "cross_validation": round(t3 - t2, 3),
        "total": round(time.perf_counter() - t0, 3),
    }
    store.record(
        actor,
        "site_layer_adapt",
        reason=report.reason if not report.accepted else "",
        layer=report.layer.name if report.layer else "",
        accepted=report.accepted,
        decisions=counts["total"],
        auc_bundled=round(c.auc_bundled.value, 4) if c else None,
        auc_adapted=round(c.auc_adapted.value, 4) if c else None,
    )
    return report
