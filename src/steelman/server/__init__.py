"""Steelman's comment server: the judge API, a Perspective drop-in, a comment widget with the
self-check, moderation, and a web page. Needs the ``server`` extra.

``create_app(settings)`` builds the ASGI app; ``steelman serve`` runs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from steelman.errors import MissingDependency
from steelman.server.settings import Settings, load_settings

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["Settings", "create_app", "load_settings"]


def create_app(settings: Settings, **parts: Any) -> FastAPI:
    """The server's ASGI app for ``settings`` (see :func:`steelman.server.app.create_app`)."""
    try:
        from steelman.server.app import create_app as _create
    except ImportError as exc:
        if exc.name and exc.name.split(".")[0] in ("fastapi", "starlette", "jinja2", "multipart"):
            raise MissingDependency(exc.name, "server", "steelman serve") from exc
        raise
    return _create(settings, **parts)
