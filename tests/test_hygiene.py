"""Build leftovers are not source: no large tracked file outside the bundled model directories."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL_DIRS = ("src/steelman/models/",)
LIMIT = 1024 * 1024


def test_no_tracked_file_over_one_megabyte_outside_the_models() -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    big = []
    for name in filter(None, listed.split("\0")):
        path = ROOT / name
        if path.is_file() and not name.startswith(MODEL_DIRS) and path.stat().st_size > LIMIT:
            big.append(f"{name} ({path.stat().st_size // 1024} KiB)")
    assert not big, "large tracked files (build leftovers?): " + ", ".join(big)
