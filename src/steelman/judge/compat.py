"""The training extra's packages (torch, scikit-learn), imported in this one place.

Each function imports its package on first use and turns a missing one into
:class:`~steelman.errors.MissingDependency`, which names the extra to install. The judge itself
never needs them: only fine-tuning, export and evaluation do.
"""

from __future__ import annotations

from types import ModuleType

from steelman.errors import MissingDependency

__all__ = ["import_sklearn", "import_torch"]


def import_torch(purpose: str = "Fine-tuning the judge") -> ModuleType:
    """``torch``, from the ``train`` extra (install exactly torch==2.13.0 first)."""
    try:
        import torch
    except ImportError as exc:
        raise MissingDependency("torch", "train", purpose) from exc
    module: ModuleType = torch
    return module


def import_sklearn(purpose: str = "Evaluating the judge") -> ModuleType:
    """``sklearn`` with its ``metrics`` and ``linear_model`` loaded, from the ``train`` extra."""
    try:
        import sklearn
        import sklearn.linear_model
        import sklearn.metrics
    except ImportError as exc:
        raise MissingDependency("scikit-learn", "train", purpose) from exc
    module: ModuleType = sklearn
    return module
