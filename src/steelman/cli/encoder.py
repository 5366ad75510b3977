"""``steelman encoder``: build or inspect the bundled base encoder."""

from __future__ import annotations

import json

import click

from steelman.cli import cli
from steelman.judge.encoder import build_encoder, encoder_dir


@cli.group()
def encoder() -> None:
    """The base sentence encoder (all-MiniLM-L6-v2, int8 ONNX)."""


@encoder.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if it is already there.")
def build(force: bool) -> None:
    """Export the encoder from its PyPI package into the cache folder (once; needs torch)."""
    path = build_encoder(force=force)
    click.echo(f"encoder ready in {path}")


@encoder.command("info")
def info() -> None:
    """Print where the encoder lives and its manifest."""
    path = encoder_dir()
    manifest = path / "manifest.json"
    data = json.loads(manifest.read_text()) if manifest.exists() else None
    click.echo(json.dumps({"path": str(path), "manifest": data}, indent=2))
