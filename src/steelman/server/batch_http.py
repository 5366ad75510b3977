"""Google's HTTP batch format (``multipart/mixed``), as google-api-python-client's
``new_batch_http_request`` posts it to the discovery document's ``batchPath``.

Each part is ``application/http``: one whole HTTP request (request line, headers, body) under a
``Content-ID``. The answer is ``multipart/mixed`` again, a part per request in the same order,
each a whole HTTP response whose ``Content-ID`` is the request's prefixed with ``response-``.
Knows no routes: :func:`parse` and :func:`answer` only read and write the format.
"""

from __future__ import annotations

import email.parser
import email.policy
import http
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["BatchError", "Part", "answer", "parse"]


class BatchError(ValueError):
    """A batch body that is not Google's multipart/mixed format."""


@dataclass(frozen=True)
class Part:
    content_id: str  # as sent, without the angle brackets
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes


def _request(content_id: str, raw: bytes) -> Part:
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, _, body = raw.partition(b"\n\n")
    lines = head.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")
    fields = lines[0].split(" ")
    if len(fields) != 3 or not fields[2].startswith("HTTP/"):
        raise BatchError(f"part {content_id!r} does not start with an HTTP request line")
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers and headers["content-length"].isdigit():
        body = body[: int(headers["content-length"])]
    url = urlsplit(fields[1])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    return Part(content_id, fields[0].upper(), url.path, query, headers, body)


def parse(content_type: str, body: bytes, *, max_parts: int) -> list[Part]:
    """The requests in a ``multipart/mixed`` batch body, in order; at most ``max_parts``."""
    if not content_type.lower().startswith("multipart/mixed") or "boundary=" not in content_type:
        raise BatchError("a batch must be multipart/mixed with a boundary")
    header = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise BatchError("a batch must be multipart/mixed with a boundary")
    payload = message.get_payload()
    assert isinstance(payload, list)
    if len(payload) > max_parts:
        raise BatchError(f"a batch holds at most {max_parts} requests; this one {len(payload)}")
    parts = []
    for i, sub in enumerate(payload):
        content_id = str(sub.get("Content-ID", "")).strip().strip("<>") or str(i + 1)
        raw = sub.get_payload(decode=True)
        if not isinstance(raw, bytes):
            raise BatchError(f"part {content_id!r} is not an application/http request")
        parts.append(_request(content_id, raw))
    return parts


def answer(responses: list[tuple[Part, int, Any]]) -> tuple[str, bytes]:
    """The batch response for ``(part, status, JSON body)`` triples: its Content-Type and body."""
    boundary = "batch_" + secrets.token_hex(12)
    out: list[bytes] = []
    for part, status, obj in responses:
        content = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        reason = http.HTTPStatus(status).phrase
        out.append(
            (
                f"--{boundary}\r\n"
                "Content-Type: application/http\r\n"
                f"Content-ID: <response-{part.content_id}>\r\n\r\n"
                f"HTTP/1.1 {status} {reason}\r\n"
                "Content-Type: application/json; charset=UTF-8\r\n"
                f"Content-Length: {len(content)}\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    out.append(f"--{boundary}--\r\n".encode())
    return f"multipart/mixed; boundary={boundary}", b"".join(out)
