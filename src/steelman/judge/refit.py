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
from steelman.judge.cues import CUE_NAMES, cue_vector
from steelman.judge.decide import DEFAULT_THRESHOLDS, softmax
from steelman.judge.model import write_model_dir
from steelman.judge.network import cpu_flags
from steelman.judge.pair import Lexicon, PairHead, contrast_pairs, fit_pair_head, tilted

__all__ = [
    "ATTRIBUTE_REFITS",
    "READ_TOKENS",
    "REFIT_C",
    "choose_c",
    "fit_tilt",
    "initial_heads",
    "refit_heads",
    "refit_model",
]

log = logging.getLogger(__name__)

READ_TOKENS = 256  # tokens per window the judge reads (Judge 2 read the first 128 only)
REFIT_C = 0.1  # L2 strength of the refit heads (chosen on WikiTactics val between 0.01, 0.1, 1)
_WIKI_ACTS = ("question", "clarification", "compromise", "concession", "context", "coordination")
# Refit unweighted on every train sample that labels them (ToxicSpans' typed spans, CAD's
# identity-directed abuse), their C chosen among ATTRIBUTE_CS by grouped cross-validation
ATTRIBUTE_REFITS = ("identity_attack", "threat", "profanity")
ATTRIBUTE_CS = (0.01, 0.1, 1.0)
# the disagreement gate's L2 strengths, chosen by grouped cross-validation (mean ROC-AUC within
# each set that labels both answers)
GATE_CS = (0.01, 0.1, 1.0)
# replies written for Judge 3 before it was built, never looked at while choosing: a check
CHECK_SET = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "textbook_check.json"
# the tilt strengths tried (:func:`fit_tilt`)
TILTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
_HEAD_KEYS = (
    "level_w",
    "level_b",
    "refit_w",
    "refit_b",
    "refit_rows",
    "pair_proj",
    "level_tilt",
    "pair_w",
    "pair_b",
    "lex_words",
    "lex_idf",
    "upper_w",  # Judge 2 directories still carry the ordinal head: dropped on refit
    "upper_b",
    "cuts",
)


def _read(judge: Any, texts: Sequence[str], cache: dict[str, Any]) -> None:
    """Encode each of ``texts`` not in ``cache`` (token states dropped) into it."""
    missing = sorted({t for t in texts if t and t not in cache})
    net = judge.model.network
    for start in range(0, len(missing), 2048):
        part = missing[start : start + 2048]
        for t, e in zip(part, net.encode(part, tokens_for=0), strict=True):
            cache[t] = e


def _inputs(judge: Any, samples: Sequence[Sample], cache: dict[str, Any]) -> np.ndarray:
    """What the refit heads read for ``samples`` (``x``), through the exported network exactly
    as the judge computes it at run time (the parent's window, the pair head's logit)."""
    from steelman.judge.judge import _parent_vector

    net = judge.model.network
    _read(judge, [t for s in samples for t in (s.text, s.parent) if t], cache)
    zero = np.zeros(net.dim, np.float32)
    reply = np.stack([cache[s.text].pooled for s in samples])
    parent = np.stack(
        [_parent_vector(s.text, s.parent, cache[s.parent]) if s.parent else zero for s in samples]
    )
    cues = np.stack([cue_vector(s.text, s.parent) for s in samples])
    answers = net.answers(reply, parent, [(s.text, s.parent) for s in samples])
    return np.asarray(net.forward(reply, parent, cues, answers).inputs, np.float32)


