"""What the routes share: settings, store, judge, comment service, rate limiter, templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from steelman.server.db import Store
from steelman.server.judging import JudgeLike, MicroBatcher
from steelman.server.security import RateLimiter
from steelman.server.service import Comments
from steelman.server.settings import Settings

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates

__all__ = ["HERE", "AppState"]

HERE = Path(__file__).parent


@dataclass
class AppState:
    settings: Settings
    store: Store
    judge: JudgeLike
    batcher: MicroBatcher
    comments: Comments
    limiter: RateLimiter
    templates: Jinja2Templates
    warned_proxy: bool = False  # X-Forwarded-For seen without trust_proxy: said once, in the log
