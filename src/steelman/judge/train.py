"""Fit a judge model from labelled examples (needs the ``train`` extra: scikit-learn).

Each head gets one logistic regression per feature block; out-of-fold logits (5 folds grouped by
conversation, so a thread never sits on both sides) train the meta model that combines them and
the decision rule. The final block models are refitted on all the head's rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from steelman.data.labelled import Example
from steelman.errors import MissingDependency
from steelman.judge.features import TfidfSpace
from steelman.judge.featurize import Blocks, featurize
from steelman.judge.linear import BLOCKS, Head, LinearStack
from steelman.levels import ACTS, LEVELS

__all__ = ["TrainConfig", "fit_model_parts"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters, chosen on WikiTactics val (see the model card)."""

    max_terms: int = 60000
    min_df: int = 2
    folds: int = 5
    c_tfidf: float = 4.0
    c_embed: float = 1.0
    c_cues: float = 1.0
    c_meta: float = 1.0
    seed: int = 0
    domain_source: str = "cmv"  # the domain head's positive class: reads like Reddit
    source_experts: tuple[str, ...] = ("tfidf", "embed", "cues")  # also one expert per source

    def c(self, block: str) -> float:
        return {"tfidf": self.c_tfidf, "embed": self.c_embed, "cues": self.c_cues}[block]


def _sklearn() -> Any:
    try:
        import scipy.sparse as sp
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import GroupKFold
    except ImportError as exc:
        raise MissingDependency("scikit-learn", "train", "Training a judge") from exc
    return sp, LogisticRegression, GroupKFold


def _matrix(blocks: Blocks, block: str, rows: np.ndarray, n_terms: int) -> Any:
    sp, _, _ = _sklearn()
    if block == "tfidf":
        data, cols, indptr = [], [], [0]
        for i in rows.tolist():
            idx, val = blocks.tfidf[i]
            cols.append(idx)
            data.append(val)
            indptr.append(indptr[-1] + len(idx))
        return sp.csr_matrix(
            (
                np.concatenate(data) if data else np.zeros(0, np.float32),
                np.concatenate(cols) if cols else np.zeros(0, np.int64),
                np.asarray(indptr),
            ),
            shape=(len(rows), n_terms),
        )
    return blocks.embed[rows] if block == "embed" else blocks.cues[rows]


def _fit_block(X: Any, y: np.ndarray, head: Head, c: float) -> tuple[np.ndarray, np.ndarray]:
    """One block's logistic regression as (weight (n_features, k), bias (k,)).

    Classes missing from ``y`` (possible in a fold) get zero weights and a very low bias.
    """
    _, LogisticRegression, _ = _sklearn()
    k = head.width
    n_features = X.shape[1]
    present = np.unique(y)
    if len(present) < 2:  # a one-class fold: predict that class everywhere
        w = np.zeros((n_features, k), np.float32)
        if head.kind == "binary":
            return w, np.asarray([8.0 if present[0] else -8.0], np.float32)
        b = np.full(k, -8.0, np.float32)
        b[int(present[0])] = 8.0
        return w, b
    lr = LogisticRegression(C=c, max_iter=3000).fit(X, y)
    if head.kind == "binary":
        return (
            np.ascontiguousarray(lr.coef_.T, dtype=np.float32),
            lr.intercept_.astype(np.float32),
        )
    return _full_multiclass(lr, k)


