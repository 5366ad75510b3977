"""``steelman thread``, ``steelman threads``: thin commands over the library."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from threadkit import KeywordJudge

import steelman.cli.threads as cli_threads
from steelman.cli import cli, main
from steelman.threads import EscalationModel

ROWS = [
    {"id": "1", "parent_id": None, "author": "ann", "text": "Steel lasts longer.", "thread": "a"},
    {"id": "2", "parent_id": "1", "author": "bob", "text": "You idiot.", "thread": "a"},
    {"id": "3", "parent_id": "2", "author": "ann", "text": "No, because rust.", "thread": "a"},
    {"id": "4", "parent_id": None, "author": "cy", "text": "Paint it blue.", "thread": "b"},
    {
        "id": "5",
        "parent_id": "4",
        "author": "di",
        "text": "No, because red is cheaper.",
        "thread": "b",
    },
]


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def model_dir(tmp_path: Path, tiny_model: EscalationModel) -> Path:
    return tiny_model.save(tmp_path / "model")


@pytest.fixture(autouse=True)
def stand_in_judge(monkeypatch: pytest.MonkeyPatch) -> KeywordJudge:
    judge = KeywordJudge()
    monkeypatch.setattr(cli_threads, "_load_judge", lambda: judge)
    return judge


def test_thread_writes_every_output(tmp_path: Path, model_dir: Path) -> None:
    src = _jsonl(tmp_path / "one.jsonl", ROWS[:3])
    out = {k: tmp_path / f"report.{k}" for k in ("json", "html", "png")}
    result = CliRunner().invoke(
        cli,
        [
            "thread",
            str(src),
            "--escalation-model",
            str(model_dir),
            "--json",
            str(out["json"]),
            "--html",
            str(out["html"]),
            "--png",
            str(out["png"]),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "turning point: reply #1 by bob" in result.output
    assert "Escalation risk" in result.output
    assert "Risk rose most after reply #1 by bob" in result.output
    report = json.loads(out["json"].read_text())
    assert report["turning_point"]["id"] == "2" and 0.0 <= report["risk"] <= 1.0
    assert report["risk_rose_most"]["id"] == "2"
    assert out["html"].read_text().startswith("<!DOCTYPE html>")
    assert out["png"].read_bytes()[:4] == b"\x89PNG"


def test_thread_picks_one_of_many_by_id(tmp_path: Path, model_dir: Path) -> None:
    src = _jsonl(tmp_path / "two.jsonl", ROWS)
    args = ["thread", str(src), "--escalation-model", str(model_dir)]
    result = CliRunner().invoke(cli, [*args, "--thread", "b"])
    assert result.exit_code == 0, result.output
    assert "Thread b" in result.output and "No reply attacked the person" in result.output


def test_thread_errors_are_one_line_and_exit_1(
    tmp_path: Path, model_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _jsonl(tmp_path / "two.jsonl", ROWS)
    with pytest.raises(SystemExit) as exit_info:
        main(["thread", str(src), "--escalation-model", str(model_dir)])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--thread" in err and err.count("\n") == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "text": "fine"}\nnot json\n')
    with pytest.raises(SystemExit):
        main(["thread", str(bad), "--format", "jsonl", "--escalation-model", str(model_dir)])
    assert "line 2" in capsys.readouterr().err


def test_threads_writes_the_triage_table(tmp_path: Path, model_dir: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _jsonl(folder / "x.jsonl", ROWS[:3])
    _jsonl(folder / "y.jsonl", ROWS[3:])
    out = tmp_path / "summary.csv"
    result = CliRunner().invoke(
        cli, ["threads", str(folder), "--out", str(out), "--escalation-model", str(model_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "2 threads written" in result.output
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["thread"] for r in rows] == ["a", "b"]
    assert rows[0]["turning_id"] == "2" and rows[1]["turning_id"] == ""
    assert rows[0]["rose_id"] == "2" and rows[0]["rose_index"] == "1"
    assert float(rows[0]["risk"]) > float(rows[1]["risk"])
    assert "rose most at" in result.output


def test_threads_refuses_an_unknown_table_format(tmp_path: Path, model_dir: Path) -> None:
    src = _jsonl(tmp_path / "one.jsonl", ROWS[:3])
    result = CliRunner().invoke(
        cli,
        [
            "threads",
            str(src),
            "--out",
            str(tmp_path / "s.xlsx"),
            "--escalation-model",
            str(model_dir),
        ],
    )
    assert result.exit_code != 0
    assert ".csv or .parquet" in str(result.exception)


@pytest.mark.parametrize("command", ["thread", "threads", "train-escalation"])
def test_commands_have_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert len(result.output.split("Options:")[0].strip()) > 40


def test_train_escalation_reproduces_a_model(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "model"
    args = ["train-escalation", "--data", str(data_dir), "--out", str(out), "--resamples", "30"]
    args += ["--cv-repeats", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "escalation model" in result.output and "thread length alone" in result.output
    assert "cmv" in result.output and "val" in result.output
    metrics = EscalationModel.load(out).info["metrics"]
    assert metrics["wikitactics"]["val"]["conversations"] == 12
