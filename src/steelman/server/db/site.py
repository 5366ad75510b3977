"""What the store keeps for site layers: the decided texts' pooled encodings (so that ``steelman
adapt`` encodes each decision once), the decisions themselves read from comments, the audit log
and authenticated feedback, and which layer is switched on (the latest switch in the audit log).

Knows SQL, never HTTP and no model.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from steelman.server.db.records import AuditEntry, Comment
from steelman.server.db.store import Store, _audit

__all__ = ["LAYER_ACTIONS", "DecidedComment", "SiteTables", "text_hash"]

# The audit actions that change which site layer is on (the detail's "layer": "" for none).
LAYER_ACTIONS = ("site_layer_switch", "site_layer_rollback")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class DecidedComment:
    """A comment and its audit trail (oldest first): actions, times and details."""

    comment: Comment
    events: tuple[tuple[str, float, dict[str, Any]], ...]


class SiteTables:
    """Site-layer state in ``store``'s database."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.backend = store.backend

    # Decisions -----------------------------------------------------------------------------------

    def decided_comments(self) -> list[DecidedComment]:
        """Every comment with text that a moderator acted on or its author edited, with its
        moderation trail. Moderators' own notes are left out."""
        with self.backend.transaction() as cur:
            acted = cur.execute(
                "SELECT comment_id, action, at, detail FROM audit WHERE comment_id IN"
                " (SELECT DISTINCT comment_id FROM audit WHERE action IN"
                " ('approve', 'reject', 'ban', 'edit') AND comment_id IS NOT NULL)"
                " AND action IN ('post', 'edit', 'approve', 'reject', 'ban') ORDER BY id"
            )
            ids = sorted({int(r["comment_id"]) for r in acted})
            comments: dict[int, Comment] = {}
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                marks = ", ".join("?" for _ in part)
                for row in cur.execute(
                    f"SELECT * FROM comments WHERE id IN ({marks}) AND text <> ''"
                    " AND source <> 'moderator'",
                    part,
                ):
                    comments[int(row["id"])] = Comment.from_row(row)
        events: dict[int, list[tuple[str, float, dict[str, Any]]]] = {}
        for r in acted:
            events.setdefault(int(r["comment_id"]), []).append(
                (str(r["action"]), float(r["at"]), json.loads(r["detail"] or "{}"))
            )
        return [DecidedComment(comments[i], tuple(events[i])) for i in ids if i in comments]

    def recent_judgements(self, limit: int = 5000) -> list[dict[str, Any]]:
        """The stored judgements of the latest ``limit`` judged comments (moderators' notes left
        out), newest first."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT judgement FROM comments WHERE judged = 1 AND judgement IS NOT NULL"
                " AND source <> 'moderator' ORDER BY id DESC LIMIT ?",
                (limit,),
            )
        return [json.loads(r["judgement"]) for r in rows]

    # Encodings -----------------------------------------------------------------------------------

    def encodings(self, hashes: Sequence[str], model: str) -> dict[str, np.ndarray]:
        """The stored pooled encodings of the texts with these hashes, by ``model``."""
        out: dict[str, np.ndarray] = {}
        unique = sorted(set(hashes))
        with self.backend.transaction() as cur:
            for start in range(0, len(unique), 500):
                part = unique[start : start + 500]
                marks = ", ".join("?" for _ in part)
                for row in cur.execute(
                    f"SELECT text_hash, vector FROM site_encodings WHERE model = ?"
                    f" AND text_hash IN ({marks})",
                    (model, *part),
                ):
                    raw = base64.b64decode(row["vector"])
                    out[str(row["text_hash"])] = np.frombuffer(raw, dtype="<f4").copy()
        return out

    def put_encodings(self, vectors: Iterable[tuple[str, np.ndarray]], model: str) -> None:
        now = time.time()
        with self.backend.transaction() as cur:
            for h, vec in vectors:
                blob = base64.b64encode(np.asarray(vec, dtype="<f4").tobytes()).decode("ascii")
                cur.execute(
                    "INSERT INTO site_encodings (text_hash, model, vector, created)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (text_hash, model) DO NOTHING",
                    (h, model, blob, now),
                )

    def prune_encodings(self, keep: Iterable[str]) -> int:
        """Drop the encodings of texts no longer decided on (deleted, edited); return how many."""
        wanted = set(keep)
        with self.backend.transaction() as cur:
            stored = [
                str(r["text_hash"]) for r in cur.execute("SELECT text_hash FROM site_encodings")
            ]
            gone = sorted(set(stored) - wanted)
            for start in range(0, len(gone), 500):
                part = gone[start : start + 500]
                marks = ", ".join("?" for _ in part)
                cur.execute(f"DELETE FROM site_encodings WHERE text_hash IN ({marks})", part)
        return len(gone)

    # Which layer is on ---------------------------------------------------------------------------

    def active(self) -> str:
        """The name of the site layer switched on ("" for none)."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT detail FROM audit WHERE action IN (?, ?) ORDER BY id DESC LIMIT 1",
                LAYER_ACTIONS,
            )
        if not rows:
            return ""
        return str(json.loads(rows[0]["detail"] or "{}").get("layer", ""))

    def history(self, limit: int = 50) -> list[AuditEntry]:
        """Layer switches, rollbacks and adapt runs, newest first."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT * FROM audit WHERE action IN (?, ?, ?) ORDER BY id DESC LIMIT ?",
                (*LAYER_ACTIONS, "site_layer_adapt", limit),
            )
        return [AuditEntry.from_row(r) for r in rows]

    def switch(self, layer: str, *, actor: str, action: str, reason: str = "") -> str:
        """Record that ``layer`` ("" for none) is on from now; return the one it replaced. The
        check of what is on and the record are one transaction."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT detail FROM audit WHERE action IN (?, ?) ORDER BY id DESC LIMIT 1",
                LAYER_ACTIONS,
            )
            previous = str(json.loads(rows[0]["detail"] or "{}").get("layer", "")) if rows else ""
            _audit(cur, actor, action, None, reason, layer=layer, previous=previous)
        return previous

    def switched_from(self, layer: str) -> str | None:
        """The layer that was on before the latest switch to ``layer`` (``None``: it was never
        switched on)."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT detail FROM audit WHERE action = ? ORDER BY id DESC", (LAYER_ACTIONS[0],)
            )
        for r in rows:
            d = json.loads(r["detail"] or "{}")
            if d.get("layer") == layer:
                return str(d.get("previous", ""))
        return None

    def record(self, actor: str, action: str, reason: str = "", **detail: Any) -> None:
        self.store.record(actor, action, reason=reason, **detail)
