"""A fast, deterministic stand-in for the judge, and helpers shared by the batch tests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, ClassVar

from steelman.errors import TextError
from steelman.judge.result import Judgement

LEVELS = ("DH0", "DH1", "DH2", "DH3", "DH4", "DH5", "DH6")


class FakeScorer:
    """Judges a reply by hashing it with its parent: same input, same judgement."""

    info: ClassVar[dict[str, str]] = {"name": "fake", "version": "1"}

    def __init__(self) -> None:
        self.calls: list[int] = []

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]:
        self.calls.append(len(texts))
        for text in texts:
            if not text.strip():
                raise TextError("cannot judge an empty text")
        return [self._one(text, parent) for text, parent in zip(texts, parents, strict=True)]

    def _one(self, text: str, parent: str | None) -> Judgement:
        digest = hashlib.sha256(f"{text}\x00{parent}".encode()).digest()
        level = LEVELS[digest[0] % 7]
        return Judgement(
            level=level,
            scores={code: (1.0 if code == level else 0.0) for code in LEVELS},
            disagreement=digest[1] / 255,
            attack=digest[2] / 255,
            acts={"question": digest[3] / 255},
            because=(),
            suggestion=f"parent={parent!r}",
            model=dict(self.info),
            top_level=level,
        )


def fake_factory() -> FakeScorer:
    """A judge factory for worker processes (importable by name, so spawn can find it)."""
    return FakeScorer()


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def make_rows(n: int, *, start: int = 0) -> list[dict[str, Any]]:
    """``n`` rows of varied replies, each with an id and a parent text."""
    return [
        {
            "id": f"r{i}",
            "text": f"Reply {i}: {'you are wrong' if i % 3 else 'the data says otherwise'}.",
            "parent": f"Claim {i // 4}" if i % 5 else None,
            "score": i,
        }
        for i in range(start, start + n)
    ]
