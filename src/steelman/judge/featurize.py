"""Turn replies and parents into the three feature blocks (shared by training and run time)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from steelman.judge.features import Analysis, CueMatch, TfidfSpace, analyse, cue_spans, cue_vector

__all__ = ["Blocks", "embed_block", "featurize"]

Embedder = Callable[[Sequence[str]], np.ndarray]


@dataclass
class Blocks:
    tfidf: list[tuple[np.ndarray, np.ndarray]]
    embed: np.ndarray
    cues: np.ndarray
    analyses: list[Analysis]
    cue_matches: list[list[CueMatch]]


def embed_block(reply: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """[reply, parent, reply * parent, cosine]: what the reply says and how it relates to
    what it answers."""
    prod = reply * parent
    return np.hstack([reply, parent, prod, prod.sum(axis=1, keepdims=True)]).astype(np.float32)


def featurize(
    texts: Sequence[str],
    parents: Sequence[str | None],
    space: TfidfSpace,
    embed: Embedder,
) -> Blocks:
    """Features for each (reply, parent) pair; every distinct text is embedded once."""
    distinct: dict[str, int] = {}
    for t in (*texts, *(p for p in parents if p)):
        distinct.setdefault(t, len(distinct))
    vectors = embed(list(distinct))
    dim = vectors.shape[1]
    reply = vectors[[distinct[t] for t in texts]] if texts else np.zeros((0, dim), np.float32)
    parent = np.zeros_like(reply)
    for i, p in enumerate(parents):
        if p:
            parent[i] = vectors[distinct[p]]
    analyses = [analyse(t) for t in texts]
    matches = [cue_spans(t) for t in texts]
    cues = (
        np.stack(
            [
                cue_vector(t, p, tokens=a.tokens, matches=m)
                for t, p, a, m in zip(texts, parents, analyses, matches, strict=True)
            ]
        )
        if texts
        else np.zeros((0, 0), np.float32)
    )
    return Blocks(
        tfidf=[space.transform(a) for a in analyses],
        embed=embed_block(reply, parent),
        cues=cues,
        analyses=analyses,
        cue_matches=matches,
    )
