"""What the escalation model is trained on: Conversations Gone Awry, read as threads, and a judge
whose answers are kept in a file so that a second training run does not judge again.

- :func:`load_cga`: ``cga/{wiki,cmv}.jsonl`` as reply chains (each comment answers the one
  before), each with ``derails`` and a group (conversations sharing a first comment), so that
  grouped cross-validation never puts one discussion on both sides. The comment that derails
  (``last``) is never read: the forecast is made from ``context`` alone.
- :func:`seen_elsewhere`: the CGA conversations with a comment that is also in one of the other
  labelled sets (which the judge trains on): left out, so that every feature comes from a judge
  that did not train on that conversation.
- :class:`CachedJudge`: any judge, with its answers kept in a JSON-lines file keyed by the
  judge's name and version, the text and its parent.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from steelman.data.comments import Comment
from steelman.data.formats import Thread, build_threads
from steelman.errors import RecordError
from steelman.judge.result import Judgement
from steelman.threads.analyse import JudgeLike
from steelman.threads.forecast import judgement_from_dict

__all__ = ["CGA_CORPORA", "CachedJudge", "CgaConversation", "load_cga", "seen_elsewhere"]

log = logging.getLogger(__name__)

CGA_CORPORA = ("wiki", "cmv")


@dataclass(frozen=True)
class CgaConversation:
    """One conversation's comments so far and whether the next comment is a personal attack."""

    id: str
    corpus: str  # "wiki" or "cmv"
    group: str  # conversations with the same first comment share a group
    comments: tuple[str, ...]
    derails: bool

    def thread(self) -> Thread:
        """The comments as a reply chain (authors are not in the data)."""
        comments = [
            Comment(f"{self.id}/{i}", f"{self.id}/{i - 1}" if i else None, None, text, self.id)
            for i, text in enumerate(self.comments)
        ]
        return build_threads(comments)[self.id]


def load_cga(path: str | Path, corpus: str) -> list[CgaConversation]:
    """Read one CGA file (``context`` and ``derails``; ``last`` is ignored)."""
    path = Path(path)
    if not path.exists():
        raise RecordError(
            f"missing; point --data at the folder holding cga/{path.name}", path=str(path)
        )
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                context = tuple(str(t) for t in row["context"] if str(t).strip())
                derails = row["derails"]
                conv_id = str(row["id"])
            except (ValueError, KeyError, TypeError) as exc:
                raise RecordError(f"line {n} is not a CGA record: {exc}", path=str(path)) from exc
            if not isinstance(derails, bool) or not context:
                raise RecordError(
                    f"line {n} needs a true/false 'derails' and a non-empty 'context'",
                    path=str(path),
                    field="derails" if not isinstance(derails, bool) else "context",
                )
            first = hashlib.sha256(context[0].encode("utf-8")).hexdigest()[:16]
            out.append(CgaConversation(conv_id, corpus, f"{corpus}:{first}", context, derails))
    return out


_MATCH_CHARS = 60  # a comment must have this many letters and digits to be matched
_KEY_CHARS = 120
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _key(text: str) -> str | None:
    """A comment's letters and digits, lower-cased (CGA is lower-cased and re-spaced): its first
    ``_KEY_CHARS``, or ``None`` when it is too short to match safely."""
    k = _NOT_ALNUM.sub("", text.lower())
    return k[:_KEY_CHARS] if len(k) >= _MATCH_CHARS else None


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def seen_elsewhere(
    conversations: Sequence[CgaConversation], data_dir: str | Path, *, skip: str = "cga"
) -> set[str]:
    """Ids of the conversations with a comment (of at least 60 letters and digits) that is also
    a text in any other ``*.json``/``*.jsonl`` file under ``data_dir`` (the judge's training
    data), compared on their letters and digits, lower-cased."""
    owners: dict[str, set[str]] = {}
    for c in conversations:
        for text in c.comments:
            if (k := _key(text)) is not None:
                owners.setdefault(k, set()).add(c.id)
    found: set[str] = set()
    for path in sorted(Path(data_dir).glob("*/*.json*")):
        if path.parent.name == skip or path.suffix not in (".json", ".jsonl"):
            continue
        with open(path, encoding="utf-8") as fh:
            records: Iterator[object] | list[object] = (
                [json.load(fh)]
                if path.suffix == ".json"
                else (json.loads(line) for line in fh if line.strip())
            )
            for record in records:
                for text in _strings(record):
                    if (k := _key(text)) is not None and k in owners:
                        found |= owners[k]
    return found


class CachedJudge:
    """A judge whose answers are kept in ``path`` (JSON lines), read back on the next run.
    Answers are keyed by the judge's name, version and (for a real judge) its config with every
    file's sha256, so a retrained judge never reads another's answers.

    Only what the escalation features read is restored (no evidence spans), so use it for
    training, not for showing judgements.
    """

    def __init__(self, judge: JudgeLike, path: str | Path) -> None:
        self.judge = judge
        self.path = Path(path)
        info: Any = getattr(judge, "info", None) or {}
        # a judge retrained under the same version has a different config (its files' sha256)
        config = getattr(getattr(judge, "model", None), "config", None)
        fingerprint = (
            hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()
            if isinstance(config, dict)
            else ""
        )
        self.tag = f"{info.get('name', type(judge).__name__)}:{info.get('version', '?')}"
        self.tag += f":{fingerprint[:16]}"
        self.cache: dict[str, dict[str, Any]] = {}
        self.judged = 0  # replies the judge was asked about (not found in the file)
        if self.path.exists():
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        row = json.loads(line)
                        self.cache[row["key"]] = row["judgement"]

    def _key(self, text: str, parent: str | None) -> str:
        raw = json.dumps([self.tag, text, parent], ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        keys = [self._key(t, p) for t, p in zip(texts, parents, strict=True)]
        todo = [i for i, k in enumerate(keys) if k not in self.cache]
        if todo:
            fresh = self.judge.judge_batch([texts[i] for i in todo], [parents[i] for i in todo])
            self.judged += len(todo)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                for i, j in zip(todo, fresh, strict=True):
                    d = j.to_dict()
                    d.pop("because", None)
                    self.cache[keys[i]] = d
                    fh.write(json.dumps({"key": keys[i], "judgement": d}) + "\n")
            log.info("judged %d replies (%d kept in %s)", len(todo), len(self.cache), self.path)
        return [judgement_from_dict(self.cache[k]) for k in keys]
