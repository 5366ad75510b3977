"""The Perspective attributes Steelman answers: how each is read off a judgement, what it means,
how it differs from Google's attribute of the same name, and which measured figure backs it.

One table (:data:`CATALOGUE`) decides all of it; the drop-in (:mod:`steelman.server.perspective`),
the feedback export and the /docs page read it. The figures themselves are never written here:
they are the model's own dev-split measurements (``metrics.dev`` in its ``config.json``), read at
run time by :func:`figures`. An attribute is served only when the model carries the figure it
cites and that figure clears its floor (:func:`supported`): an experimental ("bridging") one
ROC-AUC :data:`AUC_FLOOR` (F1 :data:`F1_FLOOR`) in every community measured; one of
Perspective's production attributes and the attacks ROC-AUC :data:`AUC_FLOOR` in every community
and :data:`PRODUCTION_MEAN_FLOOR` on average over them. Steelman's own STEELMAN_* attributes are
always served, their figures shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from steelman.judge.result import Judgement
from steelman.levels import LEVELS

__all__ = [
    "AUC_FLOOR",
    "CATALOGUE",
    "F1_FLOOR",
    "PRODUCTION_MEAN_FLOOR",
    "PRODUCTION_MIN_COMMUNITIES",
    "Attribute",
    "Figure",
    "by_name",
    "describe",
    "figures",
    "lowest",
    "mean",
    "model_metrics",
    "severe_toxicity",
    "span_figures",
    "supported",
    "unserved",
]

_TOXIC_HEADS = ("insult", "identity_attack", "threat")


def severe_toxicity(attributes: Mapping[str, float]) -> float:
    """``toxicity x max(insult, identity_attack, threat)``: high only when the comment is toxic
    *and* one of the heads for the grave kinds (an insult, an attack on a group, a threat) fires.
    Non-decreasing in every head and never above ``toxicity``; profanity alone does not raise it."""
    tox = attributes.get("toxicity", 0.0)
    return tox * max(attributes.get(h, 0.0) for h in _TOXIC_HEADS)


@dataclass(frozen=True)
class Figure:
    """One measured figure in the model's ``metrics.dev``: ``path`` walks it (``("roc_auc",
    "toxicity")`` gives a ``{domain: {"roc_auc", "n", "positives"}}`` table)."""

    path: tuple[str, ...]
    what: str  # how the figure reads ("ROC-AUC", "F1 of the decided act")
    floor: float = 0.0  # a gated attribute is served only at or over this, everywhere
    mean_floor: float = 0.0  # ... and at or over this on average over the communities
    communities: int = 1  # ... measured in at least this many communities


@dataclass(frozen=True)
class Attribute:
    name: str
    meaning: str  # what the score is, here
    derived: str  # how it is computed from the judgement
    google: str  # how it differs from Google's definition
    needs: tuple[str, ...]  # keys of Judgement.attributes it reads (empty: the core heads)
    score: Callable[[Judgement], float]
    # the comment has it when any part of it has it (an insult, a threat): a long comment
    # scores as its most marked part (steelman.judge.parts)
    anywhere: bool
    figure: Figure | None = None
    experimental: bool = False  # a bridging attribute (Perspective's *_EXPERIMENTAL)
    gated: bool = False  # served only when the model carries ``figure`` and it clears its floor
    task: str | None = None  # the training label it corrects (steelman export-feedback)


def _head(name: str) -> Callable[[Judgement], float]:
    return lambda j: j.attributes.get(name, 0.0)


# What an experimental attribute must reach in every community measured before it is served
# (a production attribute under it is served, and marked weak on /docs).
AUC_FLOOR = 0.70
F1_FLOOR = 0.50
# What a production attribute must reach on average over the communities measured, as well as
# AUC_FLOOR in each: TOXICITY (0.774 CAD, 0.860 Ruddit, 0.843 ToxiChat) and INSULT (0.914 Kaggle
# insults, 0.710 among ToxicSpans' toxic posts) clear it for judge 2.1.0; IDENTITY_ATTACK (0.788
# CAD, 0.738 ToxicSpans) does not, and THREAT (0.809) and PROFANITY (0.851) are measured in one
# community only.
PRODUCTION_MEAN_FLOOR = 0.80
# ... and in at least this many communities: a figure from one set (THREAT and PROFANITY are
# measured only among ToxicSpans' toxic news comments) cannot show that the head holds up
# elsewhere, nor that its scores read as probabilities on ordinary comments.
PRODUCTION_MIN_COMMUNITIES = 2


def _roc(head: str, floor: float = AUC_FLOOR, mean_floor: float = 0.0) -> Figure:
    return Figure(("roc_auc", head), "ROC-AUC", floor, mean_floor)


def _production(head: str, what: str = "ROC-AUC") -> Figure:
    return Figure(
        ("roc_auc", head), what, AUC_FLOOR, PRODUCTION_MEAN_FLOOR, PRODUCTION_MIN_COMMUNITIES
    )


def _level_score(j: Judgement) -> float:
    return sum(lv.rank * j.scores.get(lv.code, 0.0) for lv in LEVELS) / 6


def _at_level(code: str) -> Callable[[Judgement], float]:
    return lambda j: j.disagreement * j.scores.get(code, 0.0)


_ATTACK_DERIVED = (
    "The judge's attack head: the probability that the reply attacks the person it answers"
    " (DH0 name-calling or DH1 ad hominem) rather than their argument."
)
_ATTACK_GOOGLE = (
    "Google trained separate ATTACK_ON_AUTHOR and ATTACK_ON_COMMENTER models on New York Times"
    " comments labelled for who is attacked. Steelman has one attack head, read against a"
    " different parent for each: it cannot tell an attack on the author from one on a third"
    " party or a public figure, and with zero or one context entries the two scores are equal."
)

CATALOGUE: tuple[Attribute, ...] = (
    Attribute(
        "TOXICITY",
        "Probability that the comment is abusive or offensive, as the raters of the training"
        " sets labelled it.",
        "The judge's toxicity head, trained on every labelled set that marks abuse or"
        " offensiveness (CAD's person-, identity- and affiliation-directed abuse, ToxiChat's"
        " offensive turns, Ruddit offensiveness above 0.25, and the ToxicSpans posts).",
        "Google's TOXICITY is 'a rude, disrespectful, or unreasonable comment that is likely to"
        " make people leave a discussion', trained on millions of rated comments in many"
        " languages. Steelman's is English only and learnt from Reddit, news and Wikipedia"
        " comments labelled for abuse; it does not score 'unreasonable' comments that are not"
        " abusive.",
        ("toxicity",),
        _head("toxicity"),
        True,
        _production("toxicity"),
        gated=True,
        task="toxicity",
    ),
    Attribute(
        "SEVERE_TOXICITY",
        "Probability that the comment is toxic in a grave way: an insult, an attack on a group"
        " or a threat, not merely coarse.",
        "toxicity x max(insult, identity_attack, threat): the toxicity head times the strongest"
        " of the heads for the grave kinds. It is never above TOXICITY, rises with each head,"
        " and profanity alone does not raise it.",
        "Google trained SEVERE_TOXICITY on its own ratings of 'very hateful, aggressive,"
        " disrespectful' comments. The data here has no severity ratings, so Steelman's is a"
        " fixed function of measured heads, not a trained or separately measured score; its"
        " components' figures are those of TOXICITY, INSULT, IDENTITY_ATTACK and THREAT.",
        ("toxicity", *_TOXIC_HEADS),
        lambda j: severe_toxicity(j.attributes),
        True,
        # never above TOXICITY and rising with it: served on the toxicity head's figure
        _production("toxicity", "ROC-AUC of the toxicity head it scales"),
        gated=True,
    ),
    Attribute(
        "IDENTITY_ATTACK",
        "Probability that the comment attacks or demeans people for who they are (a religion,"
        " ethnicity, gender, sexuality, nationality...).",
        "The judge's identity-attack head, trained on CAD's identity-directed abuse and the"
        " ToxicSpans posts whose raters marked an identity attack.",
        "Close to Google's definition; Google's covers more languages and was trained on far"
        " more data.",
        ("identity_attack",),
        _head("identity_attack"),
        True,
        _production("identity_attack"),
        gated=True,
        task="identity_attack",
    ),
    Attribute(
        "INSULT",
        "Probability that the comment insults someone: name-calling, belittling.",
        "The judge's insult head, trained on the Kaggle insults set (insults to a participant)"
        " and the ToxicSpans posts whose raters marked an insult.",
        "Google's INSULT is 'insulting, inflammatory, or negative comment towards a person or a"
        " group'. Steelman's learnt mostly insults aimed at a participant in the conversation.",
        ("insult",),
        _head("insult"),
        True,
        _production("insult"),
        gated=True,
        task="insult",
    ),
    Attribute(
        "PROFANITY",
        "Probability that the comment swears or uses obscene language.",
        "The judge's profanity head, trained on the ToxicSpans posts whose raters marked"
        " profane words.",
        "Same idea as Google's. The only profanity labels here come from posts already rated"
        " toxic, so its figure says how well it picks out the profane ones among toxic posts, not"
        " how it does on everyday swearing in friendly comments.",
        ("profanity",),
        _head("profanity"),
        True,
        _production("profanity"),
        gated=True,
        task="profanity",
    ),
    Attribute(
        "THREAT",
        "Probability that the comment threatens or wishes violence or harm on someone.",
        "The judge's threat head, trained on the ToxicSpans posts whose raters marked a threat.",
        "Same idea as Google's. Its labels come only from posts already rated toxic (few are"
        " threats), so its figure is measured among toxic posts.",
        ("threat",),
        _head("threat"),
        True,
        _production("threat"),
        gated=True,
        task="threat",
    ),
    Attribute(
        "ATTACK_ON_COMMENTER",
        "Probability that the reply attacks a fellow commenter (the comment it answers) rather"
        " than their argument.",
        _ATTACK_DERIVED + " Judged with the last context entry (the comment replied to) as the"
        " parent.",
        _ATTACK_GOOGLE,
        (),
        lambda j: j.attack,
        True,
        _production("attack"),
        gated=True,
        task="attack",
    ),
    Attribute(
        "ATTACK_ON_AUTHOR",
        "Probability that the comment attacks the author of the article or post rather than"
        " what they wrote.",
        _ATTACK_DERIVED + " Judged with the first context entry (the article or post) as the"
        " parent.",
        _ATTACK_GOOGLE,
        (),
        lambda j: j.attack,
        True,
        _production("attack"),
        gated=True,
    ),
    Attribute(
        "REASONING_EXPERIMENTAL",
        "Probability that the comment gives reasons for its position: an argument, not a bare"
        " stance.",
        "The judge's reasons head, trained on IBM-ArgQ arguments: high rated quality (0.8 and"
        " over) against low (0.45 and under).",
        "Google's bridging attribute is 'specific arguments... with reasoning or evidence'."
        " Steelman's was learnt from crowd-rated argument quality on debate topics, and a"
        " well-written reason counts more than evidence as such.",
        ("reasons",),
        _head("reasons"),
        False,
        _roc("reasons", AUC_FLOOR),
        experimental=True,
        gated=True,
        task="reasons",
    ),
    Attribute(
        "CURIOSITY_EXPERIMENTAL",
        "Probability that the reply asks a question to understand the other person.",
        "The judge's question act (WikiTactics' 'asking questions').",
        "Google's covers any 'attempt to clarify or ask follow-up questions to better understand"
        " another person or idea'. Steelman's is the question act alone, learnt from Wikipedia"
        " talk pages; its figure is the F1 of the decided act, not a ROC-AUC.",
        (),
        lambda j: j.acts.get("question", 0.0),
        False,
        Figure(("acts", "per_act_f1", "question"), "F1 of the decided act", F1_FLOOR),
        experimental=True,
        gated=True,
        task="question",
    ),
    Attribute(
        "RESPECT_EXPERIMENTAL",
        "Probability that the reply does not attack the person it answers (1 - attack).",
        "1 minus the attack head (so its ROC-AUC for 'not an attack' is the attack head's).",
        "Google's RESPECT is 'showing deference or appreciation to others'. Steelman's only"
        " measures the absence of a personal attack: a curt, neutral reply scores high.",
        (),
        lambda j: 1.0 - j.attack,
        False,
        _roc("attack", AUC_FLOOR),
        experimental=True,
        gated=True,
    ),
    Attribute(
        "STEELMAN_DISAGREEMENT",
        "Probability that the reply disagrees at all (rather than asks, clarifies, concedes,"
        " coordinates...).",
        "The judge's disagreement head.",
        "Steelman's own attribute; Google has none.",
        (),
        lambda j: j.disagreement,
        False,
        _roc("disagreement"),
        task="disagreement",
    ),
    Attribute(
        "STEELMAN_LEVEL",
        "Where on the hierarchy the reply sits, as a number from 0 (DH0) to 1 (DH6): the"
        " expected level divided by 6. A score, not a probability, though typed PROBABILITY"
        " for compatibility.",
        "The expected level under the judge's level probabilities, divided by 6.",
        "Steelman's own attribute; Google has none.",
        (),
        _level_score,
        False,
        None,
    ),
    *(
        Attribute(
            f"STEELMAN_{lv.code}",
            f"Probability that the reply is a disagreement at {lv.label} ({lv.definition}).",
            f"P(disagreement) x P({lv.code} | disagreement).",
            "Steelman's own attribute; Google has none.",
            (),
            _at_level(lv.code),
            False,
            None,
        )
        for lv in LEVELS
    ),
)

_BY_NAME = {a.name: a for a in CATALOGUE}


def by_name(name: str) -> Attribute | None:
    return _BY_NAME.get(name)


def model_metrics(judge: object) -> dict[str, Any]:
    """The measured figures of the judge's model (``config.json``'s ``metrics``), or ``{}``."""
    metrics = getattr(getattr(judge, "model", None), "metrics", None)
    return dict(metrics) if isinstance(metrics, Mapping) else {}


def figures(attr: Attribute, metrics: Mapping[str, Any]) -> Any:
    """What ``attr``'s figure is in ``metrics`` (a per-domain table or a number), or ``None``."""
    if attr.figure is None:
        return None
    value: Any = metrics.get("dev", {})
    for key in attr.figure.path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _values(attr: Attribute, metrics: Mapping[str, Any]) -> list[float]:
    found = figures(attr, metrics)
    if isinstance(found, Mapping):
        return [
            float(f["roc_auc"]) for f in found.values() if isinstance(f, Mapping) and "roc_auc" in f
        ]
    return [float(found)] if isinstance(found, int | float) else []


