"""The README's examples run: python blocks are executed, ``$ steelman ...`` lines are invoked."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from steelman.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text()


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", TEXT, flags=re.S)


def test_readme_has_the_two_commands_first() -> None:
    first = _blocks("console")[0]
    assert "make demo" in first and "make test" in first


@pytest.mark.parametrize("code", _blocks("python"))
def test_python_examples_run(code: str) -> None:
    exec(compile(code, str(README), "exec"), {})


def test_cli_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        line[2:]
        for block in _blocks("console")
        for line in block.splitlines()
        if line.startswith("$ steelman judge") or line.startswith("$ steelman levels")
    ]
    assert lines
    for line in lines:
        argv = shlex.split(line)[1:]
        try:
            main(argv)
        except SystemExit as exc:
            assert not exc.code, line
        assert capsys.readouterr().out.strip(), line


def test_whats_where_names_real_paths() -> None:
    table = TEXT.split("## What's where", 1)[1].split("\n## ", 1)[0]
    paths = re.findall(r"^\| `([^`]+)`", table, flags=re.M)
    assert paths
    root = README.parent
    for p in paths:
        assert (root / p).exists(), p
