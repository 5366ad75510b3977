"""The judging step shared by every engine: what a worker holds and what it does with a chunk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from steelman.batch.prepare import Chunk
from steelman.errors import TextError
from steelman.judge.result import Judgement

__all__ = ["JudgeFactory", "Outcome", "Scorer", "judge_texts", "merge_outcomes", "texts_of"]

# Per item of a chunk: the judgement as a dict, the judge's complaint, or None (not judged).
Outcome = dict[str, Any] | str | None


class Scorer(Protocol):
    """Anything that judges replies in batches, such as :class:`steelman.judge.Judge`."""

    @property
    def info(self) -> dict[str, str]: ...

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]: ...


@dataclass(frozen=True)
class JudgeFactory:
    """Loads the judge in each worker: the bundled model, or the model directory ``model``.

    A plain picklable object, so that worker processes and Ray actors can receive it. Each
    worker's encoder runs on ``threads`` cores (ONNX Runtime intra-op threads); 0 lets
    :func:`~steelman.batch.score_file` share the cores among the workers (Ray actors: one each),
    so that N workers do not each start a thread per core.
    """

    model: str | None = None
    threads: int = 0

    def __call__(self) -> Scorer:
        from steelman.judge import Judge

        return Judge.load(self.model, threads=self.threads)


def texts_of(chunk: Chunk) -> tuple[list[str], list[str | None]]:
    """The texts and parents of the items of ``chunk`` that the judge can read."""
    texts: list[str] = []
    parents: list[str | None] = []
    for item in chunk.items:
        if item.text is not None and item.error is None:
            texts.append(item.text)
            parents.append(item.parent)
    return texts, parents


def judge_texts(scorer: Scorer, texts: list[str], parents: list[str | None]) -> list[Outcome]:
    """Judge a batch; when the judge refuses a text, judge one by one to find which."""
    if not texts:
        return []
    try:
        return [j.to_dict() for j in scorer.judge_batch(texts, parents)]
    except TextError:
        outcomes: list[Outcome] = []
        for text, parent in zip(texts, parents, strict=True):
            try:
                outcomes.append(scorer.judge_batch([text], [parent])[0].to_dict())
            except TextError as exc:
                outcomes.append(str(exc))
        return outcomes


def merge_outcomes(chunk: Chunk, judged: list[Outcome]) -> list[Outcome]:
    """Spread the outcomes of :func:`texts_of`'s items back over all items of ``chunk``."""
    found = iter(judged)
    return [
        next(found) if item.text is not None and item.error is None else None
        for item in chunk.items
    ]