def lowest(attr: Attribute, metrics: Mapping[str, Any]) -> float | None:
    """The lowest of ``attr``'s figures over the communities measured, or ``None``."""
    values = _values(attr, metrics)
    return min(values) if values else None


def mean(attr: Attribute, metrics: Mapping[str, Any]) -> float | None:
    """The mean of ``attr``'s figures over the communities measured, or ``None``."""
    values = _values(attr, metrics)
    return sum(values) / len(values) if values else None


def unserved(attr: Attribute, metrics: Mapping[str, Any]) -> str | None:
    """Why this server does not answer ``attr`` (``None``: it does). A gated attribute is
    answered only when the model measured it and its figure clears the floors."""
    if not attr.gated or attr.figure is None:
        return None
    low, avg = lowest(attr, metrics), mean(attr, metrics)
    if low is None or avg is None:
        return "it has no measured figure for it"
    if low < attr.figure.floor:
        return f"its measured figure ({low:.3f}) is under the floor ({attr.figure.floor:.2f})"
    if avg < attr.figure.mean_floor:
        return (
            f"its measured figure ({avg:.3f} on average over the communities) is under the"
            f" floor ({attr.figure.mean_floor:.2f})"
        )
    measured = len(_values(attr, metrics))
    if measured < attr.figure.communities:
        return (
            f"it is measured in {measured} community only ({low:.3f}); it must hold up in at"
            f" least {attr.figure.communities}"
        )
    return None


