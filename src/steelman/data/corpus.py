"""Every labelled set in ``shared/data`` as multi-task samples for the judge.

Each set labels only some of the judge's questions; a :class:`Sample` carries the answers its set
gives (``labels``) and nothing for the rest, so a training loss or an evaluation simply skips the
missing ones. Each sample also names its ``domain`` (for balancing and per-domain figures), its
``group`` (conversation or thread, so that splits never cut a discussion) and its ``split``:
``"dev"`` for the data README's dev splits (or a fixed hashed fifth of the groups where a set has
none), ``"train"`` for the rest. How each set's labels map onto the judge's questions is written
here and nowhere else (see ``shared/data/README.md``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steelman.data.jsonl import iter_jsonl
from steelman.data.labelled import read_cmv, read_wikitactics
from steelman.errors import RecordError

__all__ = [
    "ACT_TASKS",
    "BINARY_TASKS",
    "READERS",
    "Sample",
    "dev_bucket",
    "read_corpus",
]

# The questions with a yes/no answer; "level" (0-6) and the token spans are separate.
ACT_TASKS = (
    "question",
    "clarification",
    "compromise",
    "concession",
    "context",
    "coordination",
    "agreement",
)
BINARY_TASKS = (
    "attack",  # attacks the person (DH0 or DH1)
    "dh0",  # given an attack: name-calling (DH0) rather than ad hominem (DH1)
    "disagreement",
    *ACT_TASKS,
    "toxicity",
    "insult",
    "identity_attack",
    "threat",
    "profanity",
    "reasons",  # gives reasons: an argument of high rated quality
)


@dataclass(frozen=True)
class Sample:
    """One reply with the answers its data set gives."""

    text: str
    parent: str | None
    domain: str
    group: str
    split: str  # "train" or "dev"
    labels: dict[str, float] = field(default_factory=dict)
    level: int | None = None  # 0..6 where the set labels the level
    spans: tuple[tuple[int, int], ...] | None = None  # rated toxic character spans
    level_floor: int | None = None  # the level is at least this (CMV delta winners: DH4)


def dev_bucket(group: str, folds: int = 5) -> bool:
    """Whether ``group`` falls in the held-out fifth (a fixed hash: the same on every machine)."""
    return int(hashlib.sha1(group.encode("utf-8")).hexdigest()[:8], 16) % folds == 0


def _split(group: str) -> str:
    return "dev" if dev_bucket(group) else "train"


def _wikitactics(root: Path) -> Iterator[Sample]:
    acts = set(ACT_TASKS) - {"agreement"}
    for name, split in (("train.json", "train"), ("val.json", "dev")):
        for ex in read_wikitactics(root / "wikitactics" / name):
            labels: dict[str, float] = {a: float(a in ex.acts) for a in acts}
            labels["disagreement"] = float(ex.level is not None)
            # the reply attacks the person: any of its labels is DH0 or DH1 (also when it goes on
            # to argue; the model card reports both readings)
            labels["attack"] = float(bool(ex.attack))
            if ex.level is not None and ex.level <= 1:
                labels["dh0"] = float(ex.level == 0)
            yield Sample(ex.text, ex.parent, "wikitactics", ex.group, split, labels, ex.level)


def _cmv(root: Path) -> Iterator[Sample]:
    for ex in read_cmv(root / "cmv-attacks" / "dev.jsonl"):
        # a delta-winning reply changed the other person's view: it engaged the argument, so
        # it sits at DH4 or above (the ordinal head learns only that much from it)
        labels = {"attack": float(bool(ex.attack))}
        floor = None if ex.attack else 4
        yield Sample(
            ex.text, ex.parent, "cmv", ex.group, _split(ex.group), labels, level_floor=floor
        )


def _insults(root: Path) -> Iterator[Sample]:
    for _, obj in iter_jsonl(root / "insults" / "comments.jsonl"):
        y = float(obj["insult"])
        labels = {"attack": y, "insult": y}
        if y:
            labels["dh0"] = 1.0
        split = "dev" if obj.get("split") == "test" else "train"
        yield Sample(str(obj["text"]), None, "insults", str(obj["id"]), split, labels)


def _cad(root: Path) -> Iterator[Sample]:
    for name, split in (("train.jsonl", "train"), ("dev.jsonl", "dev")):
        for _, obj in iter_jsonl(root / "cad" / name):
            kinds = set(obj.get("labels") or [])
            abuse = kinds & {
                "PersonDirectedAbuse",
                "IdentityDirectedAbuse",
                "AffiliationDirectedAbuse",
            }
            labels = {
                "attack": float("PersonDirectedAbuse" in kinds),
                "identity_attack": float("IdentityDirectedAbuse" in kinds),
                "toxicity": float(bool(abuse)),
            }
            group = str(obj["id"]).split("-")[0]
            yield Sample(str(obj["text"]), None, "cad", group, split, labels)


def _toxichat(root: Path) -> Iterator[Sample]:
    stance_of = {"Agree": (0.0, 1.0), "Disagree": (1.0, 0.0), "Neutral": (0.0, 0.0)}
    for name, split in (("train.jsonl", "train"), ("dev.jsonl", "dev")):
        for _, obj in iter_jsonl(root / "toxichat" / name):
            turns = obj["turns"]
            for i, turn in enumerate(turns):
                if i == 0:
                    continue  # the post itself answers nobody
                offensive = float(bool(turn.get("offensive")))
                labels = {"toxicity": offensive, "attack": offensive}
                prev = str(turns[i - 1]["turn"])
                stance = (turn.get("stance") or {}).get(prev)
                if stance in stance_of:
                    labels["disagreement"], labels["agreement"] = stance_of[stance]
                parent = str(turns[i - 1]["text"])
                yield Sample(str(turn["text"]), parent, "toxichat", str(obj["id"]), split, labels)


def _ruddit(root: Path) -> Iterator[Sample]:
    for _, obj in iter_jsonl(root / "ruddit" / "comments.jsonl"):
        score = float(obj["offensiveness"])  # -1 supportive .. 1 offensive
        labels = {"toxicity": float(score > 0.25)}
        group = str(obj.get("post_id", obj["id"]))
        yield Sample(str(obj["text"]), None, "ruddit", group, _split(group), labels)


def _agreement_pairs(
    path: Path, domain: str, group_of: Callable[[dict[str, Any]], str]
) -> Iterator[Sample]:
    for _, obj in iter_jsonl(path):
        label = obj["label"]
        labels = {"disagreement": float(label == "disagree"), "agreement": float(label == "agree")}
        group = group_of(obj)
        yield Sample(str(obj["reply"]), str(obj["parent"]), domain, group, _split(group), labels)


def _debagreement(root: Path) -> Iterator[Sample]:
    yield from _agreement_pairs(
        root / "debagreement" / "pairs.jsonl",
        "debagreement",
        lambda o: str(o.get("submission") or o["id"]),
    )


def _subreddit_agreement(root: Path) -> Iterator[Sample]:
    yield from _agreement_pairs(
        root / "subreddit-agreement" / "pairs.jsonl",
        "subreddit-agreement",
        lambda o: hashlib.sha1(str(o["parent"]).encode()).hexdigest(),
    )


# ToxicSpans' span types as its files spell them ("Profane/Obscene", "Identity based Attack", a
# few cut short: "Insu", "Identity based "), read by their start
_SPAN_TYPES: tuple[tuple[str, str], ...] = (
    ("insu", "insult"),
    ("identity", "identity_attack"),
    ("threat", "threat"),
    ("profan", "profanity"),
)


def _span_type(name: object) -> str:
    low = str(name or "").strip().lower()
    return next((task for start, task in _SPAN_TYPES if low.startswith(start)), "other")


def _majority_spans(
    text: str, ratings: list[dict[str, Any]]
) -> tuple[list[tuple[int, int]], set[str]]:
    """Character runs that at least half the raters marked, and the kinds (``insult``,
    ``identity_attack``, ``threat``, ``profanity``, ``other``) that at least half used."""
    votes = [0] * len(text)
    types: dict[str, int] = {}
    for r in ratings:
        marked = set()
        kinds = set()
        for s in r.get("spans") or []:
            for c in range(max(0, s["start"]), min(len(text), s["end"])):
                marked.add(c)
            kinds.add(_span_type(s.get("type")))
        for kind in kinds:  # each rater counts once for a kind, however many spans they drew
            types[kind] = types.get(kind, 0) + 1
        for c in marked:
            votes[c] += 1
    need = max(1, (len(ratings) + 1) // 2)
    runs: list[tuple[int, int]] = []
    start = None
    for c, v in enumerate([*votes, 0]):
        if v >= need and start is None:
            start = c
        elif v < need and start is not None:
            runs.append((start, c))
            start = None
    common = {t for t, n in types.items() if n >= need}
    return runs, common


def _toxic_spans(root: Path) -> Iterator[Sample]:
    for _, obj in iter_jsonl(root / "toxic-spans" / "comments.jsonl"):
        text = str(obj["text"])
        runs, types = _majority_spans(text, obj.get("ratings") or [])
        labels = {
            "toxicity": 1.0,
            "insult": float("insult" in types),
            "identity_attack": float("identity_attack" in types),
            "threat": float("threat" in types),
            "profanity": float("profanity" in types),
        }
        group = str(obj["id"])
        yield Sample(text, None, "toxic-spans", group, _split(group), labels, spans=tuple(runs))


def _ibm_argq(root: Path) -> Iterator[Sample]:
    for _, obj in iter_jsonl(root / "ibm-argq" / "arguments.jsonl"):
        q = float(obj["quality_wa"])
        if 0.45 < q < 0.8:
            continue  # the middle of the scale says little either way
        split = "train" if obj.get("split") == "train" else "dev"
        labels = {"reasons": float(q >= 0.8)}
        yield Sample(str(obj["text"]), None, "ibm-argq", str(obj["id"]), split, labels)


def _arguana(root: Path) -> Iterator[Sample]:
    """idebate points with their own counter (written to rebut that point: it answers the
    parent, read as a refutation, DH5) and with another point's counter from the same debate (it
    argues the topic without answering this parent: at most a counterargument, read as DH4)."""
    for _, obj in iter_jsonl(root / "arguana" / "pairs.jsonl"):
        answers = int(obj["answers_parent"])
        split = "dev" if obj.get("split") == "dev" else "train"
        yield Sample(
            str(obj["reply"]),
            str(obj["parent"]),
            "arguana",
            str(obj["debate"]),
            split,
            # a counter written to rebut this very point disagrees with it
            {"answers": 1.0, "disagreement": 1.0} if answers else {"answers": 0.0},
            level=5 if answers else 4,
        )


def _argtersely(root: Path) -> Iterator[Sample]:
    """ChangeMyView sentences with a counter written against each (answers: 1), and each counter
    beside the sentence of the next topic in a fixed hashed order (answers: 0), as the data's
    README suggests: the set has no negatives of its own."""
    rows = [obj for _, obj in iter_jsonl(root / "argtersely" / "pairs.jsonl")]
    for obj in rows:
        split = "dev" if obj.get("split") == "dev" else "train"
        group = f"{split}:{obj['id']}"
        labels = {"answers": 1.0, "disagreement": 1.0}  # written against this sentence
        yield Sample(str(obj["reply"]), str(obj["parent"]), "argtersely", group, split, labels)
    for split in ("train", "dev"):
        part = [o for o in rows if ("dev" if o.get("split") == "dev" else "train") == split]
        part.sort(key=lambda o: hashlib.sha1(str(o["id"]).encode()).hexdigest())
        for a, b in zip(part, part[1:] + part[:1], strict=True):
            if a["parent"] == b["parent"] or a.get("topic") == b.get("topic"):
                continue
            group = f"{split}:{a['id']}"
            yield Sample(
                str(a["reply"]), str(b["parent"]), "argtersely", group, split, {"answers": 0.0}
            )


# the folder of ``shared/data`` each set lives in
FOLDERS = {"cmv": "cmv-attacks"}

READERS: dict[str, Callable[[Path], Iterator[Sample]]] = {
    "wikitactics": _wikitactics,
    "cmv": _cmv,
    "insults": _insults,
    "cad": _cad,
    "toxichat": _toxichat,
    "ruddit": _ruddit,
    "debagreement": _debagreement,
    "subreddit-agreement": _subreddit_agreement,
    "toxic-spans": _toxic_spans,
    "ibm-argq": _ibm_argq,
    "arguana": _arguana,
    "argtersely": _argtersely,
}


def read_corpus(root: str | Path, domains: tuple[str, ...] | None = None) -> list[Sample]:
    """Every sample of the named domains (all by default) under ``root`` (``shared/data``)."""
    root = Path(root)
    out: list[Sample] = []
    for name in domains or tuple(READERS):
        if name not in READERS:
            raise RecordError(f"no data set {name!r}; known: {', '.join(READERS)}")
        folder = root / FOLDERS.get(name, name)
        if not folder.is_dir():
            raise RecordError(
                f"labelled data not found: no {folder} (the {name} set; see shared/data/README.md)"
            )
        try:
            out.extend(s for s in READERS[name](root) if s.text.strip())
        except (KeyError, TypeError, ValueError, OSError) as exc:
            if isinstance(exc, RecordError):
                raise
            raise RecordError(
                f"malformed or missing {name} data: {exc!r}", path=str(folder)
            ) from exc
    return out
