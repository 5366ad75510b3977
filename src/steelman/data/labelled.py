"""The labelled research data: WikiTactics (Wikipedia talk pages) and CMV attacks (Reddit).

Labels are normalised onto the product's scale here and nowhere else (see ``shared/data/README``):
the paper's extended WikiTactics hierarchy is renumbered onto Graham's DH0-DH6, derailing and
bailing out become acts, and the coordination labels become act codes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steelman.data.jsonl import iter_jsonl
from steelman.errors import RecordError

__all__ = [
    "Example",
    "map_coordination_label",
    "map_rebuttal_label",
    "read_cmv",
    "read_wikitactics",
]

# The paper's rebuttal prefix -> Graham rank, or an act code for the two that are not on the scale.
_REBUTTAL: dict[str, int | str] = {
    "DH-1": "bailing_out",
    "DH0": 0,
    "DH1": 1,
    "DH2": "derailing",
    "DH3": 2,
    "DH4": 3,
    "DH5": 4,
    "DH6": 5,
    "DH7": 6,
}

_COORDINATION: dict[str, str | None] = {
    "coordinating edits": "coordination",
    "contextualisation": "context",
    "providing clarification": "clarification",
    "asking questions": "question",
    "suggesting a compromise": "compromise",
    "conceding / recanting": "concession",
    "i don't know": None,
    "other": None,
}


@dataclass
class Example:
    """One labelled reply.

    ``level`` is the highest Graham rank among its rebuttal labels (None: not a disagreement, or
    unknown); ``attack`` is True/False where the data says, None where it does not.
    ``labelled_level`` says whether ``level`` is known (CMV says only attack or not).
    """

    text: str
    parent: str | None
    source: str
    group: str
    level: int | None = None
    labelled_level: bool = True
    attack: bool | None = None
    acts: frozenset[str] = field(default_factory=frozenset)
    labelled_acts: bool = True

    @property
    def disagreement(self) -> bool | None:
        if not self.labelled_level:
            return None if self.attack is None else True
        return self.level is not None


def map_rebuttal_label(label: str) -> int | str | None:
    """Map a WikiTactics rebuttal label to a Graham rank or an act code (None if unrecognised)."""
    prefix = label.split(":", 1)[0].strip().upper()
    return _REBUTTAL.get(prefix)


def map_coordination_label(label: str) -> str | None:
    """Map a WikiTactics coordination label to an act code (None for "Other"/"I don't know")."""
    key = label.split(":", 1)[0].strip().lower()
    return _COORDINATION.get(key)


def _parent_index(utterances: list[dict[str, Any]], i: int) -> int | None:
    """WikiTactics has no reply-to field: a reply answers the latest earlier utterance by
    someone else, or the one just before it when nobody else has spoken yet."""
    if i == 0:
        return None
    me = utterances[i].get("username")
    for j in range(i - 1, -1, -1):
        if utterances[j].get("username") != me:
            return j
    return i - 1


def wikitactics_parents(utterances: list[dict[str, Any]]) -> list[int | None]:
    """The index of each utterance's parent, by the rule in :func:`_parent_index`."""
    return [_parent_index(utterances, i) for i in range(len(utterances))]


def read_wikitactics(path: str | Path) -> list[Example]:
    """Read a WikiTactics JSON file (a list of conversations) into examples in thread order."""
    path = Path(path)
    try:
        conversations = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"not a WikiTactics JSON file: {exc}", path=str(path)) from exc
    if not isinstance(conversations, list):
        raise RecordError("expected a JSON list of conversations", path=str(path))
    out: list[Example] = []
    for ci, conv in enumerate(conversations):
        if not isinstance(conv, dict) or not isinstance(conv.get("utterances"), list):
            raise RecordError(
                f"conversation {ci} has no 'utterances' list", path=str(path), field="utterances"
            )
        utterances = conv["utterances"]
        parents = wikitactics_parents(utterances)
        for ui, utt in enumerate(utterances):
            out.append(_wikitactics_example(utt, utterances, parents[ui], conv, ci, ui, path))
    return out


def _wikitactics_example(
    utt: Any,
    utterances: list[dict[str, Any]],
    parent: int | None,
    conv: dict[str, Any],
    ci: int,
    ui: int,
    path: Path,
) -> Example:
    if not isinstance(utt, dict) or not isinstance(utt.get("text"), str):
        raise RecordError(
            f"conversation {ci}, utterance {ui} has no 'text' string", path=str(path), field="text"
        )
    ranks: list[int] = []
    acts: set[str] = set()
    for lab in utt.get("rebuttal_labels") or []:
        mapped = map_rebuttal_label(str(lab))
        if isinstance(mapped, int):
            ranks.append(mapped)
        elif isinstance(mapped, str):
            acts.add(mapped)
    for lab in utt.get("coordination_labels") or []:
        code = map_coordination_label(str(lab))
        if code:
            acts.add(code)
    top = max(ranks) if ranks else None
    return Example(
        text=utt["text"],
        parent=utterances[parent]["text"] if parent is not None else None,
        source="wikitactics",
        group=str(conv.get("conv_id", ci)),
        level=top,
        attack=any(r <= 1 for r in ranks),
        acts=frozenset(acts),
    )


_WS = re.compile(r"\s+")


def read_cmv(path: str | Path) -> Iterator[Example]:
    """Read the CMV attacks JSONL (``reply``, ``parent``, ``label`` attack|argument)."""
    for line, obj in iter_jsonl(path):
        for key in ("reply", "label"):
            if key not in obj:
                raise RecordError(
                    f"missing field; fields seen: {', '.join(sorted(obj))}",
                    path=str(path),
                    line=line,
                    field=key,
                )
        label = obj["label"]
        if label not in ("attack", "argument"):
            raise RecordError(
                f"label must be 'attack' or 'argument', not {label!r}",
                path=str(path),
                line=line,
                field="label",
            )
        parent = obj.get("parent")
        yield Example(
            text=str(obj["reply"]),
            parent=str(parent) if parent else None,
            source="cmv",
            group=str(obj.get("thread", obj.get("id", line))),
            level=None,
            labelled_level=False,
            attack=label == "attack",
            labelled_acts=False,
        )
