"""Every server setting, declared once with its default and help text, checked at start-up.

Settings come, in rising order of precedence, from the defaults below, a TOML file (``steelman
serve --config site.toml``), the environment (``STEELMAN_<NAME>``, read through a mapping that tests
replace) and explicit overrides. Unknown keys are refused with a "did you mean" hint.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from steelman.errors import InputError
from steelman.judge.network import KERNELS_ENV
from steelman.levels import level

__all__ = [
    "ENV_PREFIX",
    "POLICIES",
    "Settings",
    "defaults_toml",
    "load_settings",
    "settings_help",
]

ENV_PREFIX = "STEELMAN_"
# Steelman's variables that are not server settings: the server leaves them to their readers
NOT_SETTINGS = frozenset({KERNELS_ENV})
POLICIES = ("publish", "hold", "note")
UNJUDGED_POLICIES = ("hold", "publish")


def _opt(default: Any, help: str) -> Any:
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"help": help})
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """The server's settings; see :func:`settings_help` for the documentation of each."""

    database: str = _opt(
        "sqlite:///steelman.db",
        "Where comments live: sqlite:///PATH (embedded, WAL) or postgresql://USER@HOST/DB"
        " (several processes). Add ?schema=NAME to a PostgreSQL URL to use a schema.",
    )
    host: str = _opt("127.0.0.1", "Address `steelman serve` listens on.")
    port: int = _opt(8080, "Port `steelman serve` listens on.")
    public_url: str = _opt("", "The address readers reach this server at (for the embed snippet).")
    model: str = _opt("", "Judge model directory; empty for the bundled model.")
    site_layers: str = _opt(
        "steelman-site-layers",
        "Folder of this site's layers (`steelman adapt` writes site-1, site-2...; the one"
        " switched on tunes the judge to the site's own moderation decisions).",
    )
    cors_origins: list[str] = _opt(  # noqa: RUF009 (_opt makes a default_factory for lists)
        [], "Sites allowed to call the API from a browser (https://blog.example); no '*'."
    )
    min_level: str = _opt(
        "DH3", "Replies judged below this level get the self-check nudge and the site policy."
    )
    policy: str = _opt(
        "hold",
        "What happens to a reply below min_level posted anyway: publish, hold (for a moderator)"
        " or note (publish with a note naming its level).",
    )
    unjudged_policy: str = _opt(
        "hold",
        "What happens to a comment the judge cannot judge in time (busy or down): hold (until"
        " the re-judge pass applies the policy, or a moderator decides) or publish (fail open;"
        " the re-judge pass applies the policy later).",
    )
    edit_window_s: int = _opt(900, "Seconds an author may edit or delete their comment.")
    session_ttl_s: int = _opt(8 * 3600, "Seconds a moderator's login lasts.")
    secure_cookies: bool = _opt(False, "Send the admin cookie only over HTTPS (set behind TLS).")
    trust_proxy: bool = _opt(
        False,
        "Take the client address from X-Forwarded-For (behind a proxy): the entry the nearest of"
        " trusted_proxy_hops proxies added, never one the client wrote.",
    )
    trusted_proxy_hops: int = _opt(
        1,
        "With trust_proxy: how many proxies of yours each request passes (1: nginx alone; 2: a"
        " CDN, then nginx); the client address is that many entries from the right.",
    )
    ban_days: int = _opt(30, "Days a moderator's ban lasts, unless lifted first (0: until lifted).")
    max_request_bytes: int = _opt(256 * 1024, "Largest request body accepted (413 above).")
    max_text_chars: int = _opt(10_000, "Longest reply or parent accepted (422 above).")
    max_batch: int = _opt(64, "Most replies in one batch or thread request (422 above).")
    max_name_chars: int = _opt(80, "Longest author name accepted.")
    max_queued_per_client: int = _opt(
        512,
        "Replies one client address may have waiting for the judge at once, over all its"
        " batch, thread and report requests (429 above); comments being posted do not count.",
    )
    rate_post_per_minute: int = _opt(10, "Comments one client address may post per minute.")
    rate_judge_per_minute: int = _opt(600, "Judge requests one client address may make per minute.")
    rate_login_per_minute: int = _opt(
        10, "Moderator login attempts one client address may make per minute."
    )
    feedback_per_minute: int = _opt(
        60, "comments:suggestscore requests one feedback key may make per minute (429 above)."
    )
    feedback_max_rows: int = _opt(
        100_000,
        "Most suggestions kept per feedback key (429 above; `steelman feedback-keys purge` frees).",
    )
    feedback_max_bytes: int = _opt(
        64 * 1024,
        "Largest suggestion kept: its comment, context, ids and scores, in UTF-8 bytes"
        " (400 above).",
    )
    judge_timeout_s: float = _opt(
        3.0, "Seconds to wait for the judge before failing open (post unjudged, judge later)."
    )
    batch_window_ms: float = _opt(
        3.0, "Milliseconds the micro-batcher waits to gather concurrent judge requests."
    )
    judge_cache_size: int = _opt(
        2048, "Judgements remembered, so a reply checked and then posted is judged once."
    )
    rejudge_interval_s: float = _opt(30.0, "Seconds between passes re-judging unjudged comments.")
    demo: bool = _opt(
        False,
        "Demo mode: a seeded discussion and a demo moderator, on a temporary database of its own"
        " (the database setting is not used).",
    )

    def __post_init__(self) -> None:
        try:
            level(self.min_level)
        except KeyError as exc:
            raise InputError(f"setting min_level: {exc.args[0]}") from None
        if self.policy not in POLICIES:
            raise InputError(f"setting policy: {self.policy!r} is not one of {', '.join(POLICIES)}")
        if self.unjudged_policy not in UNJUDGED_POLICIES:
            raise InputError(
                f"setting unjudged_policy: {self.unjudged_policy!r} is not one of"
                f" {', '.join(UNJUDGED_POLICIES)}"
            )
        if not self.database.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise InputError(
                "setting database: use sqlite:///PATH or postgresql://USER@HOST/DB,"
                f" not {self.database!r}"
            )
        if "*" in self.cors_origins:
            raise InputError("setting cors_origins: list the sites; '*' is not allowed")
        for name in ("port", "edit_window_s", "session_ttl_s", "max_request_bytes"):
            if getattr(self, name) < 0:
                raise InputError(f"setting {name}: must not be negative")
        if self.ban_days < 0:
            raise InputError("setting ban_days: must not be negative (0: until lifted)")
        for name in (
            "max_text_chars",
            "max_batch",
            "max_name_chars",
            "trusted_proxy_hops",
            "feedback_max_rows",
            "feedback_max_bytes",
        ):
            if getattr(self, name) < 1:
                raise InputError(f"setting {name}: must be at least 1")
        if self.judge_timeout_s <= 0 or self.batch_window_ms < 0:
            raise InputError("settings judge_timeout_s and batch_window_ms must be positive")

    @property
    def min_rank(self) -> int:
        return level(self.min_level).rank


