"""Train the escalation model on WikiTactics: :func:`train_escalation`.

The judge reads every conversation of ``train.json`` and ``val.json``; each judged thread becomes
a feature vector (:mod:`steelman.threads.features`); a logistic regression (scikit-learn, at train
time only) learns ``escalation_label``. The regularisation strength is picked by repeated
stratified 5-fold cross-validation on train (one conversation per row, so folds never split a
conversation), and the probabilities are calibrated on out-of-fold predictions (Platt); val is
held out and reported with a bootstrap interval beside two baselines.
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
from steelman.threads.analyse import JudgeLike, analyse_threads
from steelman.threads.escalation import EscalationModel
from steelman.threads.features import FEATURE_NAMES
from steelman.threads.fitting import calibrate, cv_aucs, fit_escalation, oof_logits
from steelman.threads.metrics import bootstrap_auc

__all__ = [
    "BASELINES",
    "MODEL_FEATURES",
    "VERSION",
    "load_wikitactics_threads",
    "train_escalation",
]

log = logging.getLogger(__name__)

VERSION = "1.0.0"
# Every thread feature, unselected: with 165 conversations, picking features would overfit the
# choice; strong L2 regularisation (C picked by cross-validation) keeps the weights small.
MODEL_FEATURES: tuple[str, ...] = FEATURE_NAMES
BASELINES = {"attack share alone": "attack_share", "thread length alone": "log_comments"}
C_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


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


def _matrix(
    labelled: Sequence[tuple[Thread, int]], judge: JudgeLike
) -> tuple[np.ndarray, np.ndarray, dict[str, str]]:
    """Features, labels, and the judge's name and version (as the judgements give them)."""
    reports = list(analyse_threads([t for t, _ in labelled], judge, risk=False))
    x = np.array([[r.features[f] for f in MODEL_FEATURES] for r in reports], dtype=np.float64)
    card = next((r.models["judge"] for r in reports if "judge" in r.models), {})
    return x, np.array([label for _, label in labelled], dtype=np.int64), card


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def train_escalation(
    data_dir: str | Path,
    judge: JudgeLike,
    out_dir: str | Path | None = None,
    *,
    resamples: int = 1000,
    cv_repeats: int = 5,
    seed: int = 0,
) -> tuple[EscalationModel, dict[str, Any]]:
    """Fit the escalation model on ``data_dir/wikitactics/train.json``, evaluate on val.json,
    and (when ``out_dir`` is given) write the model directory with its model card.

    Returns the model and its metrics (val AUC with interval, baselines, cross-validated AUC).
    """
    wt = Path(data_dir) / "wikitactics"
    train_path, val_path = wt / "train.json", wt / "val.json"
    for p in (train_path, val_path):
        if not p.exists():
            raise RecordError(
                f"missing; point --data at the folder holding wikitactics/{p.name}", path=str(p)
            )
    x_tr, y_tr, judge_card = _matrix(load_wikitactics_threads(train_path), judge)
    x_va, y_va, _ = _matrix(load_wikitactics_threads(val_path), judge)
    cv = {c: cv_aucs(x_tr, y_tr, MODEL_FEATURES, c, repeats=cv_repeats, seed=seed) for c in C_GRID}
    best_c = max(C_GRID, key=lambda c: (round(float(cv[c].mean()), 4), -c))
    cols = {f: i for i, f in enumerate(MODEL_FEATURES)}
    cv_baselines = {}
    val_scores = {}
    for name, feat in BASELINES.items():
        col = x_tr[:, [cols[feat]]]
        cv_baselines[name] = float(
            cv_aucs(col, y_tr, [feat], 1.0, repeats=cv_repeats, seed=seed).mean()
        )
        base = fit_escalation(col, y_tr, [feat], 1.0)
        val_scores[name] = base.predict_matrix(x_va[:, [cols[feat]]])
    metrics: dict[str, Any] = {
        "train_conversations": len(y_tr),
        "val_conversations": len(y_va),
        "val_escalated": int(y_va.sum()),
        "c": best_c,
        "cv_repeats": cv_repeats,
        "cv_auc_by_c": {str(c): round(float(v.mean()), 4) for c, v in cv.items()},
        "cv_auc": round(float(cv[best_c].mean()), 4),
        "cv_auc_baselines": {k: round(v, 4) for k, v in cv_baselines.items()},
    }
    data = {p.name: _sha256(p) for p in (train_path, val_path)}
    model = fit_escalation(x_tr, y_tr, MODEL_FEATURES, best_c)
    oof = oof_logits(x_tr, y_tr, MODEL_FEATURES, best_c, seed=seed)
    model = calibrate(model, oof, y_tr)
    val_scores = {"escalation model": model.predict_matrix(x_va), **val_scores}
    val = bootstrap_auc(y_va, val_scores, resamples=resamples, seed=seed)
    metrics["val"] = {k: v.to_dict() for k, v in val.items()}
    info = {
        "training_data": data,
        "judge": judge_card,
        # the judged training features: a retrained judge changes them, so compare this to see
        # whether the model still matches the bundled judge
        "features_sha256": hashlib.sha256(np.round(x_tr, 6).tobytes()).hexdigest(),
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