def _full_multiclass(lr: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
    """A fitted multiclass regression as (weight, bias) over all ``k`` classes."""
    classes = [int(c) for c in lr.classes_.tolist()]
    w = np.zeros((lr.coef_.shape[1], k), np.float32)
    b = np.full(k, -8.0, np.float32)
    if len(classes) == 2:  # scikit-learn fits one logit: split it into a softmax pair
        w[:, classes[1]], w[:, classes[0]] = lr.coef_[0] / 2, -lr.coef_[0] / 2
        b[classes[1]], b[classes[0]] = lr.intercept_[0] / 2, -lr.intercept_[0] / 2
        return w, b
    for row, cls in enumerate(classes):
        w[:, cls] = lr.coef_[row]
        b[cls] = lr.intercept_[row]
    return w, b


def _fit_head(
    head: Head,
    mats: dict[str, Any],
    y: np.ndarray,
    groups: np.ndarray,
    cfg: TrainConfig,
    sources: np.ndarray,
    domain: np.ndarray | None = None,
) -> np.ndarray:
    """Fit ``head`` in place; returns its out-of-fold meta probabilities.

    An expert ``"block@source"`` learns only from the rows of that source, but predicts all.
    ``domain`` holds the out-of-fold domain probability of each row (for ``domain_meta``).
    """
    _, LogisticRegression, GroupKFold = _sklearn()
    k = head.width
    n_splits = max(2, min(cfg.folds, len(set(groups.tolist()))))
    folds = list(GroupKFold(n_splits=n_splits).split(np.zeros(len(y)), y, groups))
    oof = np.zeros((len(y), k * len(head.experts)), dtype=np.float64)
    for xi, expert in enumerate(head.experts):
        block, _, source = expert.partition("@")
        X = mats[block]
        own = sources == source if source else np.ones(len(y), dtype=bool)
        for train_idx, test_idx in folds:
            rows = train_idx[own[train_idx]]
            w, b = _fit_block(X[rows], y[rows], head, cfg.c(block))
            oof[test_idx, xi * k : (xi + 1) * k] = X[test_idx] @ w + b
        head.weights[expert], head.biases[expert] = _fit_block(X[own], y[own], head, cfg.c(block))
    meta_x = LinearStack.meta_input(head, oof.astype(np.float32), domain)
    meta = LogisticRegression(C=cfg.c_meta, max_iter=5000).fit(meta_x, y)
    if head.kind == "binary":
        head.meta_weight = np.ascontiguousarray(meta.coef_.T, dtype=np.float32)
        head.meta_bias = meta.intercept_.astype(np.float32)
        return np.asarray(meta.predict_proba(meta_x)[:, 1])
    mw, mb = _full_multiclass(meta, k)
    head.meta_weight, head.meta_bias = mw, mb
    z = meta_x @ mw + mb
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def _tune_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The F1-best decision threshold on out-of-fold probabilities."""
    best, best_t = -1.0, 0.5
    for t in np.linspace(0.05, 0.95, 91):
        pred = p >= t
        tp = float(np.sum(pred & y))
        f1 = 2 * tp / max(float(pred.sum() + y.sum()), 1.0)
        if f1 > best:
            best, best_t = f1, float(t)
    return best_t


def _tune_decision(p_level: np.ndarray, p_attack: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Choose the level decision rule (see ``decide_levels``) on out-of-fold predictions:
    the best macro-F1 among the rules that keep within-one accuracy at 0.90 or more (or, when
    none does, the best sum of the two)."""
    from steelman.judge.judge import decide_levels
    from steelman.judge.metrics import macro_f1, within_one

    best: tuple[float, float, dict[str, float]] | None = None
    for lam in np.linspace(0.0, 1.0, 11):
        for override in (0.5, 0.6, 0.7, 0.8, 0.9, 2.0):
            params = {"smoothing": round(float(lam), 2), "attack_override": override}
            pred = decide_levels(p_level, p_attack, params)
            f1, w1 = macro_f1(y, pred, range(p_level.shape[1])), within_one(y, pred)
            key = (1.0 if w1 >= 0.9 else 0.0, f1 if w1 >= 0.9 else f1 + w1)
            if best is None or key > best[:2]:
                best = (key[0], key[1], params)
    assert best is not None
    return best[2]


def fit_model_parts(
    examples: Sequence[Example],
    embed: Callable[[Sequence[str]], np.ndarray],
    cfg: TrainConfig = TrainConfig(),
) -> tuple[TfidfSpace, LinearStack, dict[str, Any]]:
    """Fit the vocabulary and every head. Returns (space, stack, out-of-fold summary)."""
    texts = [e.text for e in examples]
    space = TfidfSpace.fit(texts, min_df=cfg.min_df, max_terms=cfg.max_terms)
    log.info("vocabulary: %d terms", len(space.terms))
    blocks = featurize(texts, [e.parent for e in examples], space, embed)
    cue_mean = blocks.cues.mean(axis=0)
    cue_scale = blocks.cues.std(axis=0) + 1e-6
    stack = LinearStack([], cue_mean.astype(np.float32), cue_scale.astype(np.float32))
    blocks.cues = stack.standardise(blocks.cues)
    groups = np.asarray([f"{e.source}:{e.group}" for e in examples])
    summary: dict[str, Any] = {}

    sources = np.asarray([e.source for e in examples])

    def run(
        head: Head, rows: np.ndarray, y: np.ndarray, domain: np.ndarray | None = None
    ) -> np.ndarray:
        mats = {b: _matrix(blocks, b, rows, len(space.terms)) for b in BLOCKS}
        log.info("head %s: %d rows, experts %s", head.name, len(rows), head.experts)
        dom = None if domain is None else domain[rows]
        p = _fit_head(head, mats, y, groups[rows], cfg, sources[rows], dom)
        stack.heads.append(head)
        return p

    idx = np.arange(len(examples))
    att = np.asarray([e.attack is not None for e in examples])
    y_att = np.asarray([bool(e.attack) for e in examples])
    head = Head("attack", "binary", ["attack"])
    p_dom: np.ndarray | None = None
    if len(set(sources[att].tolist())) > 1:
        # Registers differ (Wikipedia talk pages, Reddit): a domain head tells the attack
        # head's meta model which of its per-source experts to trust.
        dom_head = Head("domain", "binary", [cfg.domain_source], experts=["tfidf"])
        p_dom = run(dom_head, idx, sources == cfg.domain_source)
        head.experts = [
            *BLOCKS,
            *(f"{x}@{src}" for x in cfg.source_experts for src in sorted(set(sources.tolist()))),
        ]
        head.domain_meta = True
    p_att = np.full(len(examples), np.nan)
    p_att[att] = run(head, idx[att], y_att[att], p_dom)
    head.threshold = _tune_threshold(p_att[att], y_att[att])

    lab = np.asarray([e.labelled_level for e in examples])
    y_dis = np.asarray([e.level is not None for e in examples])
    head = Head("disagreement", "binary", ["disagreement"])
    head.threshold = _tune_threshold(run(head, idx[lab], y_dis[lab]), y_dis[lab])

    has_level = lab & y_dis
    y_lvl = np.asarray([e.level if e.level is not None else -1 for e in examples])
    head = Head("level", "multiclass", [lv.code for lv in LEVELS])
    p_lvl = run(head, idx[has_level], y_lvl[has_level])
    head.params = _tune_decision(p_lvl, np.nan_to_num(p_att[has_level]), y_lvl[has_level])
    summary["level_rule"] = head.params

    acts_rows = np.asarray([e.labelled_acts for e in examples])
    for a in ACTS:
        y_act = np.asarray([a.code in e.acts for e in examples])
        if y_act[acts_rows].sum() < cfg.folds:
            log.warning("act %s has too few examples; skipped", a.code)
            continue
        head = Head(f"act.{a.code}", "binary", [a.code])
        head.threshold = _tune_threshold(
            run(head, idx[acts_rows], y_act[acts_rows]), y_act[acts_rows]
        )
    summary["rows"] = len(examples)
    return space, stack, summary
