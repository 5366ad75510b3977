"""The heads refit on the frozen fine-tuned encoder, and ``steelman train --refit-from``.

Fine-tuning weighs the tasks' losses unevenly and sees the rare classes rarely, so some heads are
fitted again, by logistic regression on the interaction layer's inputs (``x``) of the exported
network, exactly as it computes them at run time:

- the level above the attacks (a class-balanced softmax over DH2..DH6) and the six WikiTactics
  acts (class-balanced: macro-F1 weighs every class alike), and the disagreement gate;
- the attributes a Perspective client reads as probabilities (identity attack, threat,
  profanity: :data:`ATTRIBUTE_REFITS`), unweighted so that their scores stay calibrated, each
  with its L2 strength chosen by cross-validation grouped by conversation on the train split.

:func:`refit_model` does only this to a model directory (its encoder unchanged), then measures
the result on the dev splits with both kinds of kernels and writes the card.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from steelman.data.corpus import BINARY_TASKS, Sample, read_corpus
from steelman.judge.card import render_card
from steelman.judge.compat import import_sklearn
from steelman.judge.cues import cue_vector
from steelman.judge.model import write_model_dir
from steelman.judge.network import cpu_flags

__all__ = ["ATTRIBUTE_REFITS", "REFIT_C", "choose_c", "refit_heads", "refit_model"]

log = logging.getLogger(__name__)

REFIT_C = 0.1  # L2 strength of the refit heads (chosen on WikiTactics val between 0.01, 0.1, 1)
_WIKI_ACTS = ("question", "clarification", "compromise", "concession", "context", "coordination")
# Refit unweighted on every train sample that labels them (ToxicSpans' typed spans, CAD's
# identity-directed abuse), their C chosen among ATTRIBUTE_CS by grouped cross-validation
ATTRIBUTE_REFITS = ("identity_attack", "threat", "profanity")
ATTRIBUTE_CS = (0.01, 0.1, 1.0)
_HEAD_KEYS = ("level_w", "level_b", "refit_w", "refit_b", "refit_rows")


def _inputs(judge: Any, samples: Sequence[Sample]) -> np.ndarray:
    """What the interaction layer reads for ``samples`` (``x``), through the exported network."""
    net = judge.model.network
    texts = sorted({t for s in samples for t in (s.text, s.parent) if t})
    pooled = {t: e.pooled for t, e in zip(texts, net.encode(texts), strict=True)}
    zero = np.zeros(net.dim, np.float32)
    reply = np.stack([pooled[s.text] for s in samples])
    parent = np.stack([pooled[s.parent] if s.parent else zero for s in samples])
    cues = np.stack([cue_vector(s.text, s.parent) for s in samples])
    return np.asarray(net.forward(reply, parent, cues).inputs, np.float32)


def choose_c(
    x: np.ndarray,
    y: np.ndarray,
    groups: Sequence[str],
    cs: Sequence[float] = ATTRIBUTE_CS,
    *,
    folds: int = 3,
) -> tuple[float, dict[str, float]]:
    """The L2 strength (of ``cs``) whose unweighted logistic regression ranks ``y`` best, by
    ROC-AUC over ``folds`` folds that keep each group whole; and each C's mean ROC-AUC."""
    sk = import_sklearn("Refitting the judge's heads")
    split = sk.model_selection.GroupKFold(n_splits=folds)
    scores: dict[str, float] = {}
    for c in cs:
        aucs = []
        for fit_rows, test_rows in split.split(x, y, groups):
            if len(set(y[test_rows].tolist())) < 2 or len(set(y[fit_rows].tolist())) < 2:
                continue
            clf = sk.linear_model.LogisticRegression(C=c, max_iter=5000)
            clf.fit(x[fit_rows], y[fit_rows])
            p = clf.decision_function(x[test_rows])
            aucs.append(float(sk.metrics.roc_auc_score(y[test_rows], p)))
        scores[str(c)] = float(np.mean(aucs)) if aucs else float("nan")
    best = max(cs, key=lambda c: -1.0 if np.isnan(scores[str(c)]) else scores[str(c)])
    return float(best), scores


