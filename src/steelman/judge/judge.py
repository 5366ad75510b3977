"""The judge: a model directory plus the encoder, answering for one reply or many."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, overload

import numpy as np

from steelman.errors import TextError
from steelman.judge.encoder import Encoder
from steelman.judge.explain import evidence, suggestion
from steelman.judge.featurize import Blocks, featurize
from steelman.judge.model import JudgeModel
from steelman.judge.result import Judgement
from steelman.levels import LEVELS

__all__ = ["EMBED_CACHE", "MAX_CHARS", "Judge", "clean_text", "decide_levels"]

log = logging.getLogger(__name__)

MAX_CHARS = 20_000  # what the judge reads of a reply; the rest is ignored (spans stay valid)
_CHUNK = 64
EMBED_CACHE = 4096  # distinct texts whose embeddings a judge keeps (about 6 MB)
_CONTROL = {c: " " for c in range(32) if chr(c) not in "\n\t"} | {0x7F: " "}


def clean_text(text: object, what: str = "text") -> str:
    """The text the judge reads: a string with content, control characters blanked (same length,
    so spans into it are spans into the original), cut at :data:`MAX_CHARS`."""
    if not isinstance(text, str):
        raise TextError(f"{what} must be a string, not {type(text).__name__}")
    if not text.strip():
        raise TextError(f"{what} is empty: there is nothing to judge")
    return text[:MAX_CHARS].translate(_CONTROL)


def decide_levels(
    level_p: np.ndarray, attack_p: np.ndarray, params: dict[str, float]
) -> np.ndarray:
    """The level each reply is placed at, from the level and attack probabilities.

    Neighbouring levels lend each other ``smoothing`` of their probability (the levels are
    ordered, so a near miss is better than a far one), and when the attack head is at least
    ``attack_override`` sure that the reply attacks the person, it sits at DH0 or DH1 (the
    attack head has seen more attacks than the level head).
    """
    lam = params.get("smoothing", 0.0)
    smoothed = level_p.copy()
    smoothed[:, 1:] += lam * level_p[:, :-1]
    smoothed[:, :-1] += lam * level_p[:, 1:]
    decided = smoothed.argmax(axis=1)
    override = (attack_p >= params.get("attack_override", 2.0)) & (decided > 1)
    decided[override] = np.where(level_p[override, 0] > level_p[override, 1], 0, 1)
    return np.asarray(decided)


def _quote_original(j: Judgement, text: str) -> Judgement:
    """Evidence quotes the author's own characters, control characters included."""
    if not j.because:
        return j
    because = tuple(replace(ev, text=text[ev.start : ev.end]) for ev in j.because)
    return replace(j, because=because)


class Judge:
    """Places replies on Graham's hierarchy, with the words that put them there.

    >>> judge = Judge.load()                                          # doctest: +SKIP
    >>> judge("You clearly never read the article.", parent="The study found a 12% drop.")
    """

    def __init__(self, model: JudgeModel, encoder: Encoder) -> None:
        self.model = model
        self.encoder = encoder
        self._levels = model.stack.head("level")
        self._acts = [h for h in model.stack.heads if h.name.startswith("act.")]
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    @classmethod
    def load(cls, path: str | Path | None = None, *, encoder: Encoder | None = None) -> Judge:
        """Load a model directory (the bundled one by default) and its encoder."""
        model = JudgeModel.load(path)
        enc = encoder or Encoder(max_tokens=int(model.encoder.get("max_tokens", 128)))
        return cls(model, enc)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence embeddings, remembered for the last :data:`EMBED_CACHE` distinct texts: a
        comment is embedded once even when it comes back as the parent of later replies."""
        cache = self._cache
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            for t, vec in zip(missing, self.encoder.encode(missing), strict=True):
                cache[t] = vec
        rows = []
        for t in texts:
            cache.move_to_end(t)
            rows.append(cache[t])
        while len(cache) > EMBED_CACHE:
            cache.popitem(last=False)
        return np.stack(rows) if rows else np.zeros((0, self.encoder.dim), np.float32)

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

    def judge_batch(
        self, texts: Sequence[str], parents: Sequence[str | None] | None = None
    ) -> list[Judgement]:
        """Judge many replies; each distinct text (reply or parent) is embedded once per call."""
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
        out: list[Judgement] = []
        for start in range(0, len(clean), _CHUNK):
            chunk = slice(start, start + _CHUNK)
            blocks = featurize(clean[chunk], clean_parents[chunk], self.model.space, self.embed)
            out.extend(self._judge_blocks(clean[chunk], clean_parents[chunk], blocks))
        return [_quote_original(j, t) for j, t in zip(out, texts, strict=True)]

    def probabilities(self, blocks: Blocks) -> dict[str, np.ndarray]:
        """Every head's calibrated probabilities for already-built feature blocks (the
        ``domain`` head first: other heads' meta models may read it)."""
        stack = self.model.stack
        out: dict[str, np.ndarray] = {}
        order = sorted(stack.heads, key=lambda h: h.name != "domain")
        for h in order:
            logits = stack.block_logits(h, blocks.tfidf, blocks.embed, blocks.cues)
            out[h.name] = stack.probabilities(h, logits, out.get("domain"))
        return out

    def _judge_blocks(
        self, texts: list[str], parents: list[str | None], blocks: Blocks
    ) -> list[Judgement]:
        probs = self.probabilities(blocks)
        stack = self.model.stack
        dis_head = stack.head("disagreement")
        level_p = probs["level"]
        decided = decide_levels(level_p, probs["attack"], self._levels.params)
        results = []
        att_head = stack.head("attack")
        for i, text in enumerate(texts):
            p_dis = float(probs["disagreement"][i])
            p_att = float(probs["attack"][i])
            acts = {h.classes[0]: round(float(probs[h.name][i]), 4) for h in self._acts}
            chosen_acts = [h.classes[0] for h in self._acts if probs[h.name][i] >= h.threshold]
            col = int(decided[i])
            attacks = p_att >= att_head.threshold
            top = LEVELS[col].code
            level = top if (p_dis >= dis_head.threshold or attacks) else None
            if level is not None:
                head = att_head if col <= 1 else self._levels
                target = level
                col = 0 if col <= 1 else col
            else:
                best_act = max(self._acts, key=lambda h: float(probs[h.name][i]), default=None)
                head = best_act if best_act is not None else self._levels
                target = best_act.classes[0] if best_act is not None else top
                col = 0
            results.append(
                Judgement(
                    level=level,
                    scores={lv.code: round(float(level_p[i, lv.rank]), 4) for lv in LEVELS},
                    disagreement=round(p_dis, 4),
                    attack=round(p_att, 4),
                    acts=acts,
                    because=evidence(
                        text,
                        blocks.analyses[i],
                        blocks.tfidf[i],
                        blocks.cue_matches[i],
                        target,
                        self.model.space,
                        head,
                        col,
                    ),
                    suggestion=suggestion(level, chosen_acts, text, parents[i]),
                    model=self.info,
                    act_labels=tuple(chosen_acts),
                    top_level=top,
                )
            )
        return results