_FIELDS = {f.name: f for f in fields(Settings)}


def settings_help() -> dict[str, tuple[Any, str]]:
    """Each setting's name -> (default, help text), in declaration order."""
    out: dict[str, tuple[Any, str]] = {}
    for f in fields(Settings):
        default = f.default if f.default_factory is MISSING else f.default_factory()
        out[f.name] = (default, f.metadata["help"])
    return out


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def defaults_toml() -> str:
    """Every setting with its help as a comment and its default: a settings file to start from."""
    lines = ["# Steelman server settings (steelman serve --config THIS_FILE).", ""]
    for name, (default, help_text) in settings_help().items():
        lines += [f"# {help_text}", f"{name} = {_toml_value(default)}", ""]
    return "\n".join(lines)


def _coerce(name: str, value: Any) -> Any:
    kind = type(settings_help()[name][0])
    if isinstance(value, str) and kind is not str:
        text = value.strip()
        if kind is bool:
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off", ""):
                return False
            raise InputError(f"setting {name}: {value!r} is not true or false")
        if kind is list:
            return [part.strip() for part in text.split(",") if part.strip()]
        try:
            return kind(text)
        except ValueError:
            raise InputError(f"setting {name}: {value!r} is not a {kind.__name__}") from None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InputError(f"setting {name}: expected a {kind.__name__}, got {value!r}")
    return value


def _check_key(name: str, source: str) -> None:
    if name not in _FIELDS:
        close = difflib.get_close_matches(name, list(_FIELDS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(_FIELDS)}"
        raise InputError(f"unknown setting {name!r} in {source}{hint}")


def load_settings(
    path: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Settings from defaults < TOML file < ``STEELMAN_*`` environment < keyword overrides."""
    values: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"cannot read settings file {path}: {exc}") from exc
        for key, value in data.items():
            _check_key(key, str(path))
            values[key] = _coerce(key, value)
    for key, value in (env or {}).items():
        if key.startswith(ENV_PREFIX) and key not in NOT_SETTINGS:
            name = key[len(ENV_PREFIX) :].lower()
            _check_key(name, f"environment variable {key}")
            values[name] = _coerce(name, value)
    for key, value in overrides.items():
        if value is not None:
            _check_key(key, "arguments")
            values[key] = _coerce(key, value)
    return replace(Settings(), **values)
