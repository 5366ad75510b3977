"""Judge every comment of a thread in context and describe the thread: :func:`analyse_thread`.

Each comment is judged with its parent as input. All comments of a thread (or of a batch of
threads) go to the judge in ONE ``judge_batch`` call, so a comment that is both a reply and a
parent is embedded once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Protocol

from steelman.data.comments import Comment
from steelman.data.formats.reddit import DELETED_MARKERS
from steelman.judge.result import Judgement
from steelman.threads.escalation import EscalationModel, load_bundled_escalation
from steelman.threads.features import thread_features
from steelman.threads.forecast import forecast
from steelman.threads.report import (
    QUOTE_CHARS,
    Participant,
    Reply,
    Shape,
    ThreadReport,
    TurningPoint,
    empty_counts,
)

__all__ = [
    "ANONYMOUS",
    "PULL_MARGIN",
    "JudgeLike",
    "ThreadLike",
    "analyse_thread",
    "analyse_threads",
    "build_report",
    "participants",
    "shape",
    "turning_point",
]

ANONYMOUS = "(anonymous)"
PULL_MARGIN = 0.5  # ranks above/below the thread's mean that count as pulling it up/down
_Request = tuple[Comment, str | None, str | None]  # comment, its text, its parent's text


class ThreadLike(Protocol):
    """A reply tree, as :func:`steelman.data.formats.build_threads` returns it."""

    @property
    def id(self) -> str: ...
    @property
    def comments(self) -> Sequence[Comment]: ...
    def parent_of(self, comment_id: str) -> Comment | None: ...


class JudgeLike(Protocol):
    """Anything that judges replies in context like :class:`steelman.judge.Judge`."""

    def judge_batch(self, texts: list[str], parents: list[str | None]) -> list[Judgement]: ...


def _judgeable(comment: Comment | None) -> str | None:
    """The text to judge, or ``None`` for a deleted or empty comment."""
    if comment is None or comment.deleted:
        return None
    text = comment.text.strip()
    return None if not text or text in DELETED_MARKERS else text


def _reply_order(thread: ThreadLike) -> list[Comment]:
    """Comments by time when every one has a timestamp, else in the thread's order."""
    comments = list(thread.comments)
    if comments and all(c.created is not None for c in comments):
        return sorted(comments, key=_timestamp)
    return comments


def _timestamp(comment: Comment) -> float:
    when = comment.created or datetime.min
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def _requests(thread: ThreadLike) -> list[_Request]:
    """``(comment, text, parent text)`` in reply order; text ``None`` = not judged."""
    out = []
    for c in _reply_order(thread):
        text = _judgeable(c)
        parent = _judgeable(thread.parent_of(c.id)) if c.parent_id is not None else None
        out.append((c, text, parent))
    return out


def analyse_threads(
    threads: Iterable[ThreadLike],
    judge: JudgeLike,
    escalation: EscalationModel | None = None,
    *,
    risk: bool = True,
    batch_comments: int = 256,
) -> Iterator[ThreadReport]:
    """Analyse many threads, judging whole threads together in batches of about
    ``batch_comments`` comments (one ``judge_batch`` call per batch). Reports come in input order.

    ``escalation`` defaults to the bundled model; ``risk=False`` skips the escalation risk.
    """
    model = (escalation or load_bundled_escalation()) if risk else None
    pending: list[tuple[ThreadLike, list[_Request]]] = []
    size = 0
    for thread in threads:
        reqs = _requests(thread)
        pending.append((thread, reqs))
        size += len(reqs)
        if size >= batch_comments:
            yield from _judge_pending(pending, judge, model)
            pending, size = [], 0
    if pending:
        yield from _judge_pending(pending, judge, model)


def analyse_thread(
    thread: ThreadLike,
    judge: JudgeLike,
    escalation: EscalationModel | None = None,
    *,
    risk: bool = True,
) -> ThreadReport:
    """Judge every comment of ``thread`` in context (one judge call) and report on the thread."""
    return next(analyse_threads([thread], judge, escalation, risk=risk, batch_comments=1))


