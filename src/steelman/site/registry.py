"""A site's layers: a folder of layer directories (``site-1``, ``site-2``...), which one is on
(the latest switch in the store's audit log), switching one on and rolling back, each one
audited action."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from steelman.errors import InputError, ModelError
from steelman.site.layer import SiteLayer

if TYPE_CHECKING:
    from steelman.server.db import Store

__all__ = ["PREFIX", "SiteLayers"]

PREFIX = "site-"
_NAME = re.compile(r"site-(\d{1,9})")


class SiteLayers:
    """The layers in ``folder`` and which is on, per ``store``. What is on is read again at most
    every ``refresh_s`` seconds (other server processes may switch); a switch made through this
    object takes effect at once."""

    def __init__(self, folder: str | Path, store: Store, *, refresh_s: float = 2.0) -> None:
        from steelman.server.db.site import SiteTables

        self.folder = Path(folder)
        self.tables = SiteTables(store)
        self.refresh_s = refresh_s
        self._lock = threading.Lock()
        self._checked = -1e18
        self._active: SiteLayer | None = None
        self._active_name = ""

    def names(self) -> list[str]:
        """The layer directories, oldest first."""
        if not self.folder.is_dir():
            return []
        found = [p.name for p in self.folder.iterdir() if p.is_dir() and _NAME.fullmatch(p.name)]
        return sorted(found, key=lambda n: int(n[len(PREFIX) :]))

    def next_name(self) -> tuple[str, int]:
        names = self.names()
        version = int(names[-1][len(PREFIX) :]) + 1 if names else 1
        return f"{PREFIX}{version}", version

    def load(self, name: str) -> SiteLayer:
        if not _NAME.fullmatch(name):
            raise InputError(f"{name!r} is not a site layer's name (site-1, site-2...)")
        path = self.folder / name
        if not path.is_dir():
            known = ", ".join(self.names()) or "none yet; run `steelman adapt`"
            raise InputError(f"no site layer {name} in {self.folder} (there are: {known})")
        return SiteLayer.load(path)

    def active(self) -> SiteLayer | None:
        """The layer switched on, or ``None``."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked < self.refresh_s:
                return self._active
            self._checked = now
            name = self.tables.active()
            if name != self._active_name or (name and self._active is None):
                self._active_name = name
                self._active = self.load(name) if name else None
            return self._active

    def active_name(self) -> str:
        return self.tables.active()

    def _forget(self) -> None:
        with self._lock:
            self._checked = -1e18

    def switch(self, name: str, *, actor: str, reason: str = "") -> str:
        """Switch ``name`` on ("" switches every layer off); return the layer it replaced."""
        if name:
            self.load(name)  # refuse a missing or corrupt layer before recording anything
        previous = self.tables.switch(name, actor=actor, action="site_layer_switch", reason=reason)
        self._forget()
        return previous

    def rollback(self, *, actor: str, reason: str = "") -> str:
        """Switch back to the layer that was on before the current one ("" for the bundled
        judge alone); return it."""
        current = self.tables.active()
        before = self.tables.switched_from(current)
        if before is None:
            what = f"site layer {current}" if current else "the bundled judge alone"
            raise InputError(f"nothing to roll back to: {what} has been on since the start")
        if before:
            try:
                self.load(before)
            except ModelError as exc:
                raise InputError(f"cannot roll back to {before}: {exc}") from exc
        self.tables.switch(before, actor=actor, action="site_layer_rollback", reason=reason)
        self._forget()
        return before
