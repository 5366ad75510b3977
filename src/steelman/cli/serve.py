"""``steelman serve``, ``steelman backup`` and ``steelman admin``: run and look after the server."""

from __future__ import annotations

import os
import signal
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from steelman.cli import cli
from steelman.errors import InputError, MissingDependency
from steelman.server.settings import Settings, load_settings

if TYPE_CHECKING:
    from steelman.server.db import Store

_config = click.option(
    "--config", "config", type=click.Path(exists=True, dir_okay=False), help="A TOML settings file."
)
_database = click.option(
    "--database", help="Override the database setting (sqlite:///PATH, postgresql://...)."
)


def _settings(config: str | None, **overrides: object) -> Settings:
    return load_settings(config, env=os.environ, **overrides)


@cli.command()
@_config
@_database
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default 8080).")
@click.option(
    "--demo",
    is_flag=True,
    help="A temporary database (never the configured one), a seeded discussion, a demo moderator.",
)
@click.option("--print-defaults", is_flag=True, help="Print every setting, commented, and exit.")
def serve(
    config: str | None,
    database: str | None,
    host: str | None,
    port: int | None,
    demo: bool,
    print_defaults: bool,
) -> None:
    """Run the Steelman server: judge API, Perspective drop-in, comment widget, moderation."""
    if print_defaults:
        from steelman.server.settings import defaults_toml

        click.echo(defaults_toml())
        return
    try:
        import uvicorn
    except ImportError as exc:
        raise MissingDependency("uvicorn", "server", "steelman serve") from exc
    import steelman.server

    settings = _settings(config, database=database, host=host, port=port, demo=demo or None)
    address = f"http://{settings.host}:{settings.port}"
    if not settings.demo:
        app = steelman.server.create_app(settings)
        click.echo(f"Steelman serving on {address}")
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
        return
    from steelman.server.demo import seed_demo

    # Demo mode seeds a discussion and a moderator whose password is printed: never into the
    # configured database (however demo was turned on), only into its own, removed at exit.
    # uvicorn stops on SIGTERM as on SIGINT, then raises the signal again: by default SIGTERM
    # would end the process there, before the temporary database is removed.
    previous = signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        with tempfile.TemporaryDirectory(prefix="steelman-demo-") as folder:
            configured = settings.database
            settings = replace(
                settings,
                database=f"sqlite:///{Path(folder) / 'demo.db'}",
                site_layers=str(Path(folder) / "site-layers"),  # layers adapted in the demo too
            )
            app = steelman.server.create_app(settings)
            try:
                password = seed_demo(app.state.steelman.comments)
                click.echo(
                    f"Steelman demo: {address}/demo  (on a temporary database, removed at exit;"
                    f" {configured} is not touched)"
                )
                click.echo(f"Moderate at {address}/admin  as  demo / {password}")
                uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
            finally:
                app.state.steelman.store.close()
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)  # unwinds through the ``finally`` and ``with`` blocks that clean up


@cli.command()
@_config
@_database
@click.argument("out", type=click.Path(dir_okay=False))
def backup(config: str | None, database: str | None, out: str) -> None:
    """Copy the SQLite database to OUT, consistently, while the server runs."""
    from steelman.server.db import backup_sqlite

    settings = _settings(config, database=database)
    backup_sqlite(settings.database, Path(out))
    click.echo(f"backed up {settings.database} to {out}")


@cli.group()
def admin() -> None:
    """Moderator accounts and bans."""


def _store(config: str | None, database: str | None) -> Store:
    from steelman.server.db import Store

    return Store.open(_settings(config, database=database).database)


@admin.command("add")
@_config
@_database
@click.argument("username")
@click.password_option(help="The new moderator's password (prompted when left out).")
def add(config: str | None, database: str | None, username: str, password: str) -> None:
    """Add a moderator who can log in at /admin."""
    from steelman.server.auth import add_moderator

    add_moderator(_store(config, database), username, password)
    click.echo(f"moderator {username} added")


@admin.command("passwd")
@_config
@_database
@click.argument("username")
@click.password_option(help="The new password (prompted when left out).")
def passwd(config: str | None, database: str | None, username: str, password: str) -> None:
    """Change a moderator's password (ends their open sessions)."""
    from steelman.server.security import hash_password

    if len(password) < 8:
        raise InputError("the password needs at least 8 characters")
    _store(config, database).set_password(username, hash_password(password))
    click.echo(f"password of {username} changed")


@admin.command("list")
@_config
@_database
def list_users(config: str | None, database: str | None) -> None:
    """List the moderators."""
    for name in _store(config, database).users():
        click.echo(name)


@admin.command("bans")
@_config
@_database
def list_bans(config: str | None, database: str | None) -> None:
    """List the bans in force: id, kind, expiry, who banned, why."""
    from datetime import UTC, datetime

    def when(ts: float | None) -> str:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M") if ts else "until lifted"

    for ban in _store(config, database).bans():
        comment = f"comment {ban.comment_id}" if ban.comment_id else "-"
        click.echo(
            f"{ban.id}\t{ban.kind}\t{when(ban.expires)}\t{ban.actor}\t{comment}\t{ban.reason}"
        )


@admin.command("unban")
@_config
@_database
@click.argument("ban_id", type=int)
@click.option("--reason", default="", help="Why, for the audit log.")
def unban(config: str | None, database: str | None, ban_id: int, reason: str) -> None:
    """Lift ban BAN_ID (see `steelman admin bans`); recorded in the audit log as by "cli"."""
    ban = _store(config, database).unban(ban_id, actor="cli", reason=reason)
    click.echo(f"lifted the {ban.kind} ban {ban.id}")
