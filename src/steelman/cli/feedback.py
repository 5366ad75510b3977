"""``steelman export-feedback`` and ``steelman feedback-keys``: the scores sites suggested, as
training data, and the keys they must send them with."""

from __future__ import annotations

import datetime

import click

from steelman.cli import cli
from steelman.cli.serve import _config, _database, _store


@cli.command("export-feedback")
@_config
@_database
@click.option(
    "--include-unkeyed",
    is_flag=True,
    help="Also write suggestions kept anonymously before feedback keys existed (anyone could"
    " have sent them).",
)
@click.argument("out", type=click.Path(dir_okay=False))
def export_feedback(
    config: str | None, database: str | None, include_unkeyed: bool, out: str
) -> None:
    """Write the scores clients suggested (comments:suggestscore) to OUT as training JSONL,
    each row naming the feedback key it came with."""
    from steelman.server.feedback import export_feedback as export

    store = _store(config, database)
    try:
        n = export(store, out, unkeyed=include_unkeyed)
    finally:
        store.close()
    click.echo(f"wrote {n} suggestion{'s' if n != 1 else ''} to {out}")


@cli.group("feedback-keys")
def feedback_keys() -> None:
    """The keys Perspective clients send comments:suggestscore with (?key= or x-goog-api-key)."""


@feedback_keys.command("add")
@_config
@_database
@click.argument("name")
def add_key(config: str | None, database: str | None, name: str) -> None:
    """Issue a key named NAME (the site's name) and print its secret, once: only its hash is
    kept."""
    from steelman.server.feedback import add_key as add

    store = _store(config, database)
    try:
        _, secret = add(store, name)
    finally:
        store.close()
    click.echo(secret)
    click.echo(f"feedback key {name!r} added; give the line above to the site (?key=...)", err=True)


@feedback_keys.command("list")
@_config
@_database
def list_keys(config: str | None, database: str | None) -> None:
    """Every key: its name, when it was made, whether revoked, and the suggestions it holds."""
    store = _store(config, database)
    try:
        keys = store.feedback_keys()
    finally:
        store.close()
    for k in keys:
        made = datetime.datetime.fromtimestamp(k.created, datetime.UTC).strftime("%Y-%m-%d")
        state = "in force" if k.revoked is None else "revoked"
        click.echo(f"{k.name}\t{made}\t{state}\t{k.count} suggestions")


@feedback_keys.command("revoke")
@_config
@_database
@click.option("--purge", is_flag=True, help="Also delete every suggestion sent with it.")
@click.argument("name")
def revoke_key(config: str | None, database: str | None, purge: bool, name: str) -> None:
    """Refuse the key NAME from now on (what it sent stays until purged)."""
    store = _store(config, database)
    try:
        store.revoke_feedback_key(name)
        n = store.purge_feedback(name) if purge else None
    finally:
        store.close()
    click.echo(f"feedback key {name!r} revoked" + (f"; {n} suggestions deleted" if purge else ""))


@feedback_keys.command("purge")
@_config
@_database
@click.argument("name")
def purge_key(config: str | None, database: str | None, name: str) -> None:
    """Delete every suggestion sent with the key NAME (the key itself is left as it is)."""
    store = _store(config, database)
    try:
        n = store.purge_feedback(name)
    finally:
        store.close()
    click.echo(f"{n} suggestion{'s' if n != 1 else ''} sent with {name!r} deleted")
