"""Turning a fine-tuned Judge 2 into a model directory that runs without torch.

The encoder goes to ONNX (torch's legacy exporter) and is quantised to int8 *statically*: the
activation scales are calibrated once on training replies and stored in the graph, so a reply's
scores do not depend on the batch it is padded into (dynamic quantisation picks its scales per
batch). The heads are small arrays saved with numpy (no pickle). Needs the ``[train]`` extra.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from steelman.errors import MissingDependency, ModelError

__all__ = ["export_encoder", "head_arrays"]

_INPUTS = ("input_ids", "attention_mask")


def head_arrays(model: Any) -> dict[str, np.ndarray]:
    """The interaction and span heads of a fine-tuned torch judge as float32 arrays (the
    ordinal level head it was trained with is not kept: the refit level head replaces it)."""

    def arr(t: Any) -> np.ndarray:
        return np.ascontiguousarray(t.detach().float().cpu().numpy(), dtype=np.float32)

    return {
        "inp_w": arr(model.inp.weight),
        "inp_b": arr(model.inp.bias),
        "out_w": arr(model.out.weight),
        "out_b": arr(model.out.bias),
        "span_w": arr(model.span.weight)[0],
        "span_b": arr(model.span.bias),
    }


class _Calibration:
    """Feeds tokenised calibration texts to ONNX Runtime's static quantiser, one at a time."""

    def __init__(self, encodings: Sequence[Any]) -> None:
        self._rows: Iterator[dict[str, np.ndarray]] = iter(
            {
                "input_ids": np.asarray([e.ids], dtype=np.int64),
                "attention_mask": np.ones((1, len(e.ids)), dtype=np.int64),
            }
            for e in encodings
        )

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._rows, None)


def export_encoder(
    model: Any,
    dest: Path,
    calibration: Sequence[Any],
    *,
    quantize: bool = True,
    method: str = "MinMax",
    keep: Sequence[str] = (),
) -> Path:
    """Write ``dest`` (``encoder.onnx``): the fine-tuned encoder, int8 with static scales."""
    try:
        import torch
        from onnxruntime.quantization import (
            CalibrationMethod,
            QuantFormat,
            QuantType,
            quant_pre_process,
            quantize_static,
        )
    except ImportError as exc:
        raise MissingDependency(exc.name or "torch", "train", "Exporting the judge") from exc
    bert = model.bert

    class _Hidden(torch.nn.Module):  # type: ignore[misc,unused-ignore]
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    work = Path(tempfile.mkdtemp(prefix=".export-", dir=dest.parent))
    try:
        wrapper = _Hidden()
        wrapper.train(False)
        ids = torch.ones((2, 8), dtype=torch.long)
        # the legacy exporter warns about itself and about traced branches in transformers'
        # masking code; neither applies to this fixed graph
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper,
                (ids, ids),
                str(work / "fp32.onnx"),
                input_names=list(_INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "seq"} for n in (*_INPUTS, "last_hidden_state")},
                opset_version=17,
                dynamo=False,
            )
        if not quantize:
            shutil.move(str(work / "fp32.onnx"), dest)
            return dest
        quant_pre_process(str(work / "fp32.onnx"), str(work / "pre.onnx"), skip_symbolic_shape=True)
        import onnx

        graph = onnx.load(str(work / "pre.onnx")).graph
        weights = {i.name for i in graph.initializer}
        # attention's own products (activation x activation) stay in float: their ranges vary
        # too much from text to text for one fixed scale
        keep_float = [
            n.name
            for n in graph.node
            if n.op_type == "MatMul"
            and (not set(n.input) & weights or any(k in n.name for k in keep))
        ]
        quantize_static(
            str(work / "pre.onnx"),
            str(work / "int8.onnx"),
            _Calibration(calibration),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QInt8,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul", "Gather"],
            nodes_to_exclude=keep_float,
            calibrate_method=getattr(CalibrationMethod, method),
            extra_options={"ActivationSymmetric": False, "WeightSymmetric": True},
        )
        shutil.move(str(work / "int8.onnx"), dest)
    except Exception as exc:
        if isinstance(exc, MissingDependency):
            raise
        raise ModelError(f"could not export the encoder to {dest}: {exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest
