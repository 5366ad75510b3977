"""Feedback keys and ``steelman export-feedback``: the suggestions sites sent
(``comments:suggestscore``) as training data, one JSON object a line (read back by
:func:`steelman.data.feedback.read_feedback`).

Feedback is taken only with a key a site owner issued (``steelman feedback-keys add NAME``): its
secret is shown once and only its SHA-256 is kept; each suggestion records its key, a key can
be revoked and what it sent purged, and each key has its own rate and row limits. An export row
names its key (``suggested.key``, and the ``domain``); suggestions kept before keys existed are
left out unless asked for.

Scores for attributes that correct one of the judge's heads become ``labels`` under the head's
task name (TOXICITY -> ``toxicity``, ATTACK_ON_COMMENTER -> ``attack``...; the table is
:data:`steelman.server.attributes.CATALOGUE`); span scores of the toxicity attributes at 0.5 or
over become ``spans``. Every score is also kept as sent, under ``suggested``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from steelman.errors import InputError
from steelman.server.attributes import CATALOGUE
from steelman.server.perspective import PerspectiveError, Suggestion
from steelman.server.security import token_hash
from steelman.threads._io import atomic_output

if TYPE_CHECKING:
    from steelman.server.db import Feedback, Store
    from steelman.server.db.feedback import FeedbackKey
    from steelman.server.security import RateLimiter
    from steelman.server.settings import Settings

__all__ = [
    "KEY_PREFIX",
    "add_key",
    "authenticate",
    "export_feedback",
    "feedback_row",
    "find_key",
    "keep_suggestion",
]

KEY_PREFIX = "stm_"  # a feedback key's secret starts with this: easy to spot in a leaked file
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def add_key(store: Store, name: str) -> tuple[FeedbackKey, str]:
    """Issue a feedback key named ``name``; return it and its secret (shown once, never kept)."""
    if not _NAME.fullmatch(name):
        raise InputError(
            f"feedback key name {name!r}: use 1 to 64 letters, digits, '.', '_' or '-'"
            " (such as the site's name)"
        )
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    return store.add_feedback_key(name, token_hash(secret)), secret


def find_key(store: Store, secret: str) -> FeedbackKey | None:
    """The key in force with this secret, or ``None`` (unknown or revoked)."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    return store.feedback_key(token_hash(secret))


def authenticate(
    store: Store, limiter: RateLimiter, settings: Settings, secret: str | None
) -> FeedbackKey:
    """The key a ``comments:suggestscore`` request came with (``?key=`` or ``x-goog-api-key``),
    within its rate; raise Perspective's error otherwise (403 none, 400 not valid, 429 over)."""
    if not secret:
        raise PerspectiveError(
            "The request is missing a valid API key: feedback is taken only with a key the site"
            " owner issued (steelman feedback-keys add NAME), passed as ?key= or x-goog-api-key.",
            status=403,
        )
    key = find_key(store, secret)
    if key is None:
        raise PerspectiveError("API key not valid. Please pass a valid API key.")
    wait = limiter.hit("feedback", f"key:{key.id}", settings.feedback_per_minute)
    if wait:
        raise PerspectiveError(
            f"Quota exceeded for feedback key {key.name}: at most {settings.feedback_per_minute}"
            f" suggestions a minute; try again in {wait:g} s.",
            status=429,
        )
    return key


def _size(s: Suggestion) -> int:
    parts = [s.text, *s.context, s.community_id, s.client_token or "", *s.languages]
    scores = json.dumps(s.scores, ensure_ascii=False)
    return sum(len(p.encode("utf-8", "surrogatepass")) for p in parts) + len(scores.encode())


def keep_suggestion(store: Store, key: FeedbackKey, s: Suggestion, settings: Settings) -> int:
    """Keep ``s`` under ``key`` when it fits the size and the key's row limit; return its id."""
    size = _size(s)
    if size > settings.feedback_max_bytes:
        raise PerspectiveError(
            f"Suggestion too large: {size} bytes of comment, context, ids and scores; at most"
            f" {settings.feedback_max_bytes} bytes are kept (setting feedback_max_bytes)."
        )
    if store.count_feedback(key.id) >= settings.feedback_max_rows:
        raise PerspectiveError(
            f"Quota exceeded for feedback key {key.name}: it holds {settings.feedback_max_rows}"
            " suggestions, the most kept (setting feedback_max_rows; steelman feedback-keys"
            " purge frees them).",
            status=429,
        )
    return store.add_feedback(
        s.text,
        s.scores,
        context=s.context,
        languages=s.languages,
        community_id=s.community_id,
        client_token=s.client_token,
        key_id=key.id,
    )


_TASKS = {a.name: a.task for a in CATALOGUE if a.task}
_SPAN_ATTRIBUTES = ("TOXICITY", "SEVERE_TOXICITY", "INSULT", "IDENTITY_ATTACK", "THREAT")


def feedback_row(f: Feedback) -> dict[str, Any]:
    """One suggestion in the training-data shape (a :class:`steelman.data.corpus.Sample`)."""
    labels: dict[str, float] = {}
    spans: set[tuple[int, int]] = set()
    for name, score in f.scores.items():
        task = _TASKS.get(name)
        if task is not None and score.get("summary") is not None:
            labels[task] = float(score["summary"])
        if name in _SPAN_ATTRIBUTES:
            spans.update((int(b), int(e)) for b, e, v in score.get("spans", []) if v >= 0.5)
    community = f.community_id or "site"
    return {
        "text": f.text,
        "parent": f.context[-1] if f.context else None,
        "domain": f"feedback:{f.key or 'unkeyed'}:{community}",
        "group": f.client_token or f"feedback-{f.id}",
        "split": "train",
        "labels": labels,
        "spans": [list(s) for s in sorted(spans)] or None,
        "suggested": {
            "id": f.id,
            "created": f.created,
            "scores": f.scores,
            "context": f.context,
            "languages": f.languages,
            "community_id": f.community_id,
            "client_token": f.client_token,
            "key": f.key,
        },
    }


def export_feedback(store: Store, out: str | Path, *, unkeyed: bool = False) -> int:
    """Write every suggestion sent with a key (and, with ``unkeyed``, those kept anonymously
    before keys existed) to ``out`` (JSONL), atomically: a reader sees the old file or the
    whole new one, never part of it. Returns the number of rows."""
    n = 0
    try:
        with atomic_output(out) as tmp, open(tmp, "w", encoding="utf-8") as fh:
            for f in store.iter_feedback():
                if f.key is None and not unkeyed:
                    continue
                fh.write(json.dumps(feedback_row(f), ensure_ascii=False) + "\n")
                n += 1
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return n
