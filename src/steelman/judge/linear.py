"""The judge's weights and the arithmetic that turns features into probabilities (numpy only).

Three feature blocks feed every head: ``tfidf`` (sparse n-grams), ``embed`` (the reply's and the
parent's sentence embeddings and their product) and ``cues`` (hand-written cues, standardised).
Each head has *experts*: one linear model per block, trained on all the head's rows, and
optionally more trained on one source only (``"tfidf@cmv"``: Reddit's register differs from
Wikipedia's). A small linear *meta* model combines the experts' logits, fitted on out-of-fold
logits so that it learns how far to trust each; with ``domain_meta`` it also sees the
``domain`` head's probability that the text reads like Reddit, and its products with the
logits, so the trust can differ by register. The meta output is the calibrated probability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["BLOCKS", "Head", "LinearStack", "sigmoid", "softmax"]

BLOCKS = ("tfidf", "embed", "cues")


def sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)))


def softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=-1, keepdims=True))


@dataclass
class Head:
    """One question the judge answers: binary (one logit) or multiclass (one per class)."""

    name: str
    kind: str  # "binary" | "multiclass"
    classes: list[str]
    # per block: weight (n_features, k) and bias (k,)
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    biases: dict[str, np.ndarray] = field(default_factory=dict)
    meta_weight: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    meta_bias: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    threshold: float = 0.5  # decision threshold (binary), tuned on out-of-fold data
    params: dict[str, float] = field(default_factory=dict)  # decision rule settings (see judge)
    experts: list[str] = field(default_factory=lambda: list(BLOCKS))  # "block" or "block@source"
    domain_meta: bool = False

    @property
    def width(self) -> int:
        return 1 if self.kind == "binary" else len(self.classes)

    def config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "classes": self.classes,
            "threshold": self.threshold,
            "params": dict(self.params),
            "experts": list(self.experts),
            "domain_meta": self.domain_meta,
        }


@dataclass
class LinearStack:
    """All heads over the three blocks, with the cue standardisation."""

    heads: list[Head]
    cue_mean: np.ndarray
    cue_scale: np.ndarray

    def head(self, name: str) -> Head:
        for h in self.heads:
            if h.name == name:
                return h
        raise KeyError(name)

    def block_logits(
        self,
        head: Head,
        tfidf: list[tuple[np.ndarray, np.ndarray]],
        embed: np.ndarray,
        cues: np.ndarray,
    ) -> np.ndarray:
        """Each expert's logits, concatenated: shape (n, len(experts) * width)."""
        n = embed.shape[0]
        std = self.standardise(cues)
        parts = []
        for expert in head.experts:
            w, b = head.weights[expert], head.biases[expert]
            block = expert.split("@", 1)[0]
            if block == "tfidf":
                z = np.empty((n, head.width), dtype=np.float32)
                for i, (idx, val) in enumerate(tfidf):
                    z[i] = val @ w[idx] if len(idx) else 0.0
                z += b
            else:
                z = (embed if block == "embed" else std) @ w + b
            parts.append(z)
        return np.hstack(parts).astype(np.float32)

    def standardise(self, cues: np.ndarray) -> np.ndarray:
        return np.asarray((cues - self.cue_mean) / self.cue_scale, dtype=np.float32)

    @staticmethod
    def meta_input(head: Head, logits: np.ndarray, domain: np.ndarray | None) -> np.ndarray:
        """What the meta model reads: the experts' logits, with the domain terms if it uses them."""
        if not head.domain_meta:
            return logits
        if domain is None:
            raise ValueError(f"head {head.name!r} needs the domain head's probabilities")
        d = domain.reshape(-1, 1).astype(np.float32)
        return np.hstack([logits, d, logits * d]).astype(np.float32)

    def probabilities(
        self, head: Head, logits: np.ndarray, domain: np.ndarray | None = None
    ) -> np.ndarray:
        """Calibrated probabilities from expert logits: (n,) for binary, (n, k) for multiclass."""
        z = self.meta_input(head, logits, domain) @ head.meta_weight + head.meta_bias
        if head.kind == "binary":
            return sigmoid(z[:, 0])
        return softmax(z)

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {"cue_mean": self.cue_mean, "cue_scale": self.cue_scale}
        for h in self.heads:
            for x in h.experts:
                arrays[f"{h.name}.{x}.weight"] = h.weights[x]
                arrays[f"{h.name}.{x}.bias"] = h.biases[x]
            arrays[f"{h.name}.meta.weight"] = h.meta_weight
            arrays[f"{h.name}.meta.bias"] = h.meta_bias
        return arrays

    @classmethod
    def from_arrays(
        cls, heads_config: list[dict[str, Any]], arrays: dict[str, np.ndarray]
    ) -> LinearStack:
        heads = []
        for cfg in heads_config:
            name = cfg["name"]
            experts = list(cfg.get("experts", BLOCKS))
            head = Head(
                name=name,
                kind=cfg["kind"],
                classes=list(cfg["classes"]),
                weights={x: arrays[f"{name}.{x}.weight"].astype(np.float32) for x in experts},
                biases={x: arrays[f"{name}.{x}.bias"].astype(np.float32) for x in experts},
                meta_weight=arrays[f"{name}.meta.weight"].astype(np.float32),
                meta_bias=arrays[f"{name}.meta.bias"].astype(np.float32),
                threshold=float(cfg.get("threshold", 0.5)),
                params={k: float(v) for k, v in cfg.get("params", {}).items()},
                experts=experts,
                domain_meta=bool(cfg.get("domain_meta", False)),
            )
            heads.append(head)
        return cls(
            heads, arrays["cue_mean"].astype(np.float32), arrays["cue_scale"].astype(np.float32)
        )
