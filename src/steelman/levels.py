"""Graham's hierarchy of disagreement (DH0-DH6), the acts that are not disagreement, how to climb.

Everything that names a level or an act comes from here: the model, the CLI, the reports and the
server all read these tables, so a name is spelled one way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACTS",
    "LEVELS",
    "Act",
    "Level",
    "act",
    "level",
]


@dataclass(frozen=True)
class Level:
    """One rung of Graham's hierarchy."""

    code: str  # "DH0".."DH6"
    rank: int  # 0..6
    name: str
    definition: str
    climb: str  # one concrete suggestion for writing a reply one rung (or more) higher

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_attack(self) -> bool:
        """True for the two levels that attack the person rather than the argument."""
        return self.rank <= 1


LEVELS: tuple[Level, ...] = (
    Level(
        "DH0",
        0,
        "Name-calling",
        "insults the other person",
        "Drop the insult and say which sentence of theirs you disagree with.",
    ),
    Level(
        "DH1",
        1,
        "Ad hominem",
        "attacks the person's character, motives or authority, not the argument",
        "This reads as an attack on the person: which sentence of theirs do you disagree with?"
        " Quote it and say why it is wrong.",
    ),
    Level(
        "DH2",
        2,
        "Responding to tone",
        "criticises how it was said, not what",
        "Set the tone aside for a moment: what in the substance of their point do you think is"
        " wrong, and why?",
    ),
    Level(
        "DH3",
        3,
        "Contradiction",
        "states the opposite case with little or no support",
        "You state the opposite case: add the reason or the evidence that makes you think so.",
    ),
    Level(
        "DH4",
        4,
        "Counterargument",
        "contradicts and backs it with reasoning or evidence",
        "Quote the sentence you disagree with and explain exactly where it goes wrong.",
    ),
    Level(
        "DH5",
        5,
        "Refutation",
        "finds the mistake, quotes it, and explains why it is wrong",
        "Check that the mistake you refute is the point their argument stands on; if not, aim"
        " at that central point.",
    ),
    Level(
        "DH6",
        6,
        "Refuting the central point",
        "refutes the point the other argument stands on",
        "This is the top of the hierarchy: keep it civil and acknowledge what they got right.",
    ),
)

_BY_CODE = {lv.code: lv for lv in LEVELS}


def level(code: str | int) -> Level:
    """Look a level up by code ("DH4") or rank (4)."""
    if isinstance(code, int) and not isinstance(code, bool):
        if 0 <= code < len(LEVELS):
            return LEVELS[code]
        raise KeyError(f"no Graham level of rank {code}; ranks run 0-6")
    key = str(code).strip().upper()
    if key in _BY_CODE:
        return _BY_CODE[key]
    raise KeyError(f"no Graham level {code!r}; codes run DH0-DH6")


@dataclass(frozen=True)
class Act:
    """A move in a discussion that is not a disagreement and is not forced onto the scale."""

    code: str
    name: str
    definition: str


ACTS: tuple[Act, ...] = (
    Act("question", "Asking a question", "asks the other person something"),
    Act("clarification", "Providing clarification", "explains what they meant earlier"),
    Act("compromise", "Suggesting a compromise", "proposes a middle ground"),
    Act("concession", "Conceding", "concedes a point or recants"),
    Act("context", "Contextualisation", "gives background the discussion needs"),
    Act("coordination", "Coordinating edits", "coordinates the work itself (edits, process)"),
    Act("agreement", "Agreeing", "agrees with the other person"),
    Act("derailing", "Derailing", "changes the subject or goes off topic"),
    Act("bailing_out", "Bailing out", "gives up on the conversation"),
)

_ACTS_BY_CODE = {a.code: a for a in ACTS}


def act(code: str) -> Act:
    """Look a non-disagreement act up by its code ("question")."""
    try:
        return _ACTS_BY_CODE[code]
    except KeyError:
        known = ", ".join(_ACTS_BY_CODE)
        raise KeyError(f"no act {code!r}; known acts: {known}") from None
