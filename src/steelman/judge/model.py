"""A judge model directory: ``config.json``, ``encoder.onnx``, ``tokenizer.json``, ``heads.npz``.

``config.json`` names the model and version, the tasks in head order, the decision thresholds,
the measured figures, and the sha256 of every other file, checked on load. No pickle anywhere:
the arrays load with ``allow_pickle=False``, the rest is JSON and ONNX.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steelman.errors import ModelError
from steelman.judge.network import Network, sha256_file

__all__ = ["FILES", "FORMAT", "JudgeModel", "bundled_model_dir", "write_model_dir"]

FORMAT = "steelman-judge/3"
FILES = ("encoder.onnx", "tokenizer.json", "heads.npz")


def bundled_model_dir() -> Path:
    """The model directory shipped inside the package."""
    return Path(__file__).resolve().parent.parent / "models" / "judge"


@dataclass
class JudgeModel:
    """A loaded model directory: its configuration and its network."""

    path: Path
    config: dict[str, Any]
    network: Network
    tasks: tuple[str, ...] = field(init=False)
    acts: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.tasks = tuple(self.config["tasks"])
        self.acts = tuple(self.config["acts"])

    @property
    def name(self) -> str:
        return str(self.config["name"])

    @property
    def version(self) -> str:
        return str(self.config["version"])

    @property
    def thresholds(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.config.get("thresholds", {}).items()}

    @property
    def calibration(self) -> dict[str, Any]:
        """The Platt maps (``platt``: task -> [a, b]) and the level temperature (``level``)."""
        return dict(self.config.get("calibration", {}))

    @property
    def metrics(self) -> dict[str, Any]:
        return dict(self.config.get("metrics", {}))

    @classmethod
    def load(
        cls, path: str | Path | None = None, *, threads: int = 0, kernels: str | None = None
    ) -> JudgeModel:
        """Load a model directory (the bundled one by default), checking every file's hash.
        ``kernels`` picks the encoder's arithmetic (see
        :func:`~steelman.judge.network.choose_kernels`)."""
        path = Path(path) if path is not None else bundled_model_dir()
        cfg_path = path / "config.json"
        if not cfg_path.is_file():
            raise ModelError(f"{path} is not a judge model directory: it has no config.json")
        try:
            config = json.loads(cfg_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"cannot read {cfg_path}: {exc}") from exc
        if config.get("format") != FORMAT:
            raise ModelError(
                f"{cfg_path} has format {config.get('format')!r}; this Steelman reads {FORMAT!r}"
                " (retrain it with `steelman train`)"
            )
        for key in ("name", "version", "tasks", "acts"):
            if key not in config:
                raise ModelError(f"{cfg_path} has no {key!r}")
        return cls(path, config, Network(path, config, threads=threads, kernels=kernels))


def write_model_dir(
    dest: Path, sources: Mapping[str, Path], config: dict[str, Any], card: str
) -> Path:
    """Write a model directory atomically: files copied, hashes recorded, then one rename."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        files = {}
        for name in FILES:
            shutil.copyfile(sources[name], tmp / name)
            files[name] = sha256_file(tmp / name)
        full = {"format": FORMAT, **config, "files": files}
        (tmp / "config.json").write_text(json.dumps(full, indent=2, sort_keys=True) + "\n")
        (tmp / "README.md").write_text(card, encoding="utf-8")
        if dest.exists():
            old = dest.with_name(f".{dest.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(dest, old)
            os.replace(tmp, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, dest)
    except Exception:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