def choose_c(
    x: np.ndarray,
    y: np.ndarray,
    groups: Sequence[str],
    cs: Sequence[float] = ATTRIBUTE_CS,
    *,
    folds: int = 3,
    weight: str | None = None,
    domains: Sequence[str] | None = None,
    sample_weight: np.ndarray | None = None,
) -> tuple[float, dict[str, float]]:
    """The L2 strength (of ``cs``) whose logistic regression (``weight``: its class weights)
    ranks ``y`` best, by ROC-AUC over ``folds`` folds that keep each group whole; and each C's
    mean ROC-AUC. With ``domains``, the ROC-AUC is taken within each domain that has both
    classes in the fold and averaged (a set with one class only cannot win by being told apart
    from the others)."""
    sk = import_sklearn("Refitting the judge's heads")
    split = sk.model_selection.GroupKFold(n_splits=folds)
    dom = np.asarray(domains if domains is not None else ["all"] * len(y))
    scores: dict[str, float] = {}
    for c in cs:
        aucs = []
        for fit_rows, test_rows in split.split(x, y, groups):
            if len(set(y[test_rows].tolist())) < 2 or len(set(y[fit_rows].tolist())) < 2:
                continue
            clf = sk.linear_model.LogisticRegression(C=c, class_weight=weight, max_iter=5000)
            sw = None if sample_weight is None else sample_weight[fit_rows]
            clf.fit(x[fit_rows], y[fit_rows], sample_weight=sw)
            p = clf.decision_function(x[test_rows])
            for d in sorted(set(dom[test_rows].tolist())):
                m = dom[test_rows] == d
                if len(set(y[test_rows][m].tolist())) == 2:
                    aucs.append(float(sk.metrics.roc_auc_score(y[test_rows][m], p[m])))
        scores[str(c)] = float(np.mean(aucs)) if aucs else float("nan")
    best = max(cs, key=lambda c: -1.0 if np.isnan(scores[str(c)]) else scores[str(c)])
    return float(best), scores


def domain_balanced(domains: Sequence[str], y: np.ndarray) -> np.ndarray:
    """Sample weights under which every domain weighs the same, and within a domain that has
    both answers each answer weighs half (the disagreement gate: the pair sets, whose counters
    all disagree, would otherwise outnumber and tilt the sets that label both ways). Mean 1."""
    dom = np.asarray(domains)
    w = np.zeros(len(y), np.float64)
    for d in set(dom.tolist()):
        m = dom == d
        classes = sorted(set(y[m].tolist()))
        for c in classes:
            mc = m & (y == c)
            w[mc] = 1.0 / (len(classes) * mc.sum())
    return np.asarray(w * len(y) / w.sum(), np.float64)


def initial_heads(dim: int) -> dict[str, np.ndarray]:
    """The refit heads before fitting (a model directory is complete with them, so that the
    network computes its inputs): no level preferred, the identity projection, no words."""
    width = 3 * dim + len(CUE_NAMES) + 1
    return {
        "level_w": np.zeros((5, width), np.float32),
        "level_b": np.zeros(5, np.float32),
        "level_tilt": np.zeros(2, np.float32),
        **PairHead(
            np.eye(dim, dtype=np.float32), Lexicon({}), np.zeros(2, np.float32), 0.0
        ).arrays(),
    }


def _softmax_head(
    x: np.ndarray, levels: np.ndarray, weight: np.ndarray, C: float
) -> tuple[np.ndarray, np.ndarray]:
    """A class-balanced softmax over the levels DH2..DH6 present in ``levels``, as ``(5, d)``
    weights and ``(5,)`` biases (a level the data never shows is never predicted)."""
    LogisticRegression = import_sklearn().linear_model.LogisticRegression
    present = sorted(set(levels.tolist()))
    w = np.zeros((5, x.shape[1]), np.float32)
    b = np.full(5, -30.0, np.float32)
    if len(present) < 2:
        return w, b
    counts = {c: float(weight[levels == c].sum()) for c in present}
    balance = np.asarray(
        [weight[i] * len(levels) / (len(present) * counts[c]) for i, c in enumerate(levels)]
    )
    lv = LogisticRegression(C=C, max_iter=3000).fit(x, levels, sample_weight=balance)
    coef = lv.coef_ if len(present) > 2 else np.stack([-lv.coef_[0], lv.coef_[0]])
    bias = lv.intercept_ if len(present) > 2 else np.array([-lv.intercept_[0], lv.intercept_[0]])
    for k, cls in enumerate(present):
        w[cls - 2] = coef[k]
        b[cls - 2] = bias[k]
    return w, b


