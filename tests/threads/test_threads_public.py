"""The thread analysis's public surface: ``steelman.threads.__all__`` is sorted and importable."""

from __future__ import annotations

import steelman.threads


def _isort_key(name: str) -> tuple[int, str]:
    """Ruff's RUF022 order: CONSTANTS, then Classes, then functions, each alphabetical."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_importable() -> None:
    names = steelman.threads.__all__
    assert names == sorted(names, key=_isort_key)
    for name in names:
        assert hasattr(steelman.threads, name), name
