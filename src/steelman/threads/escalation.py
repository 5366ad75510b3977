"""The escalation model: a logistic regression over thread features, stored as data.

A model is a directory: ``config.json`` (name, version, the feature names in order, provenance)
and ``weights.npz`` (``mean``, ``scale``, ``coef``, ``intercept``), plus a ``README.md`` model
card. It is fitted with scikit-learn at train time (:mod:`steelman.threads.training`) and applied
here with numpy alone: ``p = sigmoid(((x - mean) / scale) @ coef + intercept)``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import numpy as np

from steelman.errors import ModelError
from steelman.threads._io import atomic_output
from steelman.threads.features import FEATURE_NAMES

__all__ = ["FORMAT", "EscalationModel", "bundled_escalation_dir", "load_bundled_escalation"]

FORMAT = 1
_ARRAYS = ("mean", "scale", "coef", "intercept")


def bundled_escalation_dir() -> Path:
    """Where the escalation model shipped with Steelman lives."""
    return Path(__file__).resolve().parent.parent / "models" / "escalation"


@dataclass(frozen=True)
class EscalationModel:
    """Probability that a judged thread escalates to outside mediation."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    name: str = "steelman-escalation"
    version: str = "0.0.0"
    info: dict[str, Any] = field(default_factory=dict)  # provenance, written to config.json

    def __post_init__(self) -> None:
        unknown = [f for f in self.features if f not in FEATURE_NAMES]
        if unknown:
            raise ModelError(
                f"escalation model uses unknown features {unknown}; known: {list(FEATURE_NAMES)}"
            )
        k = len(self.features)
        for name in ("mean", "scale", "coef"):
            arr = getattr(self, name)
            if arr.shape != (k,):
                raise ModelError(f"escalation weights '{name}' has shape {arr.shape}, not ({k},)")
        if not np.all(np.isfinite(self.scale)) or np.any(self.scale <= 0):
            raise ModelError("escalation weights 'scale' must be positive and finite")

    @property
    def card(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version}

    def vector(self, features: Mapping[str, float]) -> np.ndarray:
        """The model's inputs, in its order, from a feature dict."""
        missing = [f for f in self.features if f not in features]
        if missing:
            raise ModelError(f"features missing for the escalation model: {missing}")
        return np.array([float(features[f]) for f in self.features], dtype=np.float64)

    @overload
    def predict_proba(self, features: Mapping[str, float]) -> float: ...
    @overload
    def predict_proba(self, features: Sequence[Mapping[str, float]]) -> list[float]: ...
    def predict_proba(
        self, features: Mapping[str, float] | Sequence[Mapping[str, float]]
    ) -> float | list[float]:
        """Escalation probability for one feature dict, or a list for a list."""
        if isinstance(features, Mapping):
            return float(self.predict_matrix(self.vector(features)[None, :])[0])
        if not features:
            return []
        x = np.stack([self.vector(f) for f in features])
        return [float(p) for p in self.predict_matrix(x)]

    def predict_matrix(self, x: np.ndarray) -> np.ndarray:
        """Probabilities for an ``(n, len(features))`` array of raw feature values."""
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0))), dtype=np.float64)

    def save(self, path: str | Path) -> Path:
        """Write ``config.json`` and ``weights.npz`` into ``path`` (each atomically)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        config = {
            "name": self.name,
            "version": self.version,
            "format": FORMAT,
            "kind": "logistic-regression",
            "features": list(self.features),
            **self.info,
        }
        with atomic_output(path / "config.json") as tmp:
            tmp.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        with atomic_output(path / "weights.npz") as tmp, open(tmp, "wb") as fh:
            np.savez(
                fh,
                mean=self.mean,
                scale=self.scale,
                coef=self.coef,
                intercept=np.array([self.intercept]),
            )
        return path

    @classmethod
    def load(cls, path: str | Path | None = None) -> EscalationModel:
        """Read a model directory (default: the bundled model)."""
        path = Path(path) if path is not None else bundled_escalation_dir()
        try:
            config = json.loads((path / "config.json").read_text(encoding="utf-8"))
            with np.load(path / "weights.npz", allow_pickle=False) as npz:
                arrays = {k: np.asarray(npz[k], dtype=np.float64) for k in _ARRAYS}
        except FileNotFoundError as exc:
            raise ModelError(
                f"no escalation model in {path}: train one with `steelman train-escalation`"
            ) from exc
        except (KeyError, ValueError, OSError) as exc:
            raise ModelError(f"escalation model in {path} is unreadable: {exc}") from exc
        if config.get("format") != FORMAT:
            raise ModelError(
                f"escalation model in {path} has format {config.get('format')!r};"
                f" this Steelman reads format {FORMAT}"
            )
        info = {
            k: v
            for k, v in config.items()
            if k not in ("name", "version", "format", "kind", "features")
        }
        return cls(
            features=tuple(config["features"]),
            mean=arrays["mean"],
            scale=arrays["scale"],
            coef=arrays["coef"],
            intercept=float(arrays["intercept"].reshape(-1)[0]),
            name=str(config.get("name", "steelman-escalation")),
            version=str(config.get("version", "0.0.0")),
            info=info,
        )


@functools.lru_cache(maxsize=1)
def load_bundled_escalation() -> EscalationModel:
    """The bundled escalation model, loaded once per process."""
    return EscalationModel.load()