def refit_heads(
    judge: Any, train: Sequence[Sample], *, C: float
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Refit, on the frozen fine-tuned inputs of the interaction layer, the heads whose classes
    are rare (the level above the attacks, the six WikiTactics acts, the disagreement gate:
    class-balanced; on WikiTactics val upper-level macro-F1 0.44 against 0.40 for the same heads
    on the hidden units and about 0.30 for the ordinal head) and the attributes served as
    probabilities (:data:`ATTRIBUTE_REFITS`, unweighted)."""
    LogisticRegression = import_sklearn(
        "Refitting the judge's heads"
    ).linear_model.LogisticRegression

    wiki = [s for s in train if s.domain == "wikitactics"]
    z = _inputs(judge, wiki)
    levels = np.array([s.level if s.level is not None else -1 for s in wiki])
    up = levels >= 2
    present = sorted(set(levels[up].tolist()))
    level_w = np.zeros((5, z.shape[1]), np.float32)
    level_b = np.full(5, -30.0, np.float32)  # a level the data never shows is never predicted
    if len(present) >= 2:
        lv = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(z[up], levels[up])
        coef = lv.coef_ if len(present) > 2 else np.stack([-lv.coef_[0], lv.coef_[0]])
        bias = (
            lv.intercept_ if len(present) > 2 else np.array([-lv.intercept_[0], lv.intercept_[0]])
        )
        for k, cls in enumerate(present):
            level_w[cls - 2] = coef[k]
            level_b[cls - 2] = bias[k]
    act_w: list[np.ndarray] = []
    act_b: list[float] = []
    rows: list[int] = []

    def fit(task: str, x: np.ndarray, y: np.ndarray, c: float, weight: str | None) -> bool:
        if len(set(y.tolist())) < 2:  # no example either way: the task keeps its tuned head
            return False
        clf = LogisticRegression(C=c, class_weight=weight, max_iter=5000).fit(x, y)
        act_w.append(clf.coef_[0])
        act_b.append(clf.intercept_[0])
        rows.append(list(BINARY_TASKS).index(task))
        return True

    for act in _WIKI_ACTS:
        fit(act, z, np.array([s.labels[act] for s in wiki]), C, "balanced")
    pairs = [s for s in train if "disagreement" in s.labels]
    y_pairs = np.array([s.labels["disagreement"] for s in pairs])
    fit("disagreement", _inputs(judge, pairs), y_pairs, C, "balanced")
    labelled = [s for s in train if any(t in s.labels for t in ATTRIBUTE_REFITS)]
    z_attr = _inputs(judge, labelled) if labelled else np.zeros((0, z.shape[1]), np.float32)
    attributes: dict[str, Any] = {}
    for task in ATTRIBUTE_REFITS:
        keep = [i for i, s in enumerate(labelled) if task in s.labels]
        y = np.array([labelled[i].labels[task] for i in keep])
        if len(keep) < 30 or y.sum() < 10 or y.sum() > len(y) - 10:
            continue  # too few to choose a penalty on: the task keeps its fine-tuned head
        groups = [f"{labelled[i].domain}:{labelled[i].group}" for i in keep]
        c, by_c = choose_c(z_attr[keep], y, groups)
        if fit(task, z_attr[keep], y, c, None):
            attributes[task] = {
                "C": c,
                "grouped_cv_roc_auc": by_c,
                "samples": len(keep),
                "positives": int(y.sum()),
            }
    arrays: dict[str, np.ndarray] = {"level_w": level_w, "level_b": level_b}
    if rows:
        arrays["refit_w"] = np.stack(act_w).astype(np.float32)
        arrays["refit_b"] = np.asarray(act_b, np.float32)
        arrays["refit_rows"] = np.asarray(rows, np.float32)
    info = {
        "C": C,
        "samples": len(wiki),
        "upper_level_samples": int(up.sum()),
        "upper_levels_seen": [f"DH{c}" for c in present],
        "tasks_refit": [BINARY_TASKS[r] for r in rows],
        "disagreement_samples": len(pairs),
        "attributes": attributes,
    }
    return arrays, info


def measure(
    out: Path, samples: Sequence[Sample], textbook_path: str | Path | None, *, both: bool
) -> dict[str, Any]:
    """The model in ``out`` judged on the dev splits as users run it: the figures for the kernels
    this CPU picks and, with ``both``, for the other kind too (``by_kernels``)."""
    from steelman.judge.evaluate import evaluate, textbook
    from steelman.judge.judge import Judge
    from steelman.judge.train import dev_samples

    dev = dev_samples(samples)
    judge = Judge.load(out)
    kernels = judge.model.network.kernels
    metrics: dict[str, Any] = {"dev": evaluate(judge, dev), "kernels": kernels}
    metrics["measured_on"] = {kernels: cpu_flags()[0]}
    if textbook_path is not None:
        metrics["textbook"] = textbook(judge, textbook_path)
    other = "float" if kernels == "int8" else "int8"
    if both:
        judge = Judge.load(out, kernels=other)
        if judge.model.network.kernels == other:
            figs: dict[str, Any] = {"dev": evaluate(judge, dev)}
            if textbook_path is not None:
                figs["textbook"] = textbook(judge, textbook_path)
            metrics["by_kernels"] = {other: figs}
            metrics["measured_on"][other] = cpu_flags()[0]
    return metrics


def refit_model(
    model_dir: str | Path,
    data_dir: str | Path,
    out: str | Path,
    *,
    version: str,
    textbook_path: str | Path | None = None,
    notes: Sequence[str] = (),
    domains: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Refit the heads of the model in ``model_dir`` (its encoder and fine-tuned heads kept) on
    the train splits of ``data_dir``, measure it, and write it to ``out`` as ``version``. The
    card keeps the model's notes, with ``notes`` added. Returns the metrics."""
    from steelman.judge.judge import Judge

    source = Path(model_dir)
    old = json.loads((source / "config.json").read_text(encoding="utf-8"))
    samples = read_corpus(data_dir, domains)
    train = [s for s in samples if s.split == "train"]
    with np.load(source / "heads.npz") as z:
        heads = {k: z[k] for k in z.files if k not in _HEAD_KEYS}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".judge-build-", dir=out.parent) as tmp:
        work = Path(tmp)
        for name in ("encoder.onnx", "tokenizer.json"):
            shutil.copyfile(source / name, work / name)
        refit, info = refit_heads(Judge.load(source), train, C=REFIT_C)
        np.savez(work / "heads.npz", **heads, **refit)  # type: ignore[arg-type]
        config = {k: v for k, v in old.items() if k not in ("files", "format", "metrics")}
        config["version"] = version
        config["training"] = {
            **old["training"],
            "refit": info,
            "refit_from": f"{old['name']} {old['version']}",
        }
        sources = {n: work / n for n in ("encoder.onnx", "heads.npz", "tokenizer.json")}
        write_model_dir(out, sources, config, "(measuring)\n")
        metrics = measure(out, samples, textbook_path, both=True)
        metrics["notes"] = [*old.get("metrics", {}).get("notes", []), *notes]
        config["metrics"] = metrics
        write_model_dir(out, sources, config, render_card(config))
    log.info("model written to %s", out)
    return metrics
