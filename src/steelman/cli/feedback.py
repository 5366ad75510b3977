"""``steelman export-feedback``: the scores sites suggested, as training data."""

from __future__ import annotations

import click

from steelman.cli import cli
from steelman.cli.serve import _config, _database, _store


@cli.command("export-feedback")
@_config
@_database
@click.argument("out", type=click.Path(dir_okay=False))
def export_feedback(config: str | None, database: str | None, out: str) -> None:
    """Write the scores clients suggested (comments:suggestscore) to OUT as training JSONL."""
    from steelman.server.feedback import export_feedback as export

    store = _store(config, database)
    try:
        n = export(store, out)
    finally:
        store.close()
    click.echo(f"wrote {n} suggestion{'s' if n != 1 else ''} to {out}")
