"""The judge's network at run time: the int8 ONNX encoder and the numpy heads (no torch).

:class:`Network` tokenises, runs the encoder over length-sorted batches, mean-pools each text's
token states, and evaluates the interaction head and the span head. The encoder's activation
scales are fixed in the graph (static quantisation), so a text's vector does not depend on what
it was batched with: scores agree to 1e-4 whatever the batch size or worker count (tested).
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from steelman.errors import MissingDependency, ModelError
from steelman.judge.decide import softmax
from steelman.judge.pair import PairHead, tilted

__all__ = [
    "KERNELS",
    "KERNELS_ENV",
    "Encoded",
    "HeadOutput",
    "Network",
    "choose_kernels",
    "cpu_flags",
    "sha256_file",
]

log = logging.getLogger(__name__)

_BATCH = 32
_REQUIRED_HEADS = (
    "level_w",
    "level_b",
    "level_tilt",
    "pair_proj",
    "pair_w",
    "pair_b",
    "lex_words",
    "lex_idf",
)
MAX_WINDOWS = 24  # windows read of one text (24 x 256 tokens: past the judge's 20,000 characters)
KERNELS = ("auto", "int8", "float")
KERNELS_ENV = "STEELMAN_JUDGE_KERNELS"
# instruction sets whose int8 dot products are exact and fast: without them (plain AVX2's
# vpmaddubsw) ONNX Runtime's u8s8 kernels saturate at 16 bits and the scores drift
_INT8_FLAGS = frozenset({"avx512vnni", "avx512_vnni", "avx_vnni", "amx_int8", "asimddp", "i8mm"})


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> tuple[str, frozenset[str]]:
    """The processor's model name and instruction-set flags, lower case: what CPUID says
    through numpy, and the kernel's ``/proc/cpuinfo`` list where there is one (it names
    ``avx_vnni`` and ``amx_int8``, which numpy does not)."""
    name = platform.processor() or platform.machine()
    flags = {k.lower() for k, on in _numpy_cpu_features().items() if on}
    try:
        lines = cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "model name" and value.strip():
            name = value.strip()
        elif key in ("flags", "features"):
            flags.update(value.split())
            break
    return name, frozenset(flags)


def _numpy_cpu_features() -> dict[str, bool]:
    """numpy's own CPUID reading (a private module: nothing where it has moved)."""
    try:
        umath = importlib.import_module("numpy._core._multiarray_umath")
    except ImportError:  # pragma: no cover - numpy's private name moved
        return {}
    return {str(k): bool(v) for k, v in getattr(umath, "__cpu_features__", {}).items()}


def choose_kernels(requested: str | None = None, flags: frozenset[str] | None = None) -> str:
    """``"int8"`` (the fused integer kernels) where the CPU has exact int8 dot products,
    ``"float"`` (the same quantised graph run in float arithmetic, equal on every CPU)
    elsewhere. ``requested`` (or the ``STEELMAN_JUDGE_KERNELS`` environment variable) names
    one of :data:`KERNELS` to override the choice."""
    want = (requested or os.environ.get(KERNELS_ENV) or "auto").strip().lower()
    if want not in KERNELS:
        raise ModelError(
            f"unknown judge kernels {want!r} (from {'the argument' if requested else KERNELS_ENV});"
            f" choose one of {', '.join(KERNELS)}"
        )
    if want != "auto":
        return want
    if flags is None:
        flags = cpu_flags()[1]
    return "int8" if flags & _INT8_FLAGS else "float"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Encoded:
    """One text through the encoder: its pooled vector, token states and token offsets, and
    the mean state of each window it was read in (one unless it is longer than ``max_tokens``)."""

    pooled: np.ndarray  # (dim,): the mean of every token state of every window
    tokens: np.ndarray  # (n_tokens, dim), special tokens included
    offsets: tuple[tuple[int, int], ...]  # character span of each token ((0, 0) for specials)
    windows: np.ndarray  # (n_windows, dim): each window's mean state
    spans: tuple[tuple[int, int], ...]  # each window's character span

    def window_at(self, char: int) -> np.ndarray:
        """The mean state of the window that reads character ``char`` (the pooled vector of a
        text read in one window)."""
        if len(self.spans) <= 1:
            return self.pooled
        for k, (_, end) in enumerate(self.spans):
            if char < end:
                return np.asarray(self.windows[k], np.float32)
        return np.asarray(self.windows[-1], np.float32)


@dataclass(frozen=True)
class HeadOutput:
    """The heads' raw outputs for a batch of replies."""

    binary: np.ndarray  # (n, n_tasks) logits (the refit act heads' where the model has them)
    upper: np.ndarray  # (n, 5) P(DH2..DH6 | a disagreement that does not attack the person)
    pre: np.ndarray  # (n, hidden) pre-activations of the interaction layer
    inputs: np.ndarray  # (n, features) what the refit heads read (``x``)


class Network:
    """The encoder and heads of a judge model directory."""

    def __init__(
        self, path: Path, config: dict[str, Any], *, threads: int = 0, kernels: str | None = None
    ) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - core dependencies
            raise MissingDependency(exc.name or "onnxruntime", "", "The judge") from exc
        files = config.get("files", {})
        for name in ("encoder.onnx", "tokenizer.json", "heads.npz"):
            if not (path / name).is_file():
                raise ModelError(f"{path} has no {name}: not a judge model directory")
            want = files.get(name)
            if want is None:
                raise ModelError(f"{path}/config.json lists no sha256 for {name}")
            got = sha256_file(path / name)
            if got != want:
                raise ModelError(
                    f"{path / name} does not match its sha256 in config.json (expected"
                    f" {want[:12]}…, found {got[:12]}…): the file is corrupt or was replaced"
                )
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or max(1, min(os.cpu_count() or 1, 8))
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.kernels = choose_kernels(kernels)
        if self.kernels == "float":  # dequantise, compute in float, quantise: no int8 kernel
            opts.add_session_config_entry("session.disable_quant_qdq", "1")
        log.info("judge encoder: %s kernels on %s", self.kernels, cpu_flags()[0])
        try:
            self._session = ort.InferenceSession(
                str(path / "encoder.onnx"), sess_options=opts, providers=["CPUExecutionProvider"]
            )
            self._tok = Tokenizer.from_file(str(path / "tokenizer.json"))
            with np.load(path / "heads.npz", allow_pickle=False) as z:
                self.heads = {  # the pair head's words are bytes (see pair.Lexicon)
                    k: z[k] if k == "lex_words" else np.asarray(z[k], dtype=np.float32)
                    for k in z.files
                }
        except Exception as exc:
            raise ModelError(f"could not load the judge network from {path}: {exc}") from exc
        self.max_tokens = int(config.get("max_tokens", 128))
        self._tok.enable_truncation(max_length=self.max_tokens)
        self._tok.no_padding()
        self.dim = int(self.heads["span_w"].shape[0])
        # the binary tasks (rows of the output) whose logits come from the refit heads on ``x``
        self._refit_rows = [int(r) for r in self.heads.get("refit_rows", np.zeros(0)).tolist()]
        missing = [k for k in _REQUIRED_HEADS if k not in self.heads]
        if missing:
            raise ModelError(f"{path}/heads.npz has no {', '.join(missing)}: not a Judge 3 model")
        self.pair = PairHead.from_arrays(self.heads)
        # the level head's temperature, fitted on held-out folds (1: as fitted)
        self.level_temperature = float(config.get("calibration", {}).get("level", 1.0))

    def encode(self, texts: Sequence[str], *, tokens_for: int | None = None) -> list[Encoded]:
        """Every text through the encoder, in length-sorted batches; results in input order.
        A text longer than ``max_tokens`` is read in consecutive windows of that many tokens;
        its pooled vector is the mean over all of them. Only the first ``tokens_for`` texts (all
        by default) keep their token states."""
        if not texts:
            return []
        encs = self._tok.encode_batch(list(texts))
        pieces = [(i, w) for i, e in enumerate(encs) for w in [e, *e.overflowing][:MAX_WINDOWS]]
        order = sorted(range(len(pieces)), key=lambda k: len(pieces[k][1].ids))
        states: list[np.ndarray] = [np.zeros((0, 0), np.float32)] * len(pieces)
        for start in range(0, len(order), _BATCH):
            rows = order[start : start + _BATCH]
            width = max(len(pieces[k][1].ids) for k in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, k in enumerate(rows):
                n = len(pieces[k][1].ids)
                ids[r, :n] = pieces[k][1].ids
                mask[r, :n] = 1
            (hidden,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            for r, k in enumerate(rows):
                states[k] = np.asarray(hidden[r, : len(pieces[k][1].ids)], dtype=np.float32)
        by_text: list[list[int]] = [[] for _ in encs]
        for k, (i, _) in enumerate(pieces):
            by_text[i].append(k)
        out = []
        for i, ks in enumerate(by_text):
            keep = tokens_for is None or i < tokens_for
            every = states[ks[0]] if len(ks) == 1 else np.concatenate([states[k] for k in ks])
            offsets = [o for k in ks for o in pieces[k][1].offsets]
            spans = []
            for k in ks:
                real = [o for o in pieces[k][1].offsets if o[1] > o[0]]
                spans.append((real[0][0], real[-1][1]) if real else (0, 0))
            out.append(
                Encoded(
                    every.mean(axis=0),
                    every.copy() if keep else every[:0].copy(),
                    tuple(offsets) if keep else (),
                    np.stack([states[k].mean(axis=0) for k in ks]),
                    tuple(spans),
                )
            )
        return out

    def answers(
        self, reply: np.ndarray, parent: np.ndarray, texts: Sequence[tuple[str, str | None]]
    ) -> np.ndarray:
        """The pair head's logit that each reply answers its parent's point (see
        :mod:`steelman.judge.pair`); a reply with no parent gets the head's bias alone."""
        return self.pair.logits(self.pair.features(reply, parent, texts))

    def forward(
        self, reply: np.ndarray, parent: np.ndarray, cues: np.ndarray, answers: np.ndarray
    ) -> HeadOutput:
        """The heads over pooled reply and parent vectors (zeros: no parent).

        The fine-tuned interaction layer reads ``[reply, parent, reply * parent, cues]``; its
        hidden units feed the fine-tuned outputs. The refit heads read the same with the pair
        head's logit (``answers``) appended (``x``): the level above the attacks (``level_w``: a
        softmax over DH2..DH6) and the binary heads at ``refit_rows`` (the disagreement gate,
        the WikiTactics acts, the attributes served as probabilities); the odds of DH5 and
        DH6 are tilted by the pair head (``level_tilt``: see :func:`steelman.judge.pair.tilted`).
        """
        h = self.heads
        base = np.concatenate([reply, parent, reply * parent, cues], axis=1).astype(np.float32)
        x = np.concatenate([base, answers.reshape(-1, 1)], axis=1).astype(np.float32)
        pre = base @ h["inp_w"].T + h["inp_b"]
        z = np.maximum(pre, 0.0)
        binary = z @ h["out_w"].T + h["out_b"]
        if "refit_w" in h:
            binary[:, self._refit_rows] = x @ h["refit_w"].T + h["refit_b"]
        level = softmax(x @ h["level_w"].T + h["level_b"], self.level_temperature)
        upper = tilted(level, answers, h["level_tilt"])
        return HeadOutput(binary, upper, pre, x)

    def direction(
        self, target: str, tasks: Sequence[str], parent: np.ndarray, pre: np.ndarray
    ) -> np.ndarray:
        """The direction in token-state space along which ``target``'s logit grows, exact at
        the interaction layer given the parent (``pre``: that reply's pre-activations).
        ``target`` is a task name or a level code "DH2".."DH6"."""
        h = self.heads
        d = self.dim
        if target.startswith("DH"):  # the refit head's logit against the mean of the five
            k = int(target[2:]) - 2
            return self._x_direction(h["level_w"][k] - h["level_w"].mean(axis=0), parent)
        i = list(tasks).index(target)
        if i in self._refit_rows:
            return self._x_direction(h["refit_w"][self._refit_rows.index(i)], parent)
        row = h["out_w"][i]
        g = row * (pre > 0).astype(np.float32)
        w_r = h["inp_w"][:, :d] + h["inp_w"][:, 2 * d : 3 * d] * parent[None, :]
        return np.asarray(g @ w_r, np.float32)

    def _x_direction(self, w: np.ndarray, parent: np.ndarray) -> np.ndarray:
        d = self.dim
        return np.asarray(w[:d] + w[2 * d : 3 * d] * parent, np.float32)

    def span_logits(self, tokens: np.ndarray) -> np.ndarray:
        """The toxic-span head's logit for each token."""
        return np.asarray(tokens @ self.heads["span_w"] + self.heads["span_b"][0], np.float32)
