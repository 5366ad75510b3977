"""A drop-in for Google's Perspective API (``comments:analyze``), answered by the Steelman judge.

Point a Perspective client at this server's address and it works unchanged. The attributes
and what each one means are in :data:`ATTRIBUTES` (served at /docs/perspective).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from steelman.data.text import text_problem
from steelman.judge.result import Judgement
from steelman.levels import LEVELS

__all__ = ["ATTRIBUTES", "LANGUAGES", "PerspectiveError", "analyze_response", "parse_request"]

LANGUAGES = ("en",)

_DATA = (
    "Measured on English discussion replies: Wikipedia talk-page disputes (WikiTactics, de Kock"
    " et al. 2022) and Reddit r/ChangeMyView ad hominem labels (Habernal et al. 2018)."
)

ATTRIBUTES: dict[str, str] = {
    "ATTACK_ON_COMMENTER": "Probability that the reply attacks the person it answers rather than"
    " their argument: Graham's DH0 (name-calling) or DH1 (ad hominem).",
    "INSULT": "Probability that the reply is name-calling (DH0): the share of the attack"
    " probability the judge puts on DH0 rather than DH1.",
    "STEELMAN_DISAGREEMENT": "Probability that the reply disagrees at all (rather than asks,"
    " clarifies, concedes, coordinates...).",
    "STEELMAN_LEVEL": "Where on the hierarchy the reply sits, as a number from 0 (DH0) to 1"
    " (DH6): the expected level divided by 6. A score, not a probability, though typed"
    " PROBABILITY for compatibility.",
    **{
        f"STEELMAN_{lv.code}": f"Probability that the reply is a disagreement at {lv.label}"
        f" ({lv.definition})."
        for lv in LEVELS
    },
}
DATA_NOTE = _DATA


class PerspectiveError(Exception):
    """A request Perspective would refuse with 400 INVALID_ARGUMENT."""


@dataclass(frozen=True)
class Request:
    text: str
    parent: str | None
    attributes: dict[str, float | None]  # name -> scoreThreshold
    spans: bool
    languages: list[str]
    client_token: str | None


def _text(obj: Any, where: str) -> str:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise PerspectiveError(f"{where}.text is required and must be a string")
    return str(obj["text"])


def _check_strings(body: Any) -> None:
    """Refuse a body holding a string (a key too) that is not valid text: everything in it may
    be judged or echoed back."""
    todo = [body]
    while todo:
        value = todo.pop()
        if isinstance(value, dict):
            todo.extend(value.keys())
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
        elif isinstance(value, str) and (problem := text_problem(value)):
            raise PerspectiveError(problem[0].upper() + problem[1:] + ".")


def parse_request(body: Any, *, max_chars: int) -> Request:
    """Check a ``comments:analyze`` body the way Perspective does; raise on what it refuses."""
    if not isinstance(body, dict):
        raise PerspectiveError("the request body must be a JSON object")
    _check_strings(body)
    text = _text(body.get("comment"), "comment")
    if not text.strip():
        raise PerspectiveError("Comment must be non-empty.")
    if len(text) > max_chars:
        raise PerspectiveError(f"Comment text too long: over {max_chars} characters.")
    context = body.get("context") or {}
    if not isinstance(context, dict):
        raise PerspectiveError("context must be an object with a list of entries")
    entries = context.get("entries") or []
    if not isinstance(entries, list):
        raise PerspectiveError("context.entries must be a list")
    parent = "\n\n".join(_text(e, "context.entries[]") for e in entries) or None
    requested = body.get("requestedAttributes")
    if not isinstance(requested, dict) or not requested:
        raise PerspectiveError("requestedAttributes must name at least one attribute")
    attributes: dict[str, float | None] = {}
    for name, spec in requested.items():
        if name not in ATTRIBUTES:
            raise PerspectiveError(f"Unknown attribute: {name}. Known: {', '.join(ATTRIBUTES)}")
        threshold = (spec or {}).get("scoreThreshold") if isinstance(spec, dict) else None
        if threshold is not None and not isinstance(threshold, int | float):
            raise PerspectiveError(f"requestedAttributes.{name}.scoreThreshold must be a number")
        attributes[name] = float(threshold) if threshold is not None else None
    languages = body.get("languages") or ["en"]
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        raise PerspectiveError("languages must be a list of language codes")
    unsupported = [x for x in languages if x.split("-")[0].lower() not in LANGUAGES]
    if unsupported:
        raise PerspectiveError(
            f"Attribute {next(iter(attributes))} does not support request languages:"
            f" {', '.join(unsupported)}. Supported: {', '.join(LANGUAGES)}."
        )
    token = body.get("clientToken")
    return Request(
        text,
        parent,
        attributes,
        bool(body.get("spanAnnotations")),
        languages,
        token if isinstance(token, str) else None,
    )


def _score(j: Judgement, name: str) -> float:
    if name == "ATTACK_ON_COMMENTER":
        return j.attack
    if name == "INSULT":
        dh0, dh1 = j.scores.get("DH0", 0.0), j.scores.get("DH1", 0.0)
        return j.attack * (dh0 / (dh0 + dh1) if dh0 + dh1 > 0 else 0.5)
    if name == "STEELMAN_DISAGREEMENT":
        return j.disagreement
    if name == "STEELMAN_LEVEL":
        return sum(lv.rank * j.scores.get(lv.code, 0.0) for lv in LEVELS) / 6
    return j.disagreement * j.scores.get(name.removeprefix("STEELMAN_"), 0.0)


def _points(name: str) -> tuple[str, ...]:
    if name == "ATTACK_ON_COMMENTER":
        return ("DH0", "DH1")
    if name == "INSULT":
        return ("DH0",)
    if name.startswith("STEELMAN_DH"):
        return (name.removeprefix("STEELMAN_"),)
    return tuple(lv.code for lv in LEVELS)


def _value(v: float) -> dict[str, Any]:
    return {"value": round(min(1.0, max(0.0, v)), 6), "type": "PROBABILITY"}


def analyze_response(req: Request, j: Judgement) -> dict[str, Any]:
    """The ``AnalyzeCommentResponse`` for one judged comment."""
    scores: dict[str, Any] = {}
    for name, threshold in req.attributes.items():
        value = _score(j, name)
        if threshold is not None and value < threshold:
            continue
        entry: dict[str, Any] = {"summaryScore": _value(value)}
        if req.spans:
            spans = [e for e in j.because if e.points_to in _points(name)]
            entry["spanScores"] = [
                {"begin": e.start, "end": e.end, "score": _value(value)} for e in spans
            ] or [{"begin": 0, "end": len(req.text), "score": _value(value)}]
        scores[name] = entry
    out: dict[str, Any] = {
        "attributeScores": scores,
        "languages": req.languages,
        "detectedLanguages": ["en"],
    }
    if req.client_token is not None:
        out["clientToken"] = req.client_token
    return out


def discovery_document(root_url: str) -> dict[str, Any]:
    """A Google discovery document for ``commentanalyzer v1alpha1`` rooted at this server, so
    that ``googleapiclient.discovery.build(..., discoveryServiceUrl=...)`` can talk to it."""
    obj = {"type": "object", "additionalProperties": {"type": "any"}}
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": "commentanalyzer:v1alpha1",
        "name": "commentanalyzer",
        "version": "v1alpha1",
        "title": "Steelman (Perspective API compatible)",
        "protocol": "rest",
        "rootUrl": root_url,
        "servicePath": "",
        "batchPath": "batch",
        "parameters": {
            "key": {"type": "string", "location": "query", "description": "Ignored (no keys)."},
            "alt": {"type": "string", "location": "query", "default": "json"},
        },
        "schemas": {
            "AnalyzeCommentRequest": {"id": "AnalyzeCommentRequest", **obj},
            "AnalyzeCommentResponse": {"id": "AnalyzeCommentResponse", **obj},
        },
        "resources": {
            "comments": {
                "methods": {
                    "analyze": {
                        "id": "commentanalyzer.comments.analyze",
                        "path": "v1alpha1/comments:analyze",
                        "flatPath": "v1alpha1/comments:analyze",
                        "httpMethod": "POST",
                        "parameters": {},
                        "parameterOrder": [],
                        "request": {"$ref": "AnalyzeCommentRequest"},
                        "response": {"$ref": "AnalyzeCommentResponse"},
                    }
                }
            }
        },
    }
