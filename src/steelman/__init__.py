"""Steelman: place every reply on Graham's hierarchy of disagreement, say why, help people climb.

>>> from steelman import Judge
>>> judge = Judge.load()                                                     # doctest: +SKIP
>>> judge("You clearly never read the article.", parent="The study found a 12% drop.").label
'DH1 Ad hominem'
"""

from importlib.metadata import PackageNotFoundError, version

from steelman.errors import (
    EncoderError,
    InputError,
    MissingDependency,
    ModelError,
    RecordError,
    SteelmanError,
    TextError,
)
from steelman.judge import Encoder, Evidence, Judge, Judgement, JudgeModel
from steelman.levels import ACTS, LEVELS, Act, Level

try:
    __version__ = version("steelman")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "ACTS",
    "Act",
    "Encoder",
    "EncoderError",
    "Evidence",
    "InputError",
    "Judge",
    "JudgeModel",
    "Judgement",
    "LEVELS",
    "Level",
    "MissingDependency",
    "ModelError",
    "RecordError",
    "SteelmanError",
    "TextError",
    "__version__",
]
