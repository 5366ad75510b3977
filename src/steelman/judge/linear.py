"""The judge's weights and the arithmetic that turns features into probabilities (numpy only).

Three feature blocks feed every head: ``tfidf`` (sparse n-grams), ``embed`` (the reply's and the
parent's sentence embeddings and their product) and ``cues`` (hand-written cues, standardised).
Each head has one linear model per block; a small linear *meta* model combines the three blocks'
logits, fitted on out-of-fold logits so that it learns how far to trust each block. Its output
is the calibrated probability.
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
        """Per-block logits, concatenated: shape (n, 3 * width)."""
        n = embed.shape[0]
        w = head.weights["tfidf"]
        t = np.empty((n, head.width), dtype=np.float32)
        for i, (idx, val) in enumerate(tfidf):
            t[i] = val @ w[idx] if len(idx) else 0.0
        t += head.biases["tfidf"]
        e = embed @ head.weights["embed"] + head.biases["embed"]
        c = self.standardise(cues) @ head.weights["cues"] + head.biases["cues"]
        return np.hstack([t, e, c]).astype(np.float32)

    def standardise(self, cues: np.ndarray) -> np.ndarray:
        return np.asarray((cues - self.cue_mean) / self.cue_scale, dtype=np.float32)

    def probabilities(self, head: Head, blocks: np.ndarray) -> np.ndarray:
        """Calibrated probabilities from block logits: (n,) for binary, (n, k) for multiclass."""
        z = blocks @ head.meta_weight + head.meta_bias
        if head.kind == "binary":
            return sigmoid(z[:, 0])
        return softmax(z)

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {"cue_mean": self.cue_mean, "cue_scale": self.cue_scale}
        for h in self.heads:
            for b in BLOCKS:
                arrays[f"{h.name}.{b}.weight"] = h.weights[b]
                arrays[f"{h.name}.{b}.bias"] = h.biases[b]
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
            head = Head(
                name=name,
                kind=cfg["kind"],
                classes=list(cfg["classes"]),
                weights={b: arrays[f"{name}.{b}.weight"].astype(np.float32) for b in BLOCKS},
                biases={b: arrays[f"{name}.{b}.bias"].astype(np.float32) for b in BLOCKS},
                meta_weight=arrays[f"{name}.meta.weight"].astype(np.float32),
                meta_bias=arrays[f"{name}.meta.bias"].astype(np.float32),
                threshold=float(cfg.get("threshold", 0.5)),
                params={k: float(v) for k, v in cfg.get("params", {}).items()},
            )
            heads.append(head)
        return cls(
            heads, arrays["cue_mean"].astype(np.float32), arrays["cue_scale"].astype(np.float32)
        )
