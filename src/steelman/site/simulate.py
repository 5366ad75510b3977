"""A simulated community with a known policy, from public labelled data: does a site layer learn
the rule its moderators follow?

The community is built from the Contextual Abuse Dataset (CAD, Reddit; ``shared/data/cad``). Its
moderators follow a rule that is not the judge's: **identity-directed abuse is removed, abuse
aimed at a person is left up** (as on a forum whose members may be rude to each other but never
about who someone is). The judge's own score for "a moderator would reject this" is its attack
probability, which rates insults between users highest: the opposite of this site's rule.

Moderators decide on the comments that reach them (held or reported), which hold more abuse than
the site at large: the community draws its comments in fixed shares per CAD category
(:data:`MIX`). CAD has no thread ids; comments are put into pseudo-threads of
:data:`THREAD_SIZE` in their drawn order, and every fold and resample keeps those whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from steelman.errors import InputError

__all__ = [
    "MIX",
    "RULE",
    "THREAD_SIZE",
    "Community",
    "JudgedCache",
    "category",
    "read_cad",
    "simulated_community",
]

RULE = "IdentityDirectedAbuse removed; PersonDirectedAbuse and everything else left up"
THREAD_SIZE = 8
# the share of each category among the comments moderators decide on
MIX: Mapping[str, float] = {
    "identity": 0.30,
    "person": 0.20,
    "affiliation": 0.10,
    "other": 0.40,
}


def category(labels: Sequence[str]) -> str:
    """A CAD comment's category for the community's mix (identity abuse first)."""
    if "IdentityDirectedAbuse" in labels:
        return "identity"
    if "PersonDirectedAbuse" in labels:
        return "person"
    if "AffiliationDirectedAbuse" in labels:
        return "affiliation"
    return "other"


def read_cad(path: Path) -> list[dict[str, Any]]:
    """CAD's comments (posts left out) with 5 to 2,000 characters of text."""
    if not path.is_file():
        raise InputError(f"{path} does not exist: the CAD data is in shared/data/cad")
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            text = str(r.get("text") or "").strip()
            if r.get("kind") == "comment" and 5 <= len(text) <= 2000:
                rows.append({"id": str(r["id"]), "text": text, "labels": list(r["labels"])})
    return rows


@dataclass(frozen=True)
class Community:
    """Comments in decision order, whether this site removes each, and each one's thread."""

    texts: list[str]
    rejected: np.ndarray  # bool
    categories: list[str]
    groups: np.ndarray  # pseudo-thread ids (str)

    def __len__(self) -> int:
        return len(self.texts)

    def head(self, n: int) -> Community:
        return Community(self.texts[:n], self.rejected[:n], self.categories[:n], self.groups[:n])


def simulated_community(
    rows: Sequence[Mapping[str, Any]], n: int, *, seed: int = 0, prefix: str = "t"
) -> Community:
    """``n`` comments drawn from ``rows`` in the shares of :data:`MIX` (fewer where a category
    runs out), shuffled, labelled by :data:`RULE`."""
    rng = np.random.default_rng(seed)
    by_cat: dict[str, list[Mapping[str, Any]]] = {c: [] for c in MIX}
    for r in rows:
        by_cat[category(r["labels"])].append(r)
    picked: list[Mapping[str, Any]] = []
    for cat, share in MIX.items():
        pool = by_cat[cat]
        k = min(len(pool), round(n * share))
        picked.extend(pool[i] for i in rng.choice(len(pool), k, replace=False))
    order = rng.permutation(len(picked))
    chosen = [picked[i] for i in order]
    cats = [category(r["labels"]) for r in chosen]
    return Community(
        texts=[str(r["text"]) for r in chosen],
        rejected=np.array([c == "identity" for c in cats]),
        categories=cats,
        groups=np.array([f"{prefix}{i // THREAD_SIZE}" for i in range(len(chosen))]),
    )


class JudgedCache:
    """The bundled judge's judgement (as a dict) and pooled vector of each text, kept in
    ``folder`` (one JSON line and one ``.npy`` per model and text hash) so that a rerun judges
    only what is new. ``judge_fn`` judges and pools a list of texts."""

    def __init__(
        self,
        folder: Path,
        model: str,
        judge_fn: Callable[[list[str]], tuple[list[dict[str, Any]], np.ndarray]],
    ) -> None:
        self.folder = Path(folder)
        self.model = model
        self.judge_fn = judge_fn

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model}\0{text}".encode()).hexdigest()[:32]

    def get(
        self, texts: Sequence[str], *, chunk: int = 128
    ) -> tuple[list[dict[str, Any]], np.ndarray]:
        self.folder.mkdir(parents=True, exist_ok=True)
        found: dict[str, tuple[dict[str, Any], np.ndarray]] = {}
        missing = []
        for t in dict.fromkeys(texts):
            j, v = self.folder / f"{self._key(t)}.json", self.folder / f"{self._key(t)}.npy"
            if j.is_file() and v.is_file():
                found[t] = (json.loads(j.read_text(encoding="utf-8")), np.load(v))
            else:
                missing.append(t)
        for start in range(0, len(missing), chunk):
            part = missing[start : start + chunk]
            judged, pooled = self.judge_fn(part)
            for t, d, vec in zip(part, judged, pooled, strict=True):
                key = self._key(t)
                np.save(self.folder / f"{key}.npy", np.asarray(vec, np.float32))
                (self.folder / f"{key}.json").write_text(json.dumps(d), encoding="utf-8")
                found[t] = (d, np.asarray(vec, np.float32))
        return [found[t][0] for t in texts], np.stack([found[t][1] for t in texts])
