"""A judge model on disk: ``config.json`` + ``vocab.json`` + ``weights.npz`` + ``README.md``.

No pickle anywhere: the arrays are loaded with ``allow_pickle=False`` and the rest is JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from steelman.errors import ModelError
from steelman.judge.features import TfidfSpace
from steelman.judge.linear import LinearStack

__all__ = ["FORMAT", "JudgeModel", "bundled_model_dir"]

FORMAT = "steelman-judge/1"


def bundled_model_dir() -> Path:
    """The model directory shipped inside the package."""
    return Path(__file__).resolve().parent.parent / "models" / "judge"


@dataclass
class JudgeModel:
    """Everything a judge needs besides the encoder: vocabulary, weights and metadata."""

    name: str
    version: str
    space: TfidfSpace
    stack: LinearStack
    encoder: dict[str, Any]
    metrics: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)

    def config(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "name": self.name,
            "version": self.version,
            "encoder": self.encoder,
            "heads": [h.config() for h in self.stack.heads],
            "metrics": self.metrics,
            "training": self.training,
        }

    def save(self, path: str | Path, card: str | None = None) -> Path:
        """Write the model directory atomically (a temporary sibling, then a rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
        try:
            (tmp / "config.json").write_text(json.dumps(self.config(), indent=2) + "\n")
            (tmp / "vocab.json").write_text(json.dumps(self.space.terms, ensure_ascii=False))
            arrays = {"idf": self.space.idf, **self.stack.to_arrays()}
            np.savez_compressed(tmp / "weights.npz", **arrays)  # type: ignore[arg-type]
            if card:
                (tmp / "README.md").write_text(card)
            old = None
            if path.exists():
                old = path.with_name(f".{path.name}-old")
                shutil.rmtree(old, ignore_errors=True)
                os.replace(path, old)
            os.replace(tmp, path)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return path

    @classmethod
    def load(cls, path: str | Path | None = None) -> JudgeModel:
        path = Path(path) if path is not None else bundled_model_dir()
        config_file = path / "config.json"
        if not config_file.exists():
            raise ModelError(
                f"no judge model in {path} (config.json missing); train one with `steelman train`"
            )
        try:
            config = json.loads(config_file.read_text())
            if config.get("format") != FORMAT:
                raise ModelError(
                    f"{config_file}: unsupported model format {config.get('format')!r};"
                    f" this Steelman reads {FORMAT!r}"
                )
            terms = json.loads((path / "vocab.json").read_text())
            with np.load(path / "weights.npz", allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
            space = TfidfSpace(list(terms), arrays.pop("idf").astype(np.float32))
            stack = LinearStack.from_arrays(config["heads"], arrays)
        except ModelError:
            raise
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"corrupt judge model in {path}: {exc}") from exc
        return cls(
            name=config["name"],
            version=config["version"],
            space=space,
            stack=stack,
            encoder=config["encoder"],
            metrics=config.get("metrics", {}),
            training=config.get("training", {}),
        )
