"""Moderator accounts and logins (argon2 hashes, expiring sessions). No HTTP."""

from __future__ import annotations

import time

from steelman.errors import InputError
from steelman.server.db import Store
from steelman.server.security import hash_password, new_token, token_hash, verify_password

__all__ = ["add_moderator", "login", "logout"]

_DUMMY = hash_password("not a password anyone has")


def add_moderator(store: Store, username: str, password: str) -> None:
    if not username.strip() or len(password) < 8:
        raise InputError("a moderator needs a name and a password of at least 8 characters")
    store.add_user(username.strip(), hash_password(password))


def login(store: Store, username: str, password: str, *, ttl_s: int) -> tuple[str, str] | None:
    """A new session's ``(token, csrf)`` for the right password, else ``None``."""
    user = store.user(username)
    # Verify against a dummy hash for unknown names too, so timing does not reveal who exists.
    ok = verify_password(user.password_hash if user else _DUMMY, password)
    if user is None or not ok:
        store.record(username[:80] or "?", "login-failed")
        return None
    token, csrf = new_token(), new_token()
    store.add_session(token_hash(token), user, csrf, time.time() + ttl_s)
    store.record(user.username, "login")
    return token, csrf


def logout(store: Store, token: str) -> None:
    session = store.session(token_hash(token))
    store.end_session(token_hash(token))
    if session is not None:
        store.record(session.user.username, "logout")
