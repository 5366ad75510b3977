"""Reading ``steelman export-feedback`` files back as training samples.

Each line is one site's correction of a comment's scores (Perspective's ``comments:suggestscore``)
in the shape of :class:`steelman.data.corpus.Sample`: ``text``, ``parent``, ``domain``
(``feedback:<community>``), ``group``, ``split``, ``labels`` (the judge's task names: ``toxicity``,
``insult``, ``attack``...) and ``spans`` (the character spans scored toxic), plus ``suggested``:
every score as the client sent it, attribute names included (Coral's ``APPROVED``...).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from steelman.data.corpus import Sample
from steelman.data.jsonl import iter_jsonl
from steelman.errors import RecordError

__all__ = ["read_feedback"]


def read_feedback(path: str | Path) -> Iterator[Sample]:
    """The samples of an export, in file order."""
    for line, obj in iter_jsonl(Path(path)):
        try:
            spans = obj.get("spans")
            yield Sample(
                text=str(obj["text"]),
                parent=None if obj.get("parent") is None else str(obj["parent"]),
                domain=str(obj["domain"]),
                group=str(obj["group"]),
                split=str(obj.get("split", "train")),
                labels={str(k): float(v) for k, v in obj["labels"].items()},
                spans=None if spans is None else tuple((int(a), int(b)) for a, b in spans),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RecordError(f"not a feedback row: {exc!r}", path=str(path), line=line) from exc
