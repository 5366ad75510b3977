"""A drop-in for Google's Perspective API (``comments:analyze``, ``comments:suggestscore``),
answered by the Steelman judge.

Point a Perspective client at this server's address and it works unchanged. Which attributes are
answered, and how each is read off a judgement, is :mod:`steelman.server.attributes` (served at
/docs#perspective).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from steelman.data.text import text_problem
from steelman.judge.parts import sentence_spans, windows
from steelman.judge.result import Judgement
from steelman.server.attributes import CATALOGUE, by_name, unserved
from steelman.server.db.backend import key_problem
from steelman.server.languages import detect, primary

__all__ = [
    "ATTRIBUTES",
    "LANGUAGES",
    "MAX_BYTES",
    "PERSPECTIVE_PATHS",
    "Judged",
    "PerspectiveError",
    "Suggestion",
    "analyze_response",
    "error_body",
    "parse_request",
    "parse_suggestion",
    "parts",
    "suggest_response",
]

LANGUAGES = ("en",)
PERSPECTIVE_PATHS = ("/v1alpha1/", "/batch")  # where errors take Perspective's shape
MAX_BYTES = 20_480  # Perspective's own limit on a comment (UTF-8 bytes); clients truncate to it

ATTRIBUTES: dict[str, str] = {a.name: a.meaning for a in CATALOGUE}
DATA_NOTE = (
    "Trained and measured on English discussion comments: Wikipedia talk-page disputes"
    " (WikiTactics), Reddit r/ChangeMyView ad hominem removals, Reddit abuse (CAD), offensive"
    " Reddit turns (ToxiChat), Reddit offensiveness ratings (Ruddit), insults on news sites and"
    " forums (Kaggle Insults), typed toxic spans in news comments (ToxicSpans, from Civil"
    " Comments) and rated arguments (IBM-ArgQ). Every figure is the model's own, measured on the"
    " dev splits of those sets (never trained or tuned on) and read from its config.json; a"
    " community's row is that set's dev split."
)


class PerspectiveError(Exception):
    """A request Perspective would refuse: 400 INVALID_ARGUMENT unless ``status`` says otherwise
    (403 a missing key, 429 a key over its limits); ``error_type`` is Perspective's
    ``errorType`` for it (``COMMENT_EMPTY``...), sent in the error's ``details``."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        error_type: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type or ("INVALID_REQUEST" if status == 400 else None)
        self.detail = dict(detail or {})  # more of the error detail, such as the languages


_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
}
ERROR_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"


