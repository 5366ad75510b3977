"""The judge: places a reply on Graham's hierarchy, with reasons and a suggestion."""

from steelman.judge.judge import Judge
from steelman.judge.model import JudgeModel, bundled_model_dir
from steelman.judge.result import Evidence, Judgement

__all__ = [
    "Evidence",
    "Judge",
    "JudgeModel",
    "Judgement",
    "bundled_model_dir",
]
