"""``steelman export-feedback``: the suggestions sites sent (``comments:suggestscore``) as
training data, one JSON object a line (read back by :func:`steelman.data.feedback.read_feedback`).

Scores for attributes that correct one of the judge's heads become ``labels`` under the head's
task name (TOXICITY -> ``toxicity``, ATTACK_ON_COMMENTER -> ``attack``...; the table is
:data:`steelman.server.attributes.CATALOGUE`); span scores of the toxicity attributes at 0.5 or
over become ``spans``. Every score is also kept as sent, under ``suggested``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from steelman.errors import InputError
from steelman.server.attributes import CATALOGUE
from steelman.threads._io import atomic_output

if TYPE_CHECKING:
    from steelman.server.db import Feedback, Store

__all__ = ["export_feedback", "feedback_row"]

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
        "domain": f"feedback:{community}",
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
        },
    }


def export_feedback(store: Store, out: str | Path) -> int:
    """Write every suggestion to ``out`` (JSONL), atomically: a reader sees the old file or the
    whole new one, never part of it. Returns the number of rows."""
    n = 0
    try:
        with atomic_output(out) as tmp, open(tmp, "w", encoding="utf-8") as fh:
            for f in store.iter_feedback():
                fh.write(json.dumps(feedback_row(f), ensure_ascii=False) + "\n")
                n += 1
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return n