def _oof_upper(x: np.ndarray, levels: np.ndarray, groups: Sequence[str], C: float) -> np.ndarray:
    """Out-of-fold P(DH2..DH6) of the level head, 3 folds grouped by conversation."""
    sk = import_sklearn()
    prob = np.zeros((len(levels), 5))
    split = sk.model_selection.GroupKFold(n_splits=min(3, len(set(groups))))
    for fit_rows, test_rows in split.split(x, levels, groups):
        w, b = _softmax_head(x[fit_rows], levels[fit_rows], np.ones(len(fit_rows)), C)
        prob[test_rows] = softmax(x[test_rows] @ w.T + b)
    return prob


def fit_tilt(
    z_wiki: np.ndarray,
    levels: np.ndarray,
    groups: Sequence[str],
    z_pairs: np.ndarray,
    own: np.ndarray,
    oof_answers: np.ndarray,
    C: float,
) -> tuple[np.ndarray, dict[str, Any]]:
    """The level head's tilt by the pair head (:func:`tilted`), its strength chosen by
    cross-validation grouped by conversation: the strength (of :data:`TILTS`) whose out-of-fold
    P(DH5)+P(DH6) ranks ArguAna's own counters above another point's best, among those that
    keep WikiTactics' out-of-fold upper-level macro-F1 within 0.01 of no tilt.

    WikiTactics has no pairs that say whether a reply answers its parent, and training the level
    head on the ArguAna pairs (own counter DH5, another point's DH4) cost WikiTactics 0.06-0.10
    of out-of-fold upper-level macro-F1 at every weight tried (0.1, 0.3, 1): so the head is
    fitted on WikiTactics alone and the pairs set only the tilt."""
    sk = import_sklearn()
    f1 = sk.metrics.f1_score
    c = float(np.median(z_wiki[:, -1])) if len(z_wiki) else 0.0
    oof = _oof_upper(z_wiki, levels, groups, C)
    pairs_up = np.zeros((0, 5))
    if len(z_pairs) and len(set(own.tolist())) == 2:
        w, b = _softmax_head(z_wiki, levels, np.ones(len(levels)), C)
        pairs_up = softmax(z_pairs @ w.T + b)
    by_beta: dict[str, dict[str, float]] = {}
    for beta in TILTS:
        tilt = np.asarray([beta, c], np.float32)
        pred = tilted(oof, z_wiki[:, -1], tilt).argmax(axis=1) + 2
        figs = {
            "wikitactics_upper_macro_f1_oof": round(float(f1(levels, pred, average="macro")), 4)
        }
        if len(pairs_up):
            top = tilted(pairs_up, oof_answers, tilt)[:, 3:].sum(axis=1)
            figs["arguana_dh56_roc_auc_oof"] = round(float(sk.metrics.roc_auc_score(own, top)), 4)
        by_beta[str(beta)] = figs
    floor = by_beta[str(TILTS[0])]["wikitactics_upper_macro_f1_oof"] - 0.01
    fine = [b for b in TILTS if by_beta[str(b)]["wikitactics_upper_macro_f1_oof"] >= floor]
    best = max(fine, key=lambda b: by_beta[str(b)].get("arguana_dh56_roc_auc_oof", 0.0))
    return np.asarray([best, c], np.float32), {"beta": best, "c": round(c, 4), "by_beta": by_beta}


