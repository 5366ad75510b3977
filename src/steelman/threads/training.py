"""Train the escalation model (Escalation 2): :func:`train_escalation`.

The model forecasts, from a conversation's comments so far, whether it turns to personal
attacks. It is fitted on Conversations Gone Awry (``cga/wiki.jsonl`` and ``cga/cmv.jsonl``:
Wikipedia talk pages and Reddit r/ChangeMyView, each conversation's comments before the attack,
balanced with calm ones), read from ``context`` only, never from the comment it predicts.

Cross-fitting: every feature comes from the judge, and the judge never trained on CGA, so the
CGA features are out-of-sample, as they are in use; the few CGA conversations with a comment
that is also in one of the judge's other training sets are left out (:func:`~steelman.threads.
corpora.seen_elsewhere`). The judge did train on WikiTactics train,
so WikiTactics is not fitted on at all: val (which the judge did not see) is the honest check of
the mediation forecast, and train is reported beside it, marked as judged in-sample.

The regularisation strength is picked by grouped, stratified 5-fold cross-validation over both
CGA corpora (conversations with the same first comment stay in one fold); the out-of-fold
predictions give each corpus's accuracy and ROC-AUC with bootstrap intervals, beside one-feature
baselines and the model without its trajectory features; the probabilities are calibrated on
them (Platt). Judgements can be kept in a file (``cache``), so a rerun does not judge again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from steelman.data.formats import Thread, build_threads, read_comments
from steelman.errors import RecordError
from steelman.threads.analyse import JudgeLike, ThreadLike, analyse_threads
from steelman.threads.corpora import (
    CGA_CORPORA,
    CachedJudge,
    CgaConversation,
    load_cga,
    seen_elsewhere,
)
from steelman.threads.escalation import EscalationModel
from steelman.threads.features import CUE_FEATURES, FEATURE_NAMES
from steelman.threads.fitting import calibrate, cv_aucs, fit_escalation, oof_logits
from steelman.threads.metrics import AucInterval, bootstrap_accuracy, bootstrap_auc

__all__ = [
    "BASELINES",
    "MODEL_FEATURES",
    "VERSION",
    "load_wikitactics_threads",
    "train_escalation",
]

log = logging.getLogger(__name__)

VERSION = "3.0.0"  # refit on judge 3.0.0
# CGA has no authors, so the author features would be constant in training: left out.
AUTHOR_FEATURES = ("log_participants", "top2_share", "alternation")
MODEL_FEATURES: tuple[str, ...] = tuple(f for f in FEATURE_NAMES if f not in AUTHOR_FEATURES)
# The features of Escalation 1 (before the trajectory ones): the ablation that keeps them.
_FIRST = FEATURE_NAMES.index("attack_max")
STATIC_FEATURES: tuple[str, ...] = tuple(f for f in FEATURE_NAMES[:_FIRST] if f in MODEL_FEATURES)
# Without the text cues (judge outputs only): the ablation that keeps them.
NO_CUE_FEATURES: tuple[str, ...] = tuple(f for f in MODEL_FEATURES if f not in CUE_FEATURES)
BASELINES = {
    "highest attack probability alone": "attack_max",
    "highest toxicity alone": "toxicity_max",
    "thread length alone": "log_comments",
}
WITHOUT_TRAJECTORY = "without trajectory features"
WITHOUT_CUES = "without text cues (judge outputs only)"
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


def load_wikitactics_threads(path: str | Path) -> list[tuple[Thread, int]]:
    """Read a WikiTactics split into reply trees, each with its ``escalation_label``."""
    threads = build_threads(read_comments(path, format="wikitactics"))
    out = []
    for thread in threads.values():
        label = thread.comments[0].extra.get("escalation_label") if thread.comments else None
        if label not in (0, 1):
            raise RecordError(
                f"conversation {thread.id!r} has no escalation_label of 0 or 1",
                path=str(path),
                field="escalation_label",
            )
        out.append((thread, int(label)))
    return out


def _features(threads: Sequence[ThreadLike], judge: JudgeLike) -> tuple[np.ndarray, dict[str, str]]:
    """Every thread feature (``FEATURE_NAMES`` order) and the judge's name and version."""
    reports = list(analyse_threads(threads, judge, risk=False))
    x = np.array([[r.features[f] for f in FEATURE_NAMES] for r in reports], dtype=np.float64)
    card = next((r.models["judge"] for r in reports if "judge" in r.models), {})
    return x.reshape(len(reports), len(FEATURE_NAMES)), card


def _columns(x: np.ndarray, features: Sequence[str]) -> np.ndarray:
    return x[:, [FEATURE_NAMES.index(f) for f in features]]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _inputs(data_dir: Path) -> tuple[dict[str, Path], dict[str, Path]]:
    cga = {c: data_dir / "cga" / f"{c}.jsonl" for c in CGA_CORPORA}
    wt = {s: data_dir / "wikitactics" / f"{s}.json" for s in ("train", "val")}
    for p in [*cga.values(), *wt.values()]:
        if not p.exists():
            raise RecordError(
                f"missing; point --data at the folder holding {p.parent.name}/{p.name}",
                path=str(p),
            )
    return cga, wt


def _rounded(d: dict[str, AucInterval]) -> dict[str, dict[str, float | int]]:
    """Intervals as dicts, the figure (an AUC or an accuracy) under ``value``."""
    out = {}
    for name, iv in d.items():
        row = iv.to_dict()
        out[name] = {"value": row.pop("auc"), **row}
    return out


