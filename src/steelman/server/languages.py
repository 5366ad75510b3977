"""Which language a comment is in, for the Perspective drop-in's ``detectedLanguages``.

Read with py3langid (langid.py's model, shipped inside its wheel: nothing is downloaded). A text
the model is unsure of (under :data:`CONFIDENCE`, as short comments such as "lol no" are) is
taken as English, the one language this judge is trained on: a short English comment is never
refused for its language, while a clearly foreign one is (Perspective's
LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE), so that clients fall back as they do with Google's.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

__all__ = ["CONFIDENCE", "Detected", "detect", "primary"]

CONFIDENCE = 0.7  # the model's normalised probability a detection must reach to be believed


def primary(code: str) -> str:
    """The primary subtag of a language code: ``en-GB`` and ``en_us`` are ``en``."""
    return code.split("-")[0].split("_")[0].lower()


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


class Detected(NamedTuple):
    language: str
    probability: float
    sure: bool  # false when the model was unsure and English was assumed


def detect(text: str) -> Detected:
    """The language of ``text``: the model's answer when it is sure, else ``en``."""
    language, probability = _identifier().classify(text)
    if probability >= CONFIDENCE:
        return Detected(str(language), float(probability), True)
    return Detected("en", float(probability), False)