def refit_heads(
    judge: Any, train: Sequence[Sample], *, C: float
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Refit, on the frozen encoder, the pair head (:mod:`steelman.judge.pair`), then on the
    inputs ``x`` the heads whose classes are rare (the level above the attacks, trained on
    WikiTactics and the ArguAna pairs, the six WikiTactics acts, the disagreement gate:
    class-balanced) and the attributes served as probabilities (:data:`ATTRIBUTE_REFITS`,
    unweighted). Choices are made by cross-validation grouped by conversation."""
    LogisticRegression = import_sklearn(
        "Refitting the judge's heads"
    ).linear_model.LogisticRegression
    net = judge.model.network
    cache: dict[str, Any] = {}
    pairs = contrast_pairs(train)
    _read(judge, [t for s in pairs for t in (s.text, s.parent) if t], cache)
    lexicon = Lexicon.fit(sorted({t for s in train for t in (s.text, s.parent) if t}))
    net.pair, pair_info, pair_oof = fit_pair_head(
        {t: e.pooled for t, e in cache.items()}, pairs, lexicon
    )
    log.info("pair head: %s", pair_info)

    wiki = [s for s in train if s.domain == "wikitactics"]
    z = _inputs(judge, wiki, cache)
    lv = np.array([s.level if s.level is not None else -1 for s in wiki])
    up = lv >= 2
    groups = [s.group for s, u in zip(wiki, up, strict=True) if u]
    level_w, level_b = _softmax_head(z[up], lv[up], np.ones(int(up.sum())), C)
    present = sorted(set(lv[up].tolist()))
    arguana = [s for s in train if s.domain == "arguana" and (s.text, s.parent or "") in pair_oof]
    tilt, tilt_info = fit_tilt(
        z[up],
        lv[up],
        groups,
        _inputs(judge, arguana, cache) if arguana else np.zeros((0, z.shape[1]), np.float32),
        np.asarray([s.labels["answers"] for s in arguana]),
        np.asarray([pair_oof[(s.text, s.parent or "")] for s in arguana]),
        C,
    )
    log.info("level tilt: %s", tilt_info)
    act_w: list[np.ndarray] = []
    act_b: list[float] = []
    rows: list[int] = []

    def fit(
        task: str,
        x: np.ndarray,
        y: np.ndarray,
        c: float,
        weight: str | None,
        sample_weight: np.ndarray | None = None,
    ) -> bool:
        if len(set(y.tolist())) < 2:  # no example either way: the task keeps its tuned head
            return False
        clf = LogisticRegression(C=c, class_weight=weight, max_iter=5000)
        clf.fit(x, y, sample_weight=sample_weight)
        act_w.append(clf.coef_[0])
        act_b.append(clf.intercept_[0])
        rows.append(list(BINARY_TASKS).index(task))
        return True

    for act in _WIKI_ACTS:
        fit(act, z, np.array([s.labels[act] for s in wiki]), C, "balanced")
    disagreeing = [s for s in train if "disagreement" in s.labels]
    y_pairs = np.array([s.labels["disagreement"] for s in disagreeing])
    z_pairs = _inputs(judge, disagreeing, cache)
    gate_domains = [s.domain for s in disagreeing]
    gate_weight = domain_balanced(gate_domains, y_pairs)
    gate_c, gate_cv = choose_c(
        z_pairs,
        y_pairs,
        [f"{s.domain}:{s.group}" for s in disagreeing],
        GATE_CS,
        domains=gate_domains,
        sample_weight=gate_weight,
    )
    log.info("disagreement gate: C %s, %s", gate_c, gate_cv)
    fit("disagreement", z_pairs, y_pairs, gate_c, None, gate_weight)
    labelled = [s for s in train if any(t in s.labels for t in ATTRIBUTE_REFITS)]
    z_attr = _inputs(judge, labelled, cache) if labelled else np.zeros((0, z.shape[1]), np.float32)
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
    arrays: dict[str, np.ndarray] = {
        "level_w": level_w,
        "level_b": level_b,
        "level_tilt": tilt,
        **net.pair.arrays(),
    }
    if rows:
        arrays["refit_w"] = np.stack(act_w).astype(np.float32)
        arrays["refit_b"] = np.asarray(act_b, np.float32)
        arrays["refit_rows"] = np.asarray(rows, np.float32)
    info = {
        "C": C,
        "samples": len(wiki),
        "upper_level_samples": int(up.sum()),
        "upper_levels_seen": [f"DH{c}" for c in present],
        "pair_head": pair_info,
        "level_tilt": tilt_info,
        "tasks_refit": [BINARY_TASKS[r] for r in rows],
        "disagreement_samples": len(disagreeing),
        "disagreement_C": gate_c,
        "disagreement_grouped_cv_roc_auc": gate_cv,
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

    def textbooks(judge: Judge) -> dict[str, Any]:
        if textbook_path is None:
            return {}
        figs = {"textbook": textbook(judge, textbook_path)}
        if CHECK_SET.is_file():
            figs["textbook_check"] = textbook(judge, CHECK_SET)
        return figs

    metrics: dict[str, Any] = {"dev": evaluate(judge, dev), "kernels": kernels}
    metrics["measured_on"] = {kernels: cpu_flags()[0]}
    metrics.update(textbooks(judge))
    other = "float" if kernels == "int8" else "int8"
    if both:
        judge = Judge.load(out, kernels=other)
        if judge.model.network.kernels == other:
            metrics["by_kernels"] = {other: {"dev": evaluate(judge, dev), **textbooks(judge)}}
            metrics["measured_on"][other] = cpu_flags()[0]
    return metrics


def calibrate_model(out: Path, config: dict[str, Any], samples: Sequence[Sample]) -> dict[str, Any]:
    """Fit the calibration of the model in ``out`` on the dev splits (:mod:`.calibrate`), move
    the thresholds with it, and write it into ``config`` (not yet to disk). Returns the
    cross-fitted figures."""
    from steelman.judge.calibrate import fit_calibration, moved_thresholds
    from steelman.judge.judge import Judge
    from steelman.judge.train import dev_samples

    judge = Judge.load(out)
    calibration, figures = fit_calibration(judge, dev_samples(samples))
    config["calibration"] = calibration
    config["thresholds"] = moved_thresholds(
        DEFAULT_THRESHOLDS, judge.model.acts, calibration["platt"]
    )
    return figures


def refit_model(
    model_dir: str | Path,
    data_dir: str | Path,
    out: str | Path,
    *,
    version: str,
    textbook_path: str | Path | None = None,
    notes: Sequence[str] = (),
    domains: tuple[str, ...] | None = None,
    max_tokens: int = READ_TOKENS,
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
        dim = int(heads["span_w"].shape[0])
        np.savez(work / "heads.npz", **heads, **initial_heads(dim))  # type: ignore[arg-type]
        config = {
            k: v for k, v in old.items() if k not in ("files", "format", "metrics", "calibration")
        }
        config["thresholds"] = dict(DEFAULT_THRESHOLDS)
        config["version"] = version
        config["max_tokens"] = max_tokens
        sources = {n: work / n for n in ("encoder.onnx", "heads.npz", "tokenizer.json")}
        write_model_dir(out, sources, config, "(refitting)\n")
        refit, info = refit_heads(Judge.load(out), train, C=REFIT_C)
        np.savez(work / "heads.npz", **heads, **refit)  # type: ignore[arg-type]
        config["training"] = {
            **old["training"],
            "refit": info,
            "refit_from": f"{old['name']} {old['version']}",
        }
        write_model_dir(out, sources, config, "(calibrating)\n")
        calibration = calibrate_model(out, config, samples)
        write_model_dir(out, sources, config, "(measuring)\n")
        metrics = measure(out, samples, textbook_path, both=True)
        metrics["calibration"] = calibration
        metrics["notes"] = [*old.get("metrics", {}).get("notes", []), *notes]
        config["metrics"] = metrics
        write_model_dir(out, sources, config, render_card(config))
    log.info("model written to %s", out)
    return metrics
