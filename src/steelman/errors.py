"""Steelman's one exception tree.

    SteelmanError                 every error Steelman raises on purpose
    ├── InputError                bad input from a user: text, a file, a field (also a ValueError)
    │   ├── TextError             a reply or parent that cannot be judged (empty, too long)
    │   └── RecordError           a record in a file is malformed; names the file, line and field
    ├── ModelError                a model directory is missing, corrupt or of an unknown version
    └── MissingDependency         an optional extra is not installed; says which to install

Errors from outside libraries (onnxruntime, json, sqlite...) are wrapped where they enter with
``raise ... from exc``. The CLI prints ``str(error)`` on one line and exits with status 1.
"""

from __future__ import annotations

__all__ = [
    "InputError",
    "MissingDependency",
    "ModelError",
    "RecordError",
    "SteelmanError",
    "TextError",
]


class SteelmanError(Exception):
    """Base class of every error Steelman raises on purpose."""


class InputError(SteelmanError, ValueError):
    """Input from a user that Steelman cannot use."""


class TextError(InputError):
    """A reply or parent text that cannot be judged."""


class RecordError(InputError):
    """A malformed record in an input file, located by file, line and field."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.reason = message
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ModelError(SteelmanError):
    """A model directory that is missing, corrupt or of an unsupported format."""


class MissingDependency(SteelmanError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(
            f"{purpose} needs the '{package}' package: pip install 'steelman[{extra}]'"
        )
