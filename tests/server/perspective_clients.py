"""Request bodies exactly as real Perspective integrations send them, pinned from their source.

Each shape is copied field for field from the public code that builds it (named above it), with
only the comment text filled in. If a client changes its request, change the shape here and say
which version it comes from.
"""

from __future__ import annotations

from typing import Any


def coral_analyze(text: str, *, model: str = "TOXICITY", language: str = "en") -> dict[str, Any]:
    """Coral Talk's toxic-comment check.

    From coralproject/talk ``src/core/server/services/perspective/perspective.ts``,
    ``formatBody`` for ``"comments:analyze"``: ``model`` is the tenant's
    ``integrations.perspective.model``, default ``TOXICITY_MODEL_DEFAULT = "TOXICITY"``
    (``src/core/common/constants.ts``); ``doNotStore`` is the tenant's setting (default true);
    ``languages`` is ``[convertLanguage(tenant.locale)]`` ("en" for en-US, "de", "es", "fr",
    "pt"). Coral posts it to ``{endpoint}/comments:analyze?key=KEY`` with the endpoint
    defaulting to ``https://commentanalyzer.googleapis.com/v1alpha1`` and holds the comment
    when the score is over ``TOXICITY_THRESHOLD_DEFAULT = 80`` (0.8).
    """
    return {
        "comment": {"text": text},
        "doNotStore": True,
        "requestedAttributes": {model: {}},
        "languages": [language],
    }


def coral_suggestscore(
    text: str, *, comment_id: str = "c-1", parent_id: str | None = None, status: str = "APPROVED"
) -> dict[str, Any]:
    """Coral Talk's feedback when a moderator approves or rejects a comment.

    Same file, ``formatBody`` for ``"comments:suggestscore"``: the context entry is a JSON
    string of the comment's URL and ids, the attribute is the moderation status
    (``APPROVED`` or ``DELETED``) scored 1, the community is ``Coral:<tenant URL>`` and the
    client token ``comment:<id>``.
    """
    import json

    entry = {
        "url": f"https://news.example/story?commentID={comment_id}",
        "reply_to_id_Coral_comment_id": parent_id,
        "Coral_comment_id": comment_id,
    }
    return {
        "comment": {"text": text},
        "context": {"entries": [{"text": json.dumps(entry)}]},
        "attributeScores": {status: {"summaryScore": {"value": 1}}},
        "languages": ["en"],
        "communityId": "Coral:https://news.example",
        "clientToken": f"comment:{comment_id}",
    }


CORAL_ANALYZE_PATH = "/v1alpha1/comments:analyze?key=not-a-google-key"


def discourse_analyze(text: str, *, model: str = "standard", user_id: int = 7) -> dict[str, Any]:
    """The Discourse Perspective plugin's check of a post.

    From discourse/discourse-perspective-api ``lib/discourse_perspective.rb``,
    ``AnalyzeComment#to_json``: the raw post (cut to 20 kB), ``doNotStore: true``, a
    ``sessionId`` of the site's base URL and the user id, and one attribute chosen by the
    ``perspective_toxicity_model`` setting: ``TOXICITY`` for "standard", ``SEVERE_TOXICITY``
    for "severe toxicity (experimental)", each with ``scoreType: "PROBABILITY"``. No
    ``languages``. It is posted to ``/v1alpha1/comments:analyze`` with ``query: {key: ...}``;
    the plugin reads ``attributeScores.*.summaryScore.value`` and treats any failure as 0.0.
    """
    raw = text
    while len(raw.encode("utf-8")) > 20 * 1024:
        raw = raw[:-4]
    attribute = {"standard": "TOXICITY", "severe toxicity (experimental)": "SEVERE_TOXICITY"}
    return {
        "comment": {"text": raw},
        "doNotStore": True,
        "sessionId": f"https://forum.example_{user_id}",
        "requestedAttributes": {attribute[model]: {"scoreType": "PROBABILITY"}},
    }


DISCOURSE_PATH = "/v1alpha1/comments:analyze?key=not-a-google-key"
DISCOURSE_HEADERS = {"Accept": "*/*", "User-Agent": "Discourse/3.2.0"}
