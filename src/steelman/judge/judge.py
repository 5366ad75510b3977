"""The judge: a model directory answering for one reply or many.

>>> judge = Judge.load()                                          # doctest: +SKIP
>>> judge("You clearly never read the article.", parent="The study found a 12% drop.")
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, overload

import numpy as np

from steelman.data.text import clean_text as valid_text
from steelman.errors import TextError
from steelman.judge.calibrate import apply_calibration
from steelman.judge.cues import CUE_NAMES, answered_sentence, cue_vector
from steelman.judge.decide import decide
from steelman.judge.explain import evidence, suggestion
from steelman.judge.model import JudgeModel
from steelman.judge.network import Encoded, HeadOutput
from steelman.judge.parts import windows
from steelman.judge.result import Judgement

__all__ = ["EMBED_CACHE", "MAX_CHARS", "PART_TASKS", "Judge", "clean_text"]

log = logging.getLogger(__name__)

MAX_CHARS = 20_000  # what the judge reads of a reply; the rest is ignored (spans stay valid)
EMBED_CACHE = 4096  # distinct texts whose pooled vectors a judge keeps (about 6 MB)
_CHUNK = 256
# the binary tasks a part of a reply carries alone: an insult in the last sentence of a long
# reply is an insult (they score as the reply's most marked part)
PART_TASKS = ("attack", "toxicity", "insult", "identity_attack", "threat", "profanity")
_CONTROL = {c: " " for c in range(32) if chr(c) not in "\n\t"} | {0x7F: " "}
_REASON_CUES = (CUE_NAMES.index("reasons"), CUE_NAMES.index("evidence"))
_QUOTE_MARKED, _QUOTED_SHARE = CUE_NAMES.index("quote_marked"), CUE_NAMES.index("quoted_share")


def clean_text(text: object, what: str = "text") -> str:
    """The text the judge reads: a string with content, valid Unicode, control characters
    blanked (same length, so spans into it are spans into the original), cut at
    :data:`MAX_CHARS`."""
    if not isinstance(text, str):
        raise TextError(f"{what} must be a string, not {type(text).__name__}")
    if not text.strip():
        raise TextError(f"{what} is empty: there is nothing to judge")
    return valid_text(text[:MAX_CHARS]).translate(_CONTROL)


class Judge:
    """Places replies on Graham's hierarchy, with the words that put them there."""

    def __init__(self, model: JudgeModel) -> None:
        self.model = model
        self._read: OrderedDict[str, Encoded] = OrderedDict()  # token states dropped
        tasks = list(model.tasks)
        self._task_row = {t: i for i, t in enumerate(tasks)}
        self._part_rows = [self._task_row[t] for t in PART_TASKS if t in self._task_row]

    @classmethod
    def load(
        cls, path: str | Path | None = None, *, threads: int = 0, kernels: str | None = None
    ) -> Judge:
        """Load a model directory (the bundled one by default). ``kernels``: ``"auto"`` (the
        default: int8 where the CPU has exact int8 dot products, float elsewhere), ``"int8"``
        or ``"float"``; the ``STEELMAN_JUDGE_KERNELS`` environment variable sets it too."""
        return cls(JudgeModel.load(path, threads=threads, kernels=kernels))

    @property
    def info(self) -> dict[str, str]:
        return {"name": self.model.name, "version": self.model.version}

    @overload
    def __call__(self, text: str, parent: str | None = None) -> Judgement: ...

    @overload
    def __call__(
        self, text: list[str] | tuple[str, ...], parent: Sequence[str | None] | None = None
    ) -> list[Judgement]: ...

    def __call__(self, text: Any, parent: Any = None) -> Judgement | list[Judgement]:
        """Judge one reply (a string) or many (a list): the answer has the same shape."""
        if isinstance(text, str):
            if parent is not None and not isinstance(parent, str):
                raise TextError("parent must be a string (or None) when text is a string")
            return self.judge_batch([text], [parent])[0]
        if not isinstance(text, Sequence):
            raise TextError(
                f"text must be a string or a list of strings, not {type(text).__name__}"
            )
        texts = list(text)
        parents = [None] * len(texts) if parent is None else list(parent)
        return self.judge_batch(texts, parents)

    def forget(self, texts: Sequence[str]) -> None:
        """Drop ``texts`` from what the judge remembers (Perspective's ``doNotStore``)."""
        for t in texts:
            self._read.pop(t, None)
            self._read.pop(clean_text(t) if isinstance(t, str) and t.strip() else t, None)

    def pooled(self, texts: Sequence[str]) -> np.ndarray:
        """The encoder's pooled vector of each text, ``(len(texts), dim)``: remembered ones are
        not encoded again (a site layer reads them after :meth:`judge_batch`)."""
        clean = [clean_text(t, f"text {i}") for i, t in enumerate(texts)]
        _, read = self._encode_missing(clean, [])
        dim = self.model.network.dim
        return (
            np.stack([read[t].pooled for t in clean]) if clean else np.zeros((0, dim), np.float32)
        )

    def _remember(self, text: str, enc: Encoded) -> None:
        if enc.tokens.size:
            enc = replace(enc, tokens=enc.tokens[:0], offsets=())
        self._read[text] = enc
        self._read.move_to_end(text)
        while len(self._read) > EMBED_CACHE:
            self._read.popitem(last=False)

    def _encode_missing(
        self, pooled_only: list[str], full: list[str]
    ) -> tuple[dict[str, Encoded], dict[str, Encoded]]:
        """Encode the ``full`` texts (token states kept) and whichever of ``pooled_only`` are
        not remembered, in one network call. Returns the full encodings and the reading (pooled
        vector and windows) of every text asked for: the chunk reads those, never the cache,
        which may already have let some go to make room."""
        need_full = list(dict.fromkeys(full))
        wanted = set(need_full)
        read = {
            t: self._read[t]
            for t in dict.fromkeys(pooled_only)
            if t in self._read and t not in wanted
        }
        missing = [t for t in dict.fromkeys(pooled_only) if t not in read and t not in wanted]
        encoded = self.model.network.encode(need_full + missing, tokens_for=len(need_full))
        out = {}
        for t, e in zip(need_full + missing, encoded, strict=True):
            read[t] = e
            if t in wanted:
                out[t] = e
        for t, e in read.items():
            self._remember(t, e)
        return out, read

    def judge_batch(
        self, texts: Sequence[str], parents: Sequence[str | None] | None = None
    ) -> list[Judgement]:
        """Judge many replies; each distinct text (reply or parent) is encoded once per call."""
        clean, clean_parents = _clean_inputs(texts, parents)
        out: list[Judgement] = []
        for start in range(0, len(clean), _CHUNK):
            out.extend(
                self._judge_chunk(
                    clean[start : start + _CHUNK], clean_parents[start : start + _CHUNK]
                )
            )
        return [_quote_original(j, t) for j, t in zip(out, texts, strict=True)]

    def _read_chunk(self, texts: list[str], parents: list[str | None]) -> _Read:
        """Encode a chunk and run the heads: a long reply is also read by its parts."""
        net = self.model.network
        encoded, read = self._encode_missing([p for p in parents if p], texts)
        reply = np.stack([encoded[t].pooled for t in texts])
        parent = np.stack(
            [
                _parent_vector(t, p, read[p]) if p else np.zeros(net.dim, np.float32)
                for t, p in zip(texts, parents, strict=True)
            ]
        )
        cues = np.stack([cue_vector(t, p) for t, p in zip(texts, parents, strict=True)])
        answers = net.answers(reply, parent, list(zip(texts, parents, strict=True)))
        head = net.forward(reply, parent, cues, answers)
        binary = head.binary.copy()
        for i, text in enumerate(texts):
            parts = _part_vectors(text, encoded[text])
            if len(parts):
                n = len(parts)
                part = net.forward(
                    parts,
                    np.repeat(parent[i : i + 1], n, axis=0),
                    np.repeat(cues[i : i + 1], n, axis=0),
                    np.repeat(answers[i : i + 1], n),
                ).binary
                logits = np.vstack([binary[i : i + 1], part])
                top = int(np.argmax(logits[:, self._task_row["attack"]]))
                binary[i, self._part_rows] = logits[:, self._part_rows].max(axis=0)
                binary[i, self._task_row["dh0"]] = logits[top, self._task_row["dh0"]]
        return _Read(encoded, parent, cues, answers, head, binary)

    def logits(self, texts: Sequence[str], parents: Sequence[str | None]) -> RawScores:
        """The heads' raw outputs for many replies, before calibration: each binary task's logit
        (``binary``, in ``model.tasks`` order), P(DH2..DH6) (``upper``) and the pair head's
        logit (``answers``). What :mod:`steelman.judge.calibrate` fits on."""
        clean, cp = _clean_inputs(texts, parents)
        parts = [
            self._read_chunk(clean[k : k + _CHUNK], cp[k : k + _CHUNK])
            for k in range(0, len(clean), _CHUNK)
        ]
        if not parts:
            n = len(self.model.tasks)
            return RawScores(np.zeros((0, n)), np.zeros((0, 5)), np.zeros(0))
        return RawScores(
            np.concatenate([r.binary for r in parts]),
            np.concatenate([r.head.upper for r in parts]),
            np.concatenate([r.answers for r in parts]),
        )

    def _judge_chunk(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        model = self.model
        net = model.network
        r = self._read_chunk(texts, parents)
        encoded, parent, cues, head = r.encoded, r.parent, r.cues, r.head
        platt = model.calibration.get("platt", {})
        binary = r.binary  # this chunk's own array: calibrated in place
        apply_calibration(binary, model.tasks, platt)
        a, b = platt.get("answers", (1.0, 0.0))
        answers = a * r.answers + b
        quotes = (cues[:, _QUOTE_MARKED] > 0) | (cues[:, _QUOTED_SHARE] >= 0.25)
        results = []
        for i, text in enumerate(texts):
            d = decide(
                binary[i],
                head.upper[i],
                model.tasks,
                model.acts,
                model.thresholds,
                answers=float(answers[i]) if parents[i] else None,
            )
            # reasons or evidence in the words themselves (the argument-quality head is too weak
            # to stand on: ROC-AUC 0.60 on IBM-ArgQ dev)
            reasons = bool(cues[i, list(_REASON_CUES)].max() > 0)
            results.append(
                Judgement(
                    level=d.level,
                    scores=d.scores,
                    disagreement=d.disagreement,
                    attack=d.attack,
                    acts=d.acts,
                    because=evidence(text, net, encoded[text], parent[i], head, i, d, model.tasks),
                    suggestion=suggestion(d, text, parents[i], reasons, quotes[i]),
                    model=self.info,
                    act_labels=d.act_labels,
                    top_level=d.top_level,
                    attributes=d.extra,
                )
            )
        return results


@dataclass(frozen=True)
class RawScores:
    """The heads' raw outputs for a batch of replies (see :meth:`Judge.logits`)."""

    binary: np.ndarray
    upper: np.ndarray
    answers: np.ndarray


@dataclass(frozen=True)
class _Read:
    """A chunk through the network: what the decisions and the evidence read."""

    encoded: dict[str, Encoded]
    parent: np.ndarray
    cues: np.ndarray
    answers: np.ndarray
    head: HeadOutput
    binary: np.ndarray  # the head's logits, a long reply's part-level tasks at its most marked part


def _clean_inputs(
    texts: Sequence[str], parents: Sequence[str | None] | None
) -> tuple[list[str], list[str | None]]:
    """The texts and parents the judge reads (:func:`clean_text`); a blank parent is none."""
    parents = [None] * len(texts) if parents is None else list(parents)
    if len(parents) != len(texts):
        raise TextError(f"got {len(texts)} texts but {len(parents)} parents")
    clean = [clean_text(t, f"text {i}") for i, t in enumerate(texts)]
    clean_parents = [
        None
        if p is None or (isinstance(p, str) and not p.strip())
        else clean_text(p, f"parent {i}")
        for i, p in enumerate(parents)
    ]
    return clean, clean_parents


def _part_vectors(text: str, enc: Encoded) -> np.ndarray:
    """The mean token state of each part of a long reply (runs of whole sentences of at most
    :data:`~steelman.judge.parts.WINDOW_CHARS` characters, read in context: no second encoder
    pass); empty for a reply read at once."""
    spans = windows(text)
    if len(spans) < 2 or not len(enc.tokens):
        return np.zeros((0, enc.tokens.shape[1] if enc.tokens.ndim == 2 else 0), np.float32)
    off = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
    real = off[:, 1] > off[:, 0]
    vecs = []
    for a, b in spans:
        m = real & (off[:, 0] >= a) & (off[:, 1] <= b)
        if m.any():
            vecs.append(enc.tokens[m].mean(axis=0))
    return (
        np.asarray(np.stack(vecs), np.float32)
        if vecs
        else np.zeros((0, enc.tokens.shape[1]), np.float32)
    )


def _parent_vector(reply: str, parent: str, read: Encoded) -> np.ndarray:
    """What the reply answers of its parent: the parent's window around the sentence the reply
    answers (the whole parent when it fits in one window)."""
    if len(read.spans) <= 1:
        return read.pooled
    answered = answered_sentence(reply, parent)
    return read.window_at(answered.start if answered else 0)


def _quote_original(j: Judgement, text: str) -> Judgement:
    """Evidence quotes the author's own characters, control characters included."""
    if not j.because:
        return j
    because = tuple(
        replace(ev, text=text[ev.start : ev.end]) if text[ev.start : ev.end].strip() else ev
        for ev in j.because
    )
    return replace(j, because=because)