def train_escalation(
    data_dir: str | Path,
    judge: JudgeLike,
    out_dir: str | Path | None = None,
    *,
    resamples: int = 1000,
    cv_repeats: int = 3,
    seed: int = 0,
    cache: str | Path | None = None,
) -> tuple[EscalationModel, dict[str, Any]]:
    """Fit the escalation model on ``data_dir/cga``, measure it by grouped cross-validation on
    each corpus and on ``data_dir/wikitactics``, and (when ``out_dir`` is given) write the model
    directory with its model card. ``cache`` keeps the judge's answers in a file for a rerun.

    Returns the model and its metrics.
    """
    cga_paths, wt_paths = _inputs(Path(data_dir))
    if cache is not None:
        judge = CachedJudge(judge, cache)
    read: list[CgaConversation] = [
        c for corpus, p in cga_paths.items() for c in load_cga(p, corpus)
    ]
    # cross-fitting: a conversation with a comment the judge trained on is left out
    seen = seen_elsewhere(read, data_dir)
    convs = [c for c in read if c.id not in seen]
    wt = {s: load_wikitactics_threads(p) for s, p in wt_paths.items()}
    x_all, judge_card = _features([c.thread() for c in convs], judge)
    y = np.array([c.derails for c in convs], dtype=np.int64)
    groups = np.array([c.group for c in convs])
    corpus = np.array([c.corpus for c in convs])
    x = _columns(x_all, MODEL_FEATURES)

    cv = {
        c: cv_aucs(x, y, MODEL_FEATURES, c, repeats=cv_repeats, seed=seed, groups=groups)
        for c in C_GRID
    }
    best_c = max(C_GRID, key=lambda c: (round(float(cv[c].mean()), 4), -c))
    oof = {"escalation model": oof_logits(x, y, MODEL_FEATURES, best_c, seed=seed, groups=groups)}
    oof[WITHOUT_TRAJECTORY] = oof_logits(
        _columns(x_all, STATIC_FEATURES), y, STATIC_FEATURES, best_c, seed=seed, groups=groups
    )
    oof[WITHOUT_CUES] = oof_logits(
        _columns(x_all, NO_CUE_FEATURES), y, NO_CUE_FEATURES, best_c, seed=seed, groups=groups
    )
    for name, feat in BASELINES.items():
        oof[name] = oof_logits(_columns(x_all, [feat]), y, [feat], 1.0, seed=seed, groups=groups)
    probs = {k: 1.0 / (1.0 + np.exp(-z)) for k, z in oof.items()}
    cga_metrics: dict[str, Any] = {}
    for name in CGA_CORPORA:
        rows = corpus == name
        cga_metrics[name] = {
            "left_out": sum(1 for c in read if c.corpus == name and c.id in seen),
            "conversations": int(rows.sum()),
            "derailed": int(y[rows].sum()),
            "groups": len(set(groups[rows])),
            "accuracy": _rounded(
                bootstrap_accuracy(
                    y[rows], {k: p[rows] for k, p in probs.items()}, resamples=resamples, seed=seed
                )
            ),
            "auc": _rounded(
                bootstrap_auc(
                    y[rows], {k: p[rows] for k, p in probs.items()}, resamples=resamples, seed=seed
                )
            ),
        }

    model = fit_escalation(x, y, MODEL_FEATURES, best_c)
    model = calibrate(model, oof["escalation model"], y)
    wt_metrics: dict[str, Any] = {}
    for split, labelled in wt.items():
        wx, _ = _features([t for t, _ in labelled], judge)
        wy = np.array([label for _, label in labelled], dtype=np.int64)
        scores = {"escalation model": model.predict_matrix(_columns(wx, MODEL_FEATURES))}
        for name, feat in BASELINES.items():
            base = fit_escalation(_columns(x_all, [feat]), y, [feat], 1.0)
            scores[name] = base.predict_matrix(_columns(wx, [feat]))
        wt_metrics[split] = {
            "conversations": len(wy),
            "escalated": int(wy.sum()),
            "judge_in_sample": split == "train",
            "auc": _rounded(bootstrap_auc(wy, scores, resamples=resamples, seed=seed)),
        }
    metrics: dict[str, Any] = {
        "c": best_c,
        "cv_repeats": cv_repeats,
        "cv_auc_by_c": {str(c): round(float(v.mean()), 4) for c, v in cv.items()},
        "cga": cga_metrics,
        "wikitactics": wt_metrics,
    }
    data = {f"cga/{p.name}": _sha256(p) for p in cga_paths.values()}
    data.update({f"wikitactics/{p.name}": _sha256(p) for p in wt_paths.values()})
    info = {
        "training_data": data,
        "judge": judge_card,
        # the judged training features: a retrained judge changes them, so compare this to see
        # whether the model still matches the bundled judge
        "features_sha256": hashlib.sha256(np.round(x, 6).tobytes()).hexdigest(),
        "seed": seed,
        "metrics": metrics,
    }
    model = dataclasses.replace(model, version=VERSION, info=info)
    if out_dir is not None:
        from steelman.threads.card import write_card

        model.save(out_dir)
        write_card(model, Path(out_dir) / "README.md")
        log.info("escalation model written to %s", out_dir)
    return model, metrics
