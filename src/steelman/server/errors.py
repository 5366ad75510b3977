"""The server's errors and the one JSON shape every error takes.

    {"error": {"code": "not_found", "message": "no comment 7", "field": null}}

``code`` is stable and machine-readable, ``message`` says what to do, ``field`` names the request
field at fault when there is one. The Perspective drop-in answers in Perspective's own shape
instead (see :mod:`steelman.server.perspective`).
"""

from __future__ import annotations

from typing import Any

from steelman.data.text import clean_text
from steelman.errors import InputError, SteelmanError

__all__ = ["ApiError", "Forbidden", "error_body"]


class ApiError(SteelmanError):
    """An error with an HTTP status, raised by the routes."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}


class Forbidden(InputError):
    """Not allowed: a banned poster, a closed thread, an expired or foreign author token."""


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    # A message or field may quote the request; what it quotes must still encode as UTF-8.
    field = clean_text(field) if field is not None else None
    return {"error": {"code": code, "message": clean_text(message), "field": field}}