def error_body(
    status: int,
    message: str,
    error_type: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Google's error shape, with Perspective's ``errorType`` in ``details`` when there is one
    (``COMMENT_EMPTY``, ``LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE``, ``INVALID_REQUEST``...)."""
    error: dict[str, Any] = {
        "code": status,
        "message": message,
        "status": _STATUS_NAMES.get(status, "INTERNAL"),
    }
    if error_type is None and status in (400, 413):
        error_type = "INVALID_REQUEST"
    if error_type is not None:
        error["details"] = [{"@type": ERROR_TYPE, "errorType": error_type, **(detail or {})}]
    return {"error": error}


@dataclass(frozen=True)
class Request:
    text: str
    parent: str | None
    attributes: dict[str, float | None]  # name -> scoreThreshold
    spans: bool
    languages: list[str]
    client_token: str | None
    detected: str = "en"  # the language detected (English when the detector is unsure)
    article: str | None = None  # the first context entry: the article or post
    do_not_store: bool = False
    drop: bool = False  # dropUnsupportedAttributes: leave out what cannot be served
    dropped: tuple[str, ...] = ()  # attributes dropped so far

    def parents(self) -> list[str | None]:
        """The parents to judge the comment against: the comment replied to, and the article
        when ATTACK_ON_AUTHOR is asked for and it is another text."""
        if "ATTACK_ON_AUTHOR" in self.attributes and self.article != self.parent:
            return [self.parent, self.article]
        return [self.parent]


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


def _context(body: dict[str, Any]) -> list[str]:
    context = body.get("context") or {}
    if not isinstance(context, dict):
        raise PerspectiveError("context must be an object with a list of entries")
    pair = context.get("articleAndParentComment")
    if pair is not None and context.get("entries") is not None:
        raise PerspectiveError(
            "Context can have either entries or article_and_parent_comment, but both fields"
            " were populated."
        )
    if pair is not None:
        if not isinstance(pair, dict):
            raise PerspectiveError("context.articleAndParentComment must be an object")
        return [
            _text(pair[k], f"context.articleAndParentComment.{k}")
            for k in ("article", "parentComment")
            if pair.get(k) is not None
        ]
    entries = context.get("entries") or []
    if not isinstance(entries, list):
        raise PerspectiveError("context.entries must be a list")
    return [_text(e, "context.entries[]") for e in entries]


def _comment(body: dict[str, Any], max_chars: int) -> str:
    comment = body.get("comment")
    text = _text(comment, "comment")
    assert isinstance(comment, dict)  # _text checked it
    kind = comment.get("type", "PLAIN_TEXT")
    if kind == "HTML":
        raise PerspectiveError("Currently, only 'PLAIN_TEXT' comments are supported")
    if kind not in (None, "PLAIN_TEXT", "TEXT_TYPE_UNSPECIFIED"):
        raise PerspectiveError("Unknown text type")
    if not text.strip():
        raise PerspectiveError("Comment must be non-empty.", error_type="COMMENT_EMPTY")
    size = len(text.encode("utf-8", "surrogatepass"))
    if len(text) > max_chars and size > MAX_BYTES:
        raise PerspectiveError(
            f"Comment text too long: {size} bytes of UTF-8, over the limit of {MAX_BYTES} bytes.",
            error_type="COMMENT_TOO_LONG",
        )
    return text


def _languages(body: dict[str, Any]) -> list[str]:
    """The languages the client says the comment is in (``[]``: not said, detect them)."""
    languages = body.get("languages") or []
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        raise PerspectiveError("languages must be a list of language codes")
    return languages


def _scored_in(requested: list[str], detected: str) -> str | None:
    """The language the comment is scored in: English when the client named it among its
    languages or, naming none, when it was detected; ``None`` when it cannot be served."""
    if requested:
        return "en" if any(primary(x) in LANGUAGES for x in requested) else None
    return "en" if primary(detected) in LANGUAGES else None


def parse_request(
    body: Any, *, max_chars: int, metrics: Mapping[str, Any] | None = None
) -> Request:
    """Check a ``comments:analyze`` body the way Perspective does; raise on what it refuses.

    ``metrics`` are the model's measured figures: an experimental attribute without its figure
    is not served. With ``dropUnsupportedAttributes`` what cannot be served (another language,
    an attribute this model lacks) is left out instead of refused."""
    if not isinstance(body, dict):
        raise PerspectiveError("the request body must be a JSON object")
    _check_strings(body)
    text = _comment(body, max_chars)
    entries = _context(body)
    requested = body.get("requestedAttributes")
    if not isinstance(requested, dict) or not requested:
        raise PerspectiveError("requestedAttributes must name at least one attribute")
    drop = bool(body.get("dropUnsupportedAttributes"))
    attributes: dict[str, float | None] = {}
    dropped: list[str] = []
    for name, spec in requested.items():
        attr = by_name(name)
        if attr is None:
            raise PerspectiveError(f"Unknown attribute: {name}. Known: {', '.join(ATTRIBUTES)}")
        threshold = (spec or {}).get("scoreThreshold") if isinstance(spec, dict) else None
        if threshold is not None and not isinstance(threshold, int | float):
            raise PerspectiveError(f"requestedAttributes.{name}.scoreThreshold must be a number")
        kind = spec.get("scoreType") if isinstance(spec, dict) else None
        if kind not in (None, "PROBABILITY"):
            raise PerspectiveError(
                f"Requested score type {kind} is not supported by attribute {name}"
            )
        why = unserved(attr, metrics or {})
        if why is not None:
            if not drop:
                raise PerspectiveError(
                    f"Attribute {name} is not served by this model: {why} (see /docs#perspective)."
                )
            dropped.append(name)
            continue
        attributes[name] = float(threshold) if threshold is not None else None
    languages = _languages(body)
    detected = detect(text).language
    if _scored_in(languages, detected) is None and attributes:
        if not drop:
            name = next(iter(attributes))
            asked = languages or [detected]
            raise PerspectiveError(
                f"Attribute {name} does not support request languages: {', '.join(asked)}."
                f" Supported: {', '.join(LANGUAGES)}.",
                error_type="LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
                detail={
                    "languageNotSupportedByAttributeError": {
                        "detectedLanguages": [detected],
                        "requestedLanguages": languages,
                        "attribute": name,
                    }
                },
            )
        dropped.extend(attributes)
        attributes = {}
    token = body.get("clientToken")
    return Request(
        text,
        entries[-1] if entries else None,
        attributes,
        bool(body.get("spanAnnotations")),
        languages,
        token if isinstance(token, str) else None,
        detected=detected,
        article=entries[0] if entries else None,
        do_not_store=bool(body.get("doNotStore")),
        drop=drop,
        dropped=tuple(dropped),
    )


def _value(v: float) -> dict[str, Any]:
    return {"value": round(min(1.0, max(0.0, v)), 6), "type": "PROBABILITY"}


def parts(req: Request) -> list[tuple[str, str | None]]:
    """Every ``(text, parent)`` the request needs judged: the comment against each of its
    parents, and, for each parent, the windows of a long comment and (with ``spanAnnotations``)
    its sentences. Each pair once."""
    texts = [req.text]
    texts += [req.text[b:e] for b, e in windows(req.text)]
    if req.spans:
        texts += [req.text[b:e] for b, e in sentence_spans(req.text)]
    return list(dict.fromkeys((t, p) for p in req.parents() for t in texts))


Judged = Mapping[tuple[str, str | None], Judgement]


def analyze_response(req: Request, judged: Judged) -> dict[str, Any]:
    """The ``AnalyzeCommentResponse`` for one comment, from the judgements of its :func:`parts`.

    ATTACK_ON_AUTHOR reads the comment judged against the article, every other attribute the
    comment judged against the comment it answers. An attribute that marks something a part can
    have on its own (an insult, a threat) scores the whole comment as its most marked part, so a
    long comment is read to its end. ``spanScores`` are per sentence, each with its own score.
    An attribute whose heads the judge lacks is refused (or left out with ``req.drop``)."""
    scores: dict[str, Any] = {}
    parents = req.parents()
    parts_read = windows(req.text)
    spans = sentence_spans(req.text) if req.spans else []
    for name, threshold in req.attributes.items():
        attr = by_name(name)
        assert attr is not None  # parse_request checked
        parent = parents[-1] if name == "ATTACK_ON_AUTHOR" else parents[0]
        whole = judged[(req.text, parent)]
        missing = [k for k in attr.needs if k not in whole.attributes]
        if missing:
            if req.drop:
                continue
            model = " ".join(whole.model.values()) or "this model"
            raise PerspectiveError(
                f"Attribute {name} is not served by this model ({model}): it has no"
                f" {', '.join(missing)} head."
            )
        value = attr.score(whole)
        if attr.anywhere:
            value = max(
                [value] + [attr.score(judged[(req.text[b:e], parent)]) for b, e in parts_read]
            )
        if threshold is not None and value < threshold:
            continue
        entry: dict[str, Any] = {"summaryScore": _value(value)}
        if req.spans:
            entry["spanScores"] = [
                {"begin": b, "end": e, "score": _value(attr.score(judged[(req.text[b:e], parent)]))}
                for b, e in spans
            ]
        scores[name] = entry
    out: dict[str, Any] = {
        "attributeScores": scores,
        "languages": req.languages or [req.detected],
        "detectedLanguages": [req.detected],
    }
    if req.client_token is not None:
        out["clientToken"] = req.client_token
    return out


@dataclass(frozen=True)
class Suggestion:
    """A ``comments:suggestscore`` request: the scores a client says the comment deserves."""

    text: str
    context: list[str]
    scores: dict[str, dict[str, Any]]  # name -> {"summary": v | None, "spans": [[b, e, v]]}
    languages: list[str]
    community_id: str
    client_token: str | None
    session_id: str


def _score_value(obj: Any, where: str) -> float:
    if not isinstance(obj, dict):
        raise PerspectiveError(f"{where} must be a Score object")
    value = obj.get("value", 0)  # proto3 JSON leaves out a value of 0
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise PerspectiveError(f"{where}.value must be a number from 0 to 1")
    kind = obj.get("type", "PROBABILITY")
    if kind != "PROBABILITY":
        raise PerspectiveError(f"{where}.type must be PROBABILITY")
    return float(value)


def _suggested(name: str, spec: Any, text: str) -> dict[str, Any]:
    where = f"attributeScores.{name}"
    if not isinstance(spec, dict) or not (
        "summaryScore" in spec or spec.get("spanScores")
    ):  # proto3 JSON leaves zeros out: "summaryScore": {} is a score of 0
        raise PerspectiveError(f"{where} must have a summaryScore or spanScores")
    out: dict[str, Any] = {"summary": None, "spans": []}
    if spec.get("summaryScore") is not None:
        out["summary"] = _score_value(spec["summaryScore"], f"{where}.summaryScore")
    spans = spec.get("spanScores") or []
    if not isinstance(spans, list):
        raise PerspectiveError(f"{where}.spanScores must be a list")
    for i, span in enumerate(spans):
        here = f"{where}.spanScores[{i}]"
        if not isinstance(span, dict):
            raise PerspectiveError(f"{here} must be a SpanScore object")
        begin, end = span.get("begin", 0), span.get("end", 0)  # proto3: 0 is left out
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (begin, end)):
            raise PerspectiveError(f"{here} must set begin and end")
        assert isinstance(begin, int) and isinstance(end, int)
        if not 0 <= begin < end <= len(text):
            raise PerspectiveError(f"{here}: begin and end must lie within the comment")
        out["spans"].append([begin, end, _score_value(span.get("score", {}), f"{here}.score")])
    return out


def _optional_string(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise PerspectiveError(f"{key} must be a string")
    return value


def parse_suggestion(body: Any, *, max_chars: int) -> Suggestion:
    """Check a ``comments:suggestscore`` body the way Perspective does.

    Any attribute name is taken (clients send their own, such as Coral's ``APPROVED``); every
    score must be a probability and every span inside the comment."""
    if not isinstance(body, dict):
        raise PerspectiveError("the request body must be a JSON object")
    _check_strings(body)
    text = _comment(body, max_chars)
    context = _context(body)
    given = body.get("attributeScores")
    if not isinstance(given, dict) or not given:
        raise PerspectiveError("attributeScores must not be empty")
    scores: dict[str, dict[str, Any]] = {}
    for name, spec in given.items():
        if not name or len(name) > 100:
            raise PerspectiveError("attribute names must be 1 to 100 characters")
        scores[name] = _suggested(name, spec, text)
    community = _optional_string(body, "communityId") or ""
    if problem := key_problem(community, "communityId"):  # bytes an index holds, in both stores
        raise PerspectiveError(problem)
    return Suggestion(
        text,
        context,
        scores,
        _languages(body),
        community,
        _optional_string(body, "clientToken"),
        _optional_string(body, "sessionId") or "",
    )


def suggest_response(s: Suggestion) -> dict[str, Any]:
    """The ``SuggestCommentScoreResponse``."""
    detected = detect(s.text).language
    out: dict[str, Any] = {
        "detectedLanguages": [detected],
        "requestedLanguages": s.languages or [detected],
    }
    if s.client_token is not None:
        out["clientToken"] = s.client_token
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
            "key": {
                "type": "string",
                "location": "query",
                "description": "A feedback key (steelman feedback-keys add), which"
                " comments:suggestscore requires; comments:analyze ignores it.",
            },
            "alt": {"type": "string", "location": "query", "default": "json"},
        },
        "schemas": {
            "AnalyzeCommentRequest": {"id": "AnalyzeCommentRequest", **obj},
            "AnalyzeCommentResponse": {"id": "AnalyzeCommentResponse", **obj},
            "SuggestCommentScoreRequest": {"id": "SuggestCommentScoreRequest", **obj},
            "SuggestCommentScoreResponse": {"id": "SuggestCommentScoreResponse", **obj},
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
                    },
                    "suggestscore": {
                        "id": "commentanalyzer.comments.suggestscore",
                        "path": "v1alpha1/comments:suggestscore",
                        "flatPath": "v1alpha1/comments:suggestscore",
                        "httpMethod": "POST",
                        "parameters": {},
                        "parameterOrder": [],
                        "request": {"$ref": "SuggestCommentScoreRequest"},
                        "response": {"$ref": "SuggestCommentScoreResponse"},
                    },
                }
            }
        },
    }