def supported(attr: Attribute, metrics: Mapping[str, Any]) -> bool:
    """Whether this server answers ``attr`` (see :func:`unserved`)."""
    return unserved(attr, metrics) is None


def describe(metrics: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each attribute for the docs: its texts, whether it is served, and its figures as rows
    of ``(domain, value, n, positives)`` (a single figure has domain ``""``)."""
    out = []
    for a in CATALOGUE:
        found = figures(a, metrics)
        rows: list[tuple[str, str, Any, Any]] = []
        if isinstance(found, Mapping):
            for domain, f in sorted(found.items()):
                if isinstance(f, Mapping) and "roc_auc" in f:
                    rows.append((domain, f"{f['roc_auc']:.3f}", f.get("n"), f.get("positives")))
        elif isinstance(found, int | float):
            rows.append(("", f"{found:.3f}", None, None))
        out.append(
            {
                "name": a.name,
                "meaning": a.meaning,
                "derived": a.derived,
                "google": a.google,
                "served": supported(a, metrics),
                "experimental": a.experimental,
                "gated": a.gated,
                "floor": a.figure.floor if a.figure else None,
                "mean_floor": a.figure.mean_floor if a.figure else None,
                "lowest": lowest(a, metrics),
                "mean": mean(a, metrics),
                "why_not": unserved(a, metrics),
                "what": a.figure.what if a.figure else "",
                "rows": rows,
            }
        )
    return out


def span_figures(metrics: Mapping[str, Any]) -> dict[str, Any] | None:
    """The evidence's character F1 against the rated toxic spans, when the model measured it."""
    spans = metrics.get("dev", {}).get("spans")
    return dict(spans) if isinstance(spans, Mapping) and "span_head_f1" in spans else None
