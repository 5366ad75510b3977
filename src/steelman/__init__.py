"""Steelman: place every reply on Graham's hierarchy of disagreement, say why, help people climb.

>>> from steelman import Judge
>>> judge = Judge.load()                                                     # doctest: +SKIP
>>> judge("You clearly never read the article.", parent="The study found a 12% drop.").label
'DH1 Ad hominem'
"""

from steelman._version import __version__
from steelman.errors import (
    InputError,
    MissingDependency,
    ModelError,
    RecordError,
    SteelmanError,
    TextError,
)
from steelman.judge import Evidence, Judge, Judgement, JudgeModel
from steelman.levels import ACTS, LEVELS, Act, Level

__all__ = [
    "ACTS",
    "LEVELS",
    "Act",
    "Evidence",
    "InputError",
    "Judge",
    "JudgeModel",
    "Judgement",
    "Level",
    "MissingDependency",
    "ModelError",
    "RecordError",
    "SteelmanError",
    "TextError",
    "__version__",
]
