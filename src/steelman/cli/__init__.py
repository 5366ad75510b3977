"""The ``steelman`` command: thin commands over the library.

Each concern registers its commands in its own module (``judge``, ``score``, ``threads``,
``serve``...); this module holds the group and the one place errors become messages.
"""

from __future__ import annotations

import importlib
import sys

import click

from steelman._version import __version__
from steelman.errors import SteelmanError

__all__ = ["cli", "main"]

_COMMAND_MODULES = ("judge", "train", "threads", "serve", "score", "feedback", "adapt")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="steelman")
def cli() -> None:
    """Steelman places replies on Graham's hierarchy of disagreement and helps people climb it."""


for _name in _COMMAND_MODULES:
    importlib.import_module(f"steelman.cli.{_name}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning Steelman errors into one line on stderr and exit 1."""
    try:
        cli.main(args=argv, prog_name="steelman", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SteelmanError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
