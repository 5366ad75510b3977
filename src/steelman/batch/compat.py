"""Optional packages of the batch scorer, imported in this one place.

Each function imports its package on first use and turns a missing one into
:class:`~steelman.errors.MissingDependency`, which names the extra to install.
"""

from __future__ import annotations

from types import ModuleType

from steelman.errors import MissingDependency

__all__ = ["import_pyarrow", "import_pyarrow_parquet", "import_ray", "import_zstandard"]


def import_pyarrow() -> ModuleType:
    """``pyarrow`` (Parquet files), from the ``parquet`` extra."""
    try:
        import pyarrow
    except ImportError as exc:
        raise MissingDependency("pyarrow", "parquet", "Reading or writing Parquet") from exc
    module: ModuleType = pyarrow
    return module


def import_pyarrow_parquet() -> ModuleType:
    """``pyarrow.parquet``, from the ``parquet`` extra."""
    import_pyarrow()
    import pyarrow.parquet

    module: ModuleType = pyarrow.parquet
    return module


def import_zstandard() -> ModuleType:
    """``zstandard`` (``.zst`` files), from the ``zstd`` extra."""
    try:
        import zstandard
    except ImportError as exc:
        raise MissingDependency("zstandard", "zstd", "Reading or writing .zst files") from exc
    return zstandard


def import_ray() -> ModuleType:
    """``ray`` with Ray Data, from the ``ray`` extra."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise MissingDependency("ray", "ray", "The Ray engine (--engine ray)") from exc
    return ray
