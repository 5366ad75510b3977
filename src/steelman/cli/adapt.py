"""``steelman adapt`` and ``steelman site-layers``: tune the judge to a site's own moderation
decisions, and switch the site's layers on, off and back."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from steelman.cli import cli
from steelman.cli.serve import _config, _database, _settings
from steelman.site.advice import DEFAULT_LOAD_PCT

if TYPE_CHECKING:
    from steelman.server.db import Store
    from steelman.site.registry import SiteLayers

_layers = click.option(
    "--layers", "layers_dir", help="Override the site_layers setting (the folder of layers)."
)
_actor = click.option(
    "--actor", default="cli", show_default=True, help="Who the audit log names for this action."
)


def _open(
    config: str | None, database: str | None, layers_dir: str | None
) -> tuple[Store, SiteLayers]:
    from steelman.server.db import Store
    from steelman.site.registry import SiteLayers

    settings = _settings(config, database=database)
    store = Store.open(settings.database)
    return store, SiteLayers(layers_dir or settings.site_layers, store)


@cli.command("adapt")
@_config
@_database
@_layers
@_actor
@click.option("--switch", is_flag=True, help="Switch the new layer on when it is better.")
@click.option(
    "--hold-threshold",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="The hold threshold precision and recall are measured at.",
)
@click.option(
    "--min-decisions",
    type=click.IntRange(10),
    default=100,
    show_default=True,
    help="Refuse with fewer decisions than this.",
)
@click.option("--model", help="Judge model directory (default: the model setting, else bundled).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def adapt_command(
    config: str | None,
    database: str | None,
    layers_dir: str | None,
    actor: str,
    switch: bool,
    hold_threshold: float,
    min_decisions: int,
    model: str | None,
    as_json: bool,
) -> None:
    """Fit a layer on the site's moderation decisions, compare it with the bundled judge on
    held-out decisions (by thread), and write it as a new layer only when it is better. Exits 1
    when refused, saying why."""
    from steelman.judge import Judge
    from steelman.site.adapt import AdaptOptions, adapt

    settings = _settings(config, database=database)
    store, layers = _open(config, database, layers_dir)
    try:
        path = model or settings.model
        judge = Judge.load(path) if path else Judge.load()
        options = AdaptOptions(min_decisions=min_decisions, threshold=hold_threshold)
        report = adapt(store, judge, layers, options=options, actor=actor, switch=switch)
    finally:
        store.close()
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.summary())
    if not report.accepted:
        raise click.exceptions.Exit(1)


@cli.group("site-layers")
def site_layers() -> None:
    """The site's layers: list them, switch one on or off, roll back, advise a hold threshold."""


@site_layers.command("list")
@_config
@_database
@_layers
def list_layers(config: str | None, database: str | None, layers_dir: str | None) -> None:
    """Every layer, oldest first, with its held-out ROC-AUC; the one on is marked with *."""
    store, layers = _open(config, database, layers_dir)
    try:
        on = layers.active_name()
        names = layers.names()
        for name in names:
            layer = layers.load(name)
            held = layer.metrics.get("heldout", {})
            auc = held.get("auc_adapted", {}).get("value")
            base = held.get("auc_bundled", {}).get("value")
            click.echo(
                f"{'*' if name == on else ' '} {name}  {layer.decisions.get('total', 0)} decisions"
                f"  ROC-AUC {auc} (bundled {base})"
            )
        if not names:
            click.echo("no site layers yet: run `steelman adapt`")
        click.echo(f"on: {on or 'none (the bundled judge alone)'}", err=True)
    finally:
        store.close()


@site_layers.command("switch")
@_config
@_database
@_layers
@_actor
@click.option("--reason", default="", help="Why (kept in the audit log).")
@click.argument("name")
def switch_layer(
    config: str | None,
    database: str | None,
    layers_dir: str | None,
    actor: str,
    reason: str,
    name: str,
) -> None:
    """Switch layer NAME on (audited); `steelman site-layers rollback` undoes it."""
    store, layers = _open(config, database, layers_dir)
    try:
        previous = layers.switch(name, actor=actor, reason=reason)
    finally:
        store.close()
    click.echo(f"{name} is on (was: {previous or 'none'})")


@site_layers.command("off")
@_config
@_database
@_layers
@_actor
@click.option("--reason", default="", help="Why (kept in the audit log).")
def off(
    config: str | None, database: str | None, layers_dir: str | None, actor: str, reason: str
) -> None:
    """Switch every layer off: the bundled judge alone (audited)."""
    store, layers = _open(config, database, layers_dir)
    try:
        previous = layers.switch("", actor=actor, reason=reason)
    finally:
        store.close()
    click.echo(f"no site layer is on (was: {previous or 'none'})")


@site_layers.command("rollback")
@_config
@_database
@_layers
@_actor
@click.option("--reason", default="", help="Why (kept in the audit log).")
def rollback(
    config: str | None, database: str | None, layers_dir: str | None, actor: str, reason: str
) -> None:
    """Switch back to the layer that was on before the current one (audited)."""
    store, layers = _open(config, database, layers_dir)
    try:
        back = layers.rollback(actor=actor, reason=reason)
    finally:
        store.close()
    click.echo(f"rolled back: {back or 'no site layer (the bundled judge alone)'} is on")


@site_layers.command("advise")
@_config
@_database
@_layers
@click.option(
    "--load",
    "load_pct",
    type=click.FloatRange(0, 100),
    default=DEFAULT_LOAD_PCT,
    show_default=True,
    help="The most comments to hold, in percent.",
)
@click.option("--layer", help="The layer to advise for (default: the one on; none: bundled).")
@click.option("--json", "as_json", is_flag=True, help="Print the advice and its curve as JSON.")
def advise_command(
    config: str | None,
    database: str | None,
    layers_dir: str | None,
    load_pct: float,
    layer: str | None,
    as_json: bool,
) -> None:
    """The hold threshold that holds at most --load percent of comments, and what it would
    have caught among the site's decided replies."""
    from steelman.site.advice import site_advice

    store, layers = _open(config, database, layers_dir)
    try:
        advice = site_advice(store, layers, load_pct / 100, layer=layer)
    finally:
        store.close()
    click.echo(json.dumps(advice.to_dict(), indent=2) if as_json else advice.summary())
