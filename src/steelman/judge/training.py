"""``steelman train``: read the labelled data, fit a judge, measure it on val, save it.

Data (``shared/data`` by default): WikiTactics train (val for measuring only) and CMV dev. CMV
has no split of its own here, so its threads are split by a hash of the thread id: one in five
goes to val, the rest to training. The split never changes, so the figures are reproducible.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from steelman.data.labelled import Example, read_cmv, read_wikitactics
from steelman.errors import InputError
from steelman.judge.encoder import Encoder
from steelman.judge.evaluate import Evaluation, evaluate
from steelman.judge.judge import Judge
from steelman.judge.model import JudgeModel
from steelman.judge.train import TrainConfig, fit_model_parts

__all__ = ["DEFAULT_DATA_DIR", "LabelledData", "load_labelled", "train_judge"]

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path("../shared/data")
MODEL_NAME = "steelman-judge"


def _cmv_is_val(e: Example) -> bool:
    return int(hashlib.sha256(e.group.encode()).hexdigest(), 16) % 5 == 0


class LabelledData:
    """The four sets: WikiTactics train/val and CMV train/val, with the files' hashes."""

    def __init__(self, data_dir: Path) -> None:
        wiki = data_dir / "wikitactics"
        cmv = data_dir / "cmv-attacks" / "dev.jsonl"
        files = [wiki / "train.json", wiki / "val.json", cmv]
        missing = [str(f) for f in files if not f.exists()]
        if missing:
            raise InputError(
                f"labelled data not found: {', '.join(missing)}; pass the data folder"
                " (the one holding wikitactics/ and cmv-attacks/)"
            )
        self.wiki_train = read_wikitactics(files[0])
        self.wiki_val = read_wikitactics(files[1])
        cmv_all = list(read_cmv(cmv))
        self.cmv_train = [e for e in cmv_all if not _cmv_is_val(e)]
        self.cmv_val = [e for e in cmv_all if _cmv_is_val(e)]
        self.hashes = {
            str(f.relative_to(data_dir)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files
        }


def load_labelled(data_dir: str | Path | None = None) -> LabelledData:
    return LabelledData(Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR)


def train_judge(
    data_dir: str | Path | None,
    out: str | Path,
    *,
    version: str,
    cfg: TrainConfig = TrainConfig(),  # noqa: B008 - frozen dataclass
    encoder: Encoder | None = None,
) -> tuple[JudgeModel, list[Evaluation]]:
    """Fit on the training sets, measure on the val sets, write the model directory to ``out``."""
    data = load_labelled(data_dir)
    enc = encoder or Encoder()
    examples = data.wiki_train + data.cmv_train
    space, stack, _ = fit_model_parts(examples, enc.encode, cfg)
    model = JudgeModel(
        name=MODEL_NAME,
        version=version,
        space=space,
        stack=stack,
        encoder={
            "name": enc.manifest.get("name"),
            "sha256": enc.manifest.get("sha256"),
            "max_tokens": enc.max_tokens,
        },
        training={
            "data": data.hashes,
            "rows": {"wikitactics_train": len(data.wiki_train), "cmv_train": len(data.cmv_train)},
            "config": asdict(cfg),
            "trained": datetime.now(UTC).strftime("%Y-%m-%d"),
        },
    )
    judge = Judge(model, enc)
    evals = [
        evaluate(judge, data.wiki_val, "wikitactics-val"),
        evaluate(judge, data.cmv_val, "cmv-val"),
    ]
    model.metrics = {ev.name: ev.metrics for ev in evals}
    model.save(out, card=model_card(model, evals))
    return model, evals


def model_card(model: JudgeModel, evals: list[Evaluation]) -> str:
    """The model card (README.md of the model directory)."""
    lines = [
        f"# {model.name} {model.version}",
        "",
        "Places a reply on Graham's hierarchy of disagreement (DH0-DH6), says whether it is a",
        "disagreement at all, whether it attacks the person (DH0/DH1), and which other acts it",
        "performs. Reply and parent are both inputs.",
        "",
        "## Architecture",
        "For every head, one logistic regression per feature block (TF-IDF word 1-2 and character",
        "2-5 grams of the reply; all-MiniLM-L6-v2 int8 embeddings of reply and parent and their",
        "product; hand-written cues), combined by a meta logistic regression fitted on 5-fold",
        "out-of-fold logits grouped by conversation (calibrated probabilities). The attack",
        "head adds per-source TF-IDF experts and a domain-aware meta model (Reddit reads",
        "differently from Wikipedia). Decision thresholds and the level decision rule are",
        "tuned on the same out-of-fold predictions, never on val.",
        "",
        f"Encoder: `{model.encoder.get('name')}` (sha256 `{model.encoder.get('sha256')}`),",
        f"max {model.encoder.get('max_tokens')} tokens.",
        "",
        "## Training data (sha256)",
    ]
    for name, digest in model.training.get("data", {}).items():
        lines.append(f"- `{name}`: `{digest}`")
    lines += ["", f"Rows: {json.dumps(model.training.get('rows'))}", "", "## Val metrics", ""]
    for ev in evals:
        lines.append(f"### {ev.name} ({ev.n} replies)")
        lines.append("")
        lines += [f"- {k}: {v:.3f}" for k, v in ev.metrics.items()]
        lines.append("")
    lines += [
        "## Limits",
        "- Trained on Wikipedia talk pages and r/ChangeMyView; other registers may differ.",
        "- DH0 and DH6 are rare in the training data (the top label of a reply is rarely DH0),",
        "  so their per-level figures are noisy.",
        "",
        "Retrain with `make train` (same data, same split, same figures).",
        "",
    ]
    return "\n".join(lines)
