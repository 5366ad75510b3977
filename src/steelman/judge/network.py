"""Judge 2's network at run time: the int8 ONNX encoder and the numpy heads (no torch).

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
from steelman.judge.decide import sigmoid

__all__ = [
    "KERNELS",
    "KERNELS_ENV",
    "Encoded",
    "HeadOutput",
    "Network",
    "choose_kernels",
    "cpu_flags",
    "ordinal_probs",
    "sha256_file",
]

log = logging.getLogger(__name__)

_BATCH = 32
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
    """One text through the encoder: its pooled vector, token states and token offsets."""

    pooled: np.ndarray  # (dim,)
    tokens: np.ndarray  # (n_tokens, dim), special tokens included
    offsets: tuple[tuple[int, int], ...]  # character span of each token ((0, 0) for specials)


@dataclass(frozen=True)
class HeadOutput:
    """The heads' raw outputs for a batch of replies."""

    binary: np.ndarray  # (n, n_tasks) logits (the refit act heads' where the model has them)
    upper: np.ndarray  # (n, 5) P(DH2..DH6 | a disagreement that does not attack the person)
    pre: np.ndarray  # (n, hidden) pre-activations of the interaction layer
    inputs: np.ndarray  # (n, features) what the interaction layer read


class Network:
    """The encoder and heads of a Judge 2 model directory."""

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
                raise ModelError(f"{path} has no {name}: not a Judge 2 model directory")
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
                self.heads = {k: np.asarray(z[k], dtype=np.float32) for k in z.files}
        except Exception as exc:
            raise ModelError(f"could not load the judge network from {path}: {exc}") from exc
        self.max_tokens = int(config.get("max_tokens", 128))
        self._tok.enable_truncation(max_length=self.max_tokens)
        self._tok.no_padding()
        self.dim = int(self.heads["span_w"].shape[0])
        # the binary tasks (rows of the output) whose logits come from the refit heads on ``x``
        self._refit_rows = [int(r) for r in self.heads.get("refit_rows", np.zeros(0)).tolist()]

    def encode(self, texts: Sequence[str], *, tokens_for: int | None = None) -> list[Encoded]:
        """Every text through the encoder, in length-sorted batches; results in input order.
        Only the first ``tokens_for`` texts (all by default) keep their token states."""
        if not texts:
            return []
        encs = self._tok.encode_batch(list(texts))
        order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))
        out: list[Encoded | None] = [None] * len(encs)
        for start in range(0, len(order), _BATCH):
            rows = order[start : start + _BATCH]
            width = max(len(encs[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encs[i].ids)
                ids[r, :n] = encs[i].ids
                mask[r, :n] = 1
            (hidden,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            for r, i in enumerate(rows):
                n = len(encs[i].ids)
                states = np.asarray(hidden[r, :n], dtype=np.float32)
                keep = tokens_for is None or i < tokens_for
                out[i] = Encoded(
                    states.mean(axis=0),
                    states.copy() if keep else states[:0].copy(),
                    tuple(encs[i].offsets) if keep else (),
                )
        return [e for e in out if e is not None]

    def forward(self, reply: np.ndarray, parent: np.ndarray, cues: np.ndarray) -> HeadOutput:
        """The heads over pooled reply and parent vectors (zeros: no parent).

        The interaction layer reads ``x = [reply, parent, reply * parent, cues]``; its hidden
        units feed the fine-tuned outputs. Where the model has them, the level above the attacks
        comes from the refit multiclass head on ``x`` (``level_w``: softmax over DH2..DH6) and
        the refit binary heads on ``x`` (``refit_w``, for the tasks at ``refit_rows``: the
        disagreement gate and the WikiTactics acts); otherwise from the ordinal and joint heads
        of fine-tuning.
        """
        h = self.heads
        x = np.concatenate([reply, parent, reply * parent, cues], axis=1).astype(np.float32)
        pre = x @ h["inp_w"].T + h["inp_b"]
        z = np.maximum(pre, 0.0)
        binary = z @ h["out_w"].T + h["out_b"]
        if "refit_w" in h:
            binary[:, self._refit_rows] = x @ h["refit_w"].T + h["refit_b"]
        if "level_w" in h:
            logits = x @ h["level_w"].T + h["level_b"]
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            upper = e / e.sum(axis=1, keepdims=True)
        else:
            upper = ordinal_probs((z @ h["upper_w"] + h["upper_b"])[:, None] - h["cuts"][None, :])
        return HeadOutput(binary, upper, pre, x)

    def direction(
        self, target: str, tasks: Sequence[str], parent: np.ndarray, pre: np.ndarray
    ) -> np.ndarray:
        """The direction in token-state space along which ``target``'s logit grows, exact at
        the interaction layer given the parent (``pre``: that reply's pre-activations).
        ``target`` is a task name or a level code "DH2".."DH6"."""
        h = self.heads
        d = self.dim
        if target.startswith("DH"):
            k = int(target[2:]) - 2
            if "level_w" in h:  # the refit head's logit against the mean of the five
                return self._x_direction(h["level_w"][k] - h["level_w"].mean(axis=0), parent)
            row = (1.0 if k >= 2 else -1.0) * h["upper_w"]
        else:
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


def ordinal_probs(cum_logits: np.ndarray) -> np.ndarray:
    """P(DH2..DH6) from the cumulative logits "level > DH2+k" (made monotone)."""
    cum = np.minimum.accumulate(sigmoid(cum_logits), axis=1)
    n = len(cum)
    bounds = np.concatenate([np.ones((n, 1)), cum, np.zeros((n, 1))], axis=1)
    p = np.clip(bounds[:, :-1] - bounds[:, 1:], 0.0, 1.0)
    total = p.sum(axis=1, keepdims=True)
    return np.asarray(np.where(total > 0, p / np.maximum(total, 1e-12), 0.2), np.float64)
