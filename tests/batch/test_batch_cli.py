"""``steelman score`` in-process: a thin layer over ``score_file``."""

from __future__ import annotations

from pathlib import Path

import pytest
from batch_fakes import make_rows, read_jsonl, write_jsonl
from click.testing import CliRunner

from steelman.cli import cli


def _main(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run through ``main`` (as the installed command does): errors become one line."""
    from steelman.cli import main

    with pytest.raises(SystemExit) as caught:
        main(["score", *args])
        raise SystemExit(0)
    out, err = capsys.readouterr()
    return int(caught.value.code or 0), out, err


@pytest.mark.slow
def test_score_writes_every_row_with_its_judgement(tmp_path: Path) -> None:
    rows = make_rows(30)
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["score", str(src), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # the summary (and any progress bar) goes to stderr
    assert "scored 30 rows (30 judged, 0 errors)" in result.stderr
    assert "replies/s" in result.stderr
    written = read_jsonl(out)
    assert [{k: v for k, v in row.items() if k != "steelman"} for row in written] == rows
    assert all(row["steelman"]["label"] for row in written)


@pytest.mark.slow
def test_field_options(tmp_path: Path) -> None:
    rows = [{"body": "You are simply wrong.", "context": "Rents fell 3%."}] * 3
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.csv.gz"
    result = CliRunner().invoke(
        cli,
        ["score", str(src), "--out", str(out), "--workers", "1",
         "--text-field", "body", "--parent-field", "context"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "scored 3 rows" in result.stderr


def test_errors_are_one_line_and_leave_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"body": "hi", "id": 1}\n', encoding="utf-8")
    code, out, err = _main(str(src), "--out", str(tmp_path / "out.jsonl"), capsys=capsys)
    assert code == 1 and out == ""
    assert err == (
        f"error: {src}, line 1: no field 'text'; fields seen: body, id — use --text-field\n"
    )
    src.write_text('{"text": "a"}\n{"text": "b"\n', encoding="utf-8")
    code, _, err = _main(str(src), "--out", str(tmp_path / "out.jsonl"), capsys=capsys)
    assert code == 1 and "line 2: not valid JSON" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_an_explicit_parent_field_must_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": "a"}])
    code, _, err = _main(
        str(src), "--out", str(tmp_path / "o.jsonl"), "--parent-field", "ctx", capsys=capsys
    )
    assert code == 1 and "line 1: no field 'ctx'" in err


def test_help_documents_every_option() -> None:
    result = CliRunner().invoke(cli, ["score", "--help"])
    assert result.exit_code == 0
    command = cli.commands["score"]
    for param in command.params:
        if param.param_type_name == "option":
            assert param.opts[0] in result.output
            assert getattr(param, "help", None), f"{param.opts[0]} has no help text"


def test_the_batch_surface_is_sorted_and_complete() -> None:
    import steelman.batch

    assert steelman.batch.__all__ == sorted(steelman.batch.__all__)
    for name in steelman.batch.__all__:
        assert getattr(steelman.batch, name).__doc__, name
