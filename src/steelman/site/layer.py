"""A site layer is a model directory of its own: ``config.json`` (name, version, the judge it sits
on, the probabilities it reads, the decisions it was fitted on counted by kind and date, its
measured figures, the sha256 of every other file), ``weights.npz`` (numpy arrays, loaded without
pickle) and ``README.md`` (its card). Loading checks every hash.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from steelman.errors import ModelError
from steelman.judge.network import sha256_file
from steelman.site.fit import design
from steelman.site.logistic import Logistic

__all__ = ["FORMAT", "SiteLayer"]

FORMAT = "steelman-site-layer/1"
_WEIGHTS = "weights.npz"


@dataclass
class SiteLayer:
    """P(this site's moderators reject a reply), from the bundled judge's probabilities and
    pooled encoding of it."""

    name: str  # the directory's name, e.g. "site-3"
    version: int
    base: dict[str, str]  # the judge it sits on: {"name", "version"}
    names: tuple[str, ...]  # the probabilities it reads, in column order
    pooled_dim: int  # the width of the pooled encoding it reads (0: none)
    head: Logistic
    threshold: float = 0.5  # the hold threshold its figures were measured at
    decisions: dict[str, Any] = field(default_factory=dict)  # counts by kind and by date
    metrics: dict[str, Any] = field(default_factory=dict)
    created: float = 0.0
    path: Path | None = None

    @property
    def label(self) -> str:
        return self.name

    def predict_proba(
        self, judgements: Sequence[Mapping[str, Any]], pooled: np.ndarray | None = None
    ) -> np.ndarray:
        """P(rejected) for each judgement (dicts) and its pooled vector."""
        n = len(judgements)
        if self.pooled_dim == 0:
            pooled = np.zeros((n, 0))
        elif pooled is None or pooled.shape != (n, self.pooled_dim):
            got = None if pooled is None else pooled.shape
            raise ModelError(
                f"site layer {self.name} reads pooled encodings of width {self.pooled_dim};"
                f" got {got}: use it with the judge it was fitted on ({self.base.get('name')}"
                f" {self.base.get('version')})"
            )
        return self.head.predict_proba(design(judgements, np.asarray(pooled), self.names))

    # Save and load -------------------------------------------------------------------------------

    def save(self, dest: Path, card: str) -> Path:
        """Write the directory atomically (one rename); refuse to overwrite one."""
        dest = Path(dest)
        if dest.exists():
            raise ModelError(f"{dest} exists already: a site layer is never overwritten")
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
        try:
            np.savez(
                tmp / _WEIGHTS,
                mean=self.head.mean_,
                scale=self.head.scale_,
                coef=self.head.coef_,
                intercept=np.array([self.head.intercept_]),
            )
            config = {
                "format": FORMAT,
                "name": self.name,
                "version": self.version,
                "base": self.base,
                "probabilities": list(self.names),
                "pooled_dim": self.pooled_dim,
                "l2": self.head.l2,
                "threshold": self.threshold,
                "decisions": self.decisions,
                "metrics": self.metrics,
                "created": self.created,
                "files": {_WEIGHTS: sha256_file(tmp / _WEIGHTS)},
            }
            (tmp / "config.json").write_text(
                json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
            (tmp / "README.md").write_text(card, encoding="utf-8")
            os.replace(tmp, dest)
        except Exception:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.path = dest
        return dest

    @classmethod
    def load(cls, path: str | Path) -> SiteLayer:
        """Load a site layer directory, checking the hash of its weights."""
        path = Path(path)
        cfg_path = path / "config.json"
        try:
            config = json.loads(cfg_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"{path} is not a site layer directory: {exc}") from exc
        if config.get("format") != FORMAT:
            raise ModelError(
                f"{cfg_path} has format {config.get('format')!r}; this Steelman reads {FORMAT!r}"
            )
        want = config.get("files", {}).get(_WEIGHTS)
        weights = path / _WEIGHTS
        if not weights.is_file() or want is None:
            raise ModelError(f"{path} has no {_WEIGHTS} or no sha256 for it in config.json")
        got = sha256_file(weights)
        if got != want:
            raise ModelError(
                f"{weights} does not match its sha256 in config.json (expected {want[:12]}…,"
                f" found {got[:12]}…): the file is corrupt or was replaced"
            )
        try:
            with np.load(weights, allow_pickle=False) as z:
                arrays = {k: np.asarray(z[k], np.float64) for k in z.files}
            head = Logistic(float(config.get("l2", 1.0)))
            head.mean_, head.scale_ = arrays["mean"], arrays["scale"]
            head.coef_, head.intercept_ = arrays["coef"], float(arrays["intercept"][0])
            names = tuple(str(n) for n in config["probabilities"])
            pooled_dim = int(config["pooled_dim"])
        except (KeyError, ValueError, TypeError) as exc:
            raise ModelError(f"{path}: a site layer file is incomplete ({exc})") from exc
        if len(head.coef_) != len(names) + pooled_dim:
            raise ModelError(f"{path}: the weights do not match the features config.json lists")
        return cls(
            name=str(config["name"]),
            version=int(config["version"]),
            base={str(k): str(v) for k, v in config.get("base", {}).items()},
            names=names,
            pooled_dim=pooled_dim,
            head=head,
            threshold=float(config.get("threshold", 0.5)),
            decisions=dict(config.get("decisions", {})),
            metrics=dict(config.get("metrics", {})),
            created=float(config.get("created", 0.0)),
            path=path,
        )