def _judge_pending(
    pending: list[tuple[ThreadLike, list[_Request]]],
    judge: JudgeLike,
    model: EscalationModel | None,
) -> Iterator[ThreadReport]:
    texts: list[str] = []
    parents: list[str | None] = []
    for _, reqs in pending:
        for _, text, parent in reqs:
            if text is not None:
                texts.append(text)
                parents.append(parent)
    judged = iter(judge.judge_batch(texts, parents) if texts else [])
    for thread, reqs in pending:
        replies = []
        for i, (c, text, _) in enumerate(reqs):
            j = next(judged) if text is not None else None
            replies.append(
                Reply(
                    index=i,
                    comment_id=c.id,
                    author=c.author or ANONYMOUS,
                    parent_id=c.parent_id,
                    text=c.text,
                    judgement=j,
                    skipped=None if j is not None else ("deleted" if c.deleted else "no text"),
                )
            )
        yield build_report(thread.id, replies, model, getattr(thread, "problems", ()))


def build_report(
    thread_id: str,
    replies: Sequence[Reply],
    model: EscalationModel | None,
    problems: Iterable[str] = (),
) -> ThreadReport:
    """Describe a thread whose replies are already judged."""
    sh = shape(replies)
    ranks = [r.rank for r in replies if r.rank is not None]
    mean_rank = sum(ranks) / len(ranks) if ranks else None
    attack_share = sh.attacks / sh.judged if sh.judged else 0.0
    feats = thread_features(replies)
    models: dict[str, dict[str, str]] = {}
    first = next((r.judgement for r in replies if r.judgement is not None), None)
    if first is not None:
        models["judge"] = dict(first.model)
    risk = rise = None
    if model is not None:
        ahead = forecast(replies, model)
        risk, rise = ahead.risk, ahead.rose_most
        models["escalation"] = model.card
    return ThreadReport(
        thread_id=thread_id,
        replies=tuple(replies),
        shape=sh,
        participants=participants(replies, mean_rank, attack_share),
        mean_rank=mean_rank,
        attack_share=attack_share,
        turning_point=turning_point(replies),
        features=feats,
        risk=risk,
        models=models,
        problems=tuple(problems),
        rise=rise,
    )


def shape(replies: Sequence[Reply]) -> Shape:
    """Count the replies at each level, those that are not disagreement, and the acts."""
    levels, acts = empty_counts()
    none = skipped = 0
    for r in replies:
        if r.judgement is None:
            skipped += 1
            continue
        if r.level is None:
            none += 1
        else:
            levels[r.level] += 1
        for a in r.acts:
            acts[a] = acts.get(a, 0) + 1
    return Shape(levels=levels, none=none, acts=acts, skipped=skipped)


def participants(
    replies: Sequence[Reply], thread_mean: float | None, thread_attack_share: float
) -> tuple[Participant, ...]:
    """Each author's profile, most active first.

    An author pulls the thread ``"down"`` when they attack the person more often than the thread
    as a whole does, or their mean level is at least :data:`PULL_MARGIN` below the thread's;
    ``"up"`` when they never attack and their mean level is at least that much above it.
    """
    by_author: dict[str, list[Reply]] = defaultdict(list)
    for r in replies:
        if r.judgement is not None or r.author != ANONYMOUS:  # not an unsigned deleted comment
            by_author[r.author].append(r)
    out = []
    for author, rs in by_author.items():
        sub = shape(rs)
        ranks = [r.rank for r in rs if r.rank is not None]
        mean = sum(ranks) / len(ranks) if ranks else None
        share = sub.attacks / sub.judged if sub.judged else 0.0
        delta = mean - thread_mean if mean is not None and thread_mean is not None else None
        if (sub.attacks and share > thread_attack_share) or (
            delta is not None and delta <= -PULL_MARGIN
        ):
            pull = "down"
        elif not sub.attacks and delta is not None and delta >= PULL_MARGIN:
            pull = "up"
        else:
            pull = "level"
        out.append(Participant(author, len(rs), sub.levels, sub.none, mean, share, delta, pull))
    out.sort(key=lambda p: (-p.comments, p.author))
    return tuple(out)


def turning_point(replies: Sequence[Reply]) -> TurningPoint | None:
    """The first reply, in reply order, judged as name-calling or ad hominem."""
    for r in replies:
        if r.is_attack and r.level is not None:
            text = " ".join(r.text.split())
            quote = text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"
            return TurningPoint(r.index, r.comment_id, r.author, r.level, quote)
    return None
