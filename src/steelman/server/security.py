"""Passwords, signed author tokens, hashing of personal data and per-address rate limits.

No HTTP here: the routes call these with strings and numbers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from steelman.errors import MissingDependency

if TYPE_CHECKING:
    from argon2 import PasswordHasher

__all__ = [
    "RateLimiter",
    "check_author_token",
    "hash_password",
    "make_author_token",
    "new_token",
    "private_hash",
    "request_key",
    "token_hash",
    "verify_password",
]


def _hasher() -> PasswordHasher:
    try:
        from argon2 import PasswordHasher
    except ImportError as exc:
        raise MissingDependency("argon2-cffi", "server", "Moderator passwords") from exc
    return PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of a moderator's password."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A random URL-safe token (session cookies, CSRF tokens, demo passwords)."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """What the store keeps of a session token: a leaked database opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


def private_hash(secret: str, value: str) -> str:
    """A keyed hash of an email or address: enough to ban, useless to read or show."""
    if not value:
        return ""
    mac = hmac.new(secret.encode(), value.strip().lower().encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def request_key(secret: str, request_id: str, *bound: object) -> str:
    """The stored idempotency key of a client's ``request_id``, bound to what was posted.

    A retry sends the same id with the same page, parent, name, email and text, and finds its
    first post; anyone else replaying the id (which needs all of those, the email included) makes
    a post of their own. The ``post:`` prefix keeps client ids apart from demo and import ids.
    """
    payload = json.dumps([request_id, *bound], ensure_ascii=True, separators=(",", ":"))
    mac = hmac.new(secret.encode(), payload.encode(), hashlib.sha256)
    return "post:" + mac.hexdigest()


def _sign(secret: str, payload: str) -> str:
    mac = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode()


def make_author_token(secret: str, comment_id: int, expires: float) -> str:
    """A token proving authorship of one comment (as Isso does): ``id.expiry.signature``."""
    payload = f"{comment_id}.{int(expires)}"
    return f"{payload}.{_sign(secret, payload)}"


def check_author_token(
    secret: str, token: str, comment_id: int, *, now: float | None = None, for_edit: bool = True
) -> bool:
    """True when ``token`` was made for ``comment_id`` and, ``for_edit``, has not expired.

    Viewing what happened to one's comment needs only a genuine token; editing and deleting need
    one still inside the edit window.
    """
    try:
        cid, expires, signature = token.split(".")
        if int(cid) != comment_id:
            return False
        good = hmac.compare_digest(signature, _sign(secret, f"{cid}.{expires}"))
    except ValueError:
        return False
    if not good:
        return False
    return not for_edit or (now if now is not None else time.time()) < int(expires)


class RateLimiter:
    """Token buckets per (bucket, client address): ``rate`` requests per minute, burst ``rate``.

    At most ``capacity`` buckets are kept, least recently used first in line to go. A bucket
    goes only once it has refilled (it then holds nothing a fresh one would not): when every
    bucket is still refilling, as under a flood of new (spoofed) addresses, the newcomers share
    one overflow bucket per name instead, so no flood can hand a limited client a fresh bucket.
    """

    OVERFLOW = "\x00overflow"  # no address looks like this

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, capacity: int = 100_000
    ) -> None:
        self._clock = clock
        self.capacity = capacity
        # (bucket, client) -> (tokens, last hit, when full again), oldest use first
        self._buckets: OrderedDict[tuple[str, str], tuple[float, float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def _key(self, bucket: str, client: str, now: float) -> tuple[str, str]:
        key = (bucket, client)
        if key in self._buckets or len(self._buckets) < self.capacity:
            return key
        oldest = next(iter(self._buckets))
        if self._buckets[oldest][2] <= now:  # refilled: forgetting it changes nothing
            del self._buckets[oldest]
            return key
        return (bucket, self.OVERFLOW)

    def hit(self, bucket: str, client: str, per_minute: int) -> float:
        """Take one token; return 0 when allowed, else the seconds until the next is free."""
        if per_minute <= 0:
            return 0.0
        rate = per_minute / 60.0
        now = self._clock()
        with self._lock:
            key = self._key(bucket, client, now)
            tokens, last, _ = self._buckets.get(key, (float(per_minute), now, now))
            tokens = min(float(per_minute), tokens + (now - last) * rate)
            allowed = tokens >= 1
            if allowed:
                tokens -= 1
            self._buckets[key] = (tokens, now, now + (per_minute - tokens) / rate)
            self._buckets.move_to_end(key)
            if allowed:
                return 0.0
            return max(1.0, math.ceil((1 - tokens) / rate))
