"""Where the tests find ``shared/data``, and what they say when it is not there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# shared/ sits beside the checkout, as on developers' machines and in CI; TEST_SHARED_DATA moves it
SHARED_DATA = Path(
    os.environ.get("TEST_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
# `make test` (and so CI) sets this: there, missing data fails the run instead of skipping
REQUIRE_DATA = "TEST_REQUIRE_DATA"


def shared_data(sub: str = "", *, root: Path | None = None) -> Path:
    """``shared/data/<sub>``, or a skip (a failure under ``make test``) that says what is
    missing and how to get it."""
    path = (root or SHARED_DATA) / sub
    if path.exists():
        return path
    message = (
        f"the labelled data is missing: {path} does not exist. The data tests read the"
        " project's shared/data folder (its README lists every set) from beside the checkout:"
        " clone into a folder that also holds shared/ (d=$(mktemp -d) && git clone . $d/main"
        " && cp -r ../shared $d/), or set TEST_SHARED_DATA to the data folder."
    )
    if os.environ.get(REQUIRE_DATA) == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
