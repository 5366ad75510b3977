"""``steelman serve``, ``backup`` and ``admin``; the demo's seeded discussion."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from serverkit import make_app

from steelman.server.db import Store
from steelman.server.demo import DEMO_DISCUSSION, DEMO_URI, seed_demo


@pytest.fixture
def cli() -> object:
    from steelman.cli import cli

    return cli


def test_admin_add_list_and_passwd(cli: object, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    r = runner.invoke(
        cli, ["admin", "add", "ann", "--database", url, "--password", "long enough pw"]
    )  # type: ignore[arg-type]
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["admin", "list", "--database", url])  # type: ignore[arg-type]
    assert r.output.split() == ["ann"]
    r = runner.invoke(cli, ["admin", "passwd", "ann", "--database", url, "--password", "short"])  # type: ignore[arg-type]
    assert r.exit_code != 0 and "at least 8" in str(r.exception)
    store = Store.open(url)
    before = store.user("ann")
    r = runner.invoke(
        cli, ["admin", "passwd", "ann", "--database", url, "--password", "another long pw"]
    )  # type: ignore[arg-type]
    assert r.exit_code == 0 and store.user("ann") != before
    store.close()


def test_backup_command(cli: object, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    store = Store.open(url)
    store.thread("t", create=True)
    out = tmp_path / "copy.db"
    r = CliRunner().invoke(cli, ["backup", "--database", url, str(out)])  # type: ignore[arg-type]
    assert r.exit_code == 0, r.output
    with sqlite3.connect(out) as conn:
        assert conn.execute("SELECT uri FROM threads").fetchall() == [("t",)]
    store.close()


def test_serve_refuses_bad_settings_at_start_up(cli: object, tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text('polcy = "hold"\n')
    r = CliRunner().invoke(cli, ["serve", "--config", str(config)])  # type: ignore[arg-type]
    assert r.exit_code != 0 and "did you mean 'policy'" in str(r.exception)


def test_demo_seeds_a_discussion_at_several_levels_and_a_moderator(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    state = app.state.steelman
    password = seed_demo(state.comments)
    thread = state.store.thread(DEMO_URI)
    comments = state.store.comments(thread.id, ("published", "pending"))
    assert len(comments) == len(DEMO_DISCUSSION)
    assert len({c.level for c in comments}) >= 5
    assert {c.status for c in comments} == {"published", "pending"}
    assert seed_demo(state.comments) != password  # seeding again adds nothing, resets the password
    assert len(state.store.comments(thread.id, ("published", "pending"))) == len(DEMO_DISCUSSION)
    with TestClient(app) as client:
        new = seed_demo(state.comments)
        r = client.post("/api/admin/login", json={"username": "demo", "password": new})
        assert r.status_code == 200


def test_serve_print_defaults(cli: object) -> None:
    r = CliRunner().invoke(cli, ["serve", "--print-defaults"])  # type: ignore[arg-type]
    assert r.exit_code == 0 and 'policy = "hold"' in r.output
