"""Does a reply answer its parent's point? The pair head of Judge 3.

Graham's upper levels are about the pair: a refutation answers *this* parent's claim. Two numbers
describe that, both from what the judge already has (one encoding per comment, no second model):

- ``cosine``: the cosine of parent and reply after a linear projection of the encoder's pooled
  vectors, trained contrastively on (parent, reply) pairs with in-batch negatives, as
  sentence-transformers trains retrieval models;
- ``lexical``: the tf-idf cosine of their words (sublinear counts, idf from the training texts):
  a counter that answers a point names what the point is about.

A logistic regression over the two gives P(answers). On the ArguAna training debates, by 5-fold
cross-validation grouped by debate (``steelman.judge.pair`` was chosen so): the fine-tuned
encoder's raw cosine ranks own counters above another point's at ROC-AUC 0.65, the projection
0.74, tf-idf 0.78, both 0.79; the element-wise product features and the sentence-level maximum
added nothing over these.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from steelman.data.corpus import Sample

__all__ = [
    "LABELLED_PAIR_SETS",
    "PAIR_FEATURES",
    "Lexicon",
    "PairHead",
    "contrast_pairs",
    "fit_pair_head",
    "fit_projection",
    "tilted",
]

PAIR_FEATURES = ("cosine", "lexical")
LABELLED_PAIR_SETS = ("arguana", "argtersely")  # the sets that say whether a reply answers
_WORD = re.compile(r"\b\w\w+\b")
_MIN_DF = 2
_MAX_WORDS = 60_000  # the most frequent words kept in the lexicon (about 1 MB in heads.npz)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class Lexicon:
    """Words and their inverse document frequencies: the lexical half of the pair head."""

    idf: dict[str, float]

    @classmethod
    def fit(cls, texts: Iterable[str]) -> Lexicon:
        df: Counter[str] = Counter()
        n = 0
        for t in texts:
            n += 1
            df.update(set(_words(t)))
        common = [w for w, c in df.most_common(_MAX_WORDS) if c >= _MIN_DF]
        return cls({w: math.log((1 + n) / (1 + df[w])) + 1.0 for w in common})

    @classmethod
    def from_arrays(cls, words: np.ndarray, idf: np.ndarray) -> Lexicon:
        """From :meth:`arrays`: the words as UTF-8 bytes joined by newlines (a fixed-width
        unicode array would hold every word at the longest one's width, 4 bytes a character)."""
        listed = (
            bytes(np.asarray(words, np.uint8)).decode("utf-8").split("\n") if len(words) else []
        )
        return cls({w: float(v) for w, v in zip(listed, idf.tolist(), strict=True)})

    def arrays(self) -> dict[str, np.ndarray]:
        words = sorted(self.idf)
        return {
            "lex_words": np.frombuffer("\n".join(words).encode("utf-8"), np.uint8).copy(),
            "lex_idf": np.asarray([self.idf[w] for w in words], np.float32),
        }

    def vector(self, text: str) -> dict[str, float]:
        """The text's unit tf-idf vector (sublinear counts), as a sparse dict."""
        counts = Counter(w for w in _words(text) if w in self.idf)
        vec = {w: (1.0 + math.log(c)) * self.idf[w] for w, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {w: v / norm for w, v in vec.items()} if norm > 0 else {}

    def cosine(self, a: str, b: str) -> float:
        va, vb = self.vector(a), self.vector(b)
        if len(vb) < len(va):
            va, vb = vb, va
        return float(sum(v * vb.get(w, 0.0) for w, v in va.items()))


def _unit(x: np.ndarray) -> np.ndarray:
    return np.asarray(x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9), np.float32)


@dataclass(frozen=True)
class PairHead:
    """The fitted pair head: projection, lexicon and the logistic weights over
    :data:`PAIR_FEATURES`."""

    projection: np.ndarray  # (dim, dim)
    lexicon: Lexicon
    weights: np.ndarray  # (2,)
    bias: float

    def features(
        self, reply: np.ndarray, parent: np.ndarray, texts: Sequence[tuple[str, str | None]]
    ) -> np.ndarray:
        """``(n, 2)``: the projected cosine and the tf-idf cosine of each (reply, parent); zeros
        where there is no parent."""
        cos = np.sum(_unit(reply @ self.projection.T) * _unit(parent @ self.projection.T), axis=1)
        lex = [self.lexicon.cosine(p, r) if p else 0.0 for r, p in texts]
        has = np.asarray([p is not None and bool(p) for _, p in texts], np.float32)
        return np.asarray(np.column_stack([cos * has, lex]), np.float32)

    def logits(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(features @ self.weights + self.bias, np.float32)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "pair_proj": self.projection.astype(np.float32),
            "pair_w": np.asarray(self.weights, np.float32),
            "pair_b": np.asarray([self.bias], np.float32),
            **self.lexicon.arrays(),
        }

    @classmethod
    def from_arrays(cls, heads: dict[str, np.ndarray]) -> PairHead:
        return cls(
            heads["pair_proj"],
            Lexicon.from_arrays(heads["lex_words"], heads["lex_idf"]),
            heads["pair_w"],
            float(heads["pair_b"][0]),
        )


def tilted(upper: np.ndarray, answers: np.ndarray, tilt: np.ndarray) -> np.ndarray:
    """P(DH2..DH6) with the odds of DH5 and DH6 against DH4 multiplied by
    ``exp(beta * (answers - c))``: of the replies that argue, one that answers its parent's point
    is more likely a refutation, one that does not is more likely a counterargument (``tilt`` =
    ``[beta, c]``; c is the typical WikiTactics reply, where it is neutral). DH2 and DH3 keep
    their probabilities."""
    beta, c = float(tilt[0]), float(tilt[1])
    up = np.asarray(upper, np.float64)
    argue = up[:, 2:].sum(axis=1, keepdims=True)
    shift = np.exp(np.clip(beta * (np.asarray(answers).reshape(-1, 1) - c), -30, 30))
    top = up[:, 3:] * shift
    scale = argue / np.maximum(up[:, 2:3] + top.sum(axis=1, keepdims=True), 1e-300)
    return np.asarray(np.concatenate([up[:, :2], up[:, 2:3] * scale, top * scale], axis=1))


def _key(*parts: str) -> str:
    return hashlib.sha1("\0".join(parts).encode("utf-8")).hexdigest()


def contrast_pairs(samples: Sequence[Sample]) -> list[Sample]:
    """(parent, reply, answers) samples for the pair head: the sets that label it (ArguAna,
    ArgTersely), and every other reply with a parent paired both with its own parent (1) and
    with another parent of the same conversation (0), drawn by a fixed hash."""
    out = [s for s in samples if "answers" in s.labels and s.parent]
    by_group: dict[tuple[str, str], list[Sample]] = {}
    for s in samples:
        if "answers" not in s.labels and s.parent:
            by_group.setdefault((s.domain, s.group), []).append(s)
    for rows in by_group.values():
        parents = sorted({s.parent for s in rows if s.parent})
        if len(parents) < 2:
            continue
        for s in rows:
            others = [p for p in parents if p != s.parent]
            other = min(others, key=lambda p, s=s: _key(s.text, p))  # type: ignore[misc]
            out.append(Sample(s.text, s.parent, s.domain, s.group, s.split, {"answers": 1.0}))
            out.append(Sample(s.text, other, s.domain, s.group, s.split, {"answers": 0.0}))
    return out


def fit_projection(
    parents: np.ndarray, replies: np.ndarray, *, epochs: int = 10, seed: int = 0
) -> np.ndarray:
    """A linear map (started at the identity) under which each parent's pooled vector is closer
    to its own reply than to the other replies of its batch (symmetric InfoNCE, temperature
    0.05, batch 64). Needs torch (training only)."""
    from steelman.judge.compat import import_torch

    torch = import_torch()
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    p = torch.tensor(parents, dtype=torch.float32)
    r = torch.tensor(replies, dtype=torch.float32)
    dim = p.shape[1]
    layer = torch.nn.Linear(dim, dim, bias=False)
    torch.nn.init.eye_(layer.weight)
    opt = torch.optim.Adam(layer.parameters(), lr=1e-3)
    norm = torch.nn.functional.normalize
    for _ in range(epochs):
        order = torch.randperm(len(p), generator=gen)
        for start in range(0, len(p), 64):
            batch = order[start : start + 64]
            if len(batch) < 2:
                continue
            sims = norm(layer(p[batch]), dim=-1) @ norm(layer(r[batch]), dim=-1).T / 0.05
            target = torch.arange(len(batch))
            loss = (
                torch.nn.functional.cross_entropy(sims, target)
                + torch.nn.functional.cross_entropy(sims.T, target)
            ) / 2
            opt.zero_grad()
            loss.backward()
            opt.step()
    return np.asarray(layer.weight.detach().numpy(), np.float32)


def _oof_logits(
    pairs: Sequence[Sample],
    design: np.ndarray,
    reply: np.ndarray,
    parent: np.ndarray,
    lexicon: Lexicon,
    folds: int,
    C: float,
) -> tuple[np.ndarray, Any]:
    """Every pair's out-of-fold logit under one design (``design`` marks the pairs it trains
    on), with folds grouped by conversation over all pairs: each fold's projection is trained on
    the design's pairs of the other folds (a projection's cosine on its own training pairs is far
    cleaner than on new ones, so the logistic weights are fitted on out-of-fold features too).
    Returns the logits and the logistic regression fitted on the design's pairs."""
    from steelman.judge.compat import import_sklearn

    sk = import_sklearn("Fitting the judge's pair head")
    y = np.asarray([s.labels["answers"] for s in pairs])
    groups = [f"{s.domain}:{s.group}" for s in pairs]
    texts = [(s.text, s.parent) for s in pairs]
    oof = np.zeros((len(pairs), len(PAIR_FEATURES)), np.float32)
    split = sk.model_selection.GroupKFold(n_splits=min(folds, len(set(groups))))
    for fit_rows, test_rows in split.split(reply, y, groups):
        own = [i for i in fit_rows if y[i] == 1 and design[i]]
        head = PairHead(
            fit_projection(parent[own], reply[own]), lexicon, np.zeros(2, np.float32), 0.0
        )
        oof[test_rows] = head.features(
            reply[test_rows], parent[test_rows], [texts[i] for i in test_rows]
        )
    clf = sk.linear_model.LogisticRegression(C=C, max_iter=5000).fit(oof[design], y[design])
    return np.asarray(clf.decision_function(oof)), clf


def fit_pair_head(
    pooled: dict[str, np.ndarray],
    pairs: Sequence[Sample],
    lexicon: Lexicon,
    *,
    C: float = 1.0,
    folds: int = 5,
) -> tuple[PairHead, dict[str, Any], dict[tuple[str, str], float]]:
    """Fit the pair head on ``pairs`` (from :func:`contrast_pairs`). Three designs are compared
    by out-of-fold ROC-AUC on the sets that label the question (ArguAna, ArgTersely; folds
    grouped by conversation): trained on ArguAna alone, on both labelled sets, or with the
    shuffled pairs of the other sets too. The one with the best mean over the labelled sets is
    kept. Returns the head, its figures, and each pair's out-of-fold logit under it (for the
    level head's tilt)."""
    from steelman.judge.compat import import_sklearn

    sk = import_sklearn("Fitting the judge's pair head")
    domains = np.asarray([s.domain for s in pairs])
    labelled = sorted({d for d in domains.tolist() if d in LABELLED_PAIR_SETS})
    marks = {
        "ArguAna alone": domains == "arguana",
        "labelled sets": np.isin(domains, LABELLED_PAIR_SETS),
        "with shuffled pairs": np.ones(len(pairs), bool),
    }
    designs = {k: m for k, m in marks.items() if m.any()}
    if not labelled:
        designs = {"with shuffled pairs": marks["with shuffled pairs"]}
    reply = np.stack([pooled[s.text] for s in pairs])
    parent = np.stack([pooled[s.parent or ""] for s in pairs])
    y = np.asarray([s.labels["answers"] for s in pairs])
    info: dict[str, Any] = {"designs": {}}
    fitted: dict[str, tuple[np.ndarray, Any, float]] = {}
    for name, design in designs.items():
        logit, clf = _oof_logits(pairs, design, reply, parent, lexicon, folds, C)
        by_domain = {}
        for d in sorted(set(domains.tolist())):
            m = domains == d
            if len(set(y[m].tolist())) == 2 and (d in labelled or design[m].any()):
                by_domain[d] = round(float(sk.metrics.roc_auc_score(y[m], logit[m])), 4)
        score = [by_domain[d] for d in labelled if d in by_domain]
        info["designs"][name] = {
            "pairs": int(design.sum()),
            "grouped_cv_roc_auc": by_domain,
            "weight_cosine": round(float(clf.coef_[0][0]), 4),
            "weight_lexical": round(float(clf.coef_[0][1]), 4),
        }
        fitted[name] = (logit, clf, float(np.mean(score)) if score else 0.0)
    chosen = max(fitted, key=lambda k: fitted[k][2])
    logit, clf, _ = fitted[chosen]
    info["chosen"] = chosen
    own = np.flatnonzero((y == 1) & designs[chosen])
    final = PairHead(
        fit_projection(parent[own], reply[own]),
        lexicon,
        clf.coef_[0].astype(np.float32),
        float(clf.intercept_[0]),
    )
    oof_logit = {(s.text, s.parent or ""): float(v) for s, v in zip(pairs, logit, strict=True)}
    return final, info, oof_logit
