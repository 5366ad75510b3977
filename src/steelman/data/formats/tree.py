"""Reply trees: comments grouped by thread, ordered parents first, with the damage reported.

Real exports are messy. Rather than fail, :func:`build_threads` repairs what it must and says
so in ``Thread.problems``: a reply to a missing comment (an orphan) or to itself becomes top
level; a reply cycle is broken by making its first-seen comment top level; of several comments
with one id the first is kept. Deleted comments stay as placeholders so replies keep a parent.
The comments themselves are not changed: ask the thread (``parent_of``) for the repaired tree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC

from steelman.data.comments import Comment

__all__ = ["Thread", "build_threads"]


@dataclass
class Thread:
    """One discussion: ``comments`` in reading order (each parent before its replies, siblings
    by time, then input order; comments without a time after those with one)."""

    id: str
    comments: list[Comment]
    problems: list[str] = field(default_factory=list)
    _parent: dict[str, str | None] = field(default_factory=dict, repr=False)
    _children: dict[str | None, list[str]] = field(default_factory=dict, repr=False)
    _depth: dict[str, int] = field(default_factory=dict, repr=False)
    _by_id: dict[str, Comment] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.comments)

    def __contains__(self, comment_id: object) -> bool:
        return comment_id in self._by_id

    def get(self, comment_id: str) -> Comment | None:
        """The comment with this id, or ``None``."""
        return self._by_id.get(comment_id)

    def parent_of(self, comment_id: str) -> Comment | None:
        """The comment this one replies to in the repaired tree (``None``: top level)."""
        parent = self._parent[self._known(comment_id)]
        return None if parent is None else self._by_id[parent]

    def children(self, comment_id: str | None = None) -> list[Comment]:
        """The direct replies to a comment, in order; ``None`` gives the top-level comments."""
        key = None if comment_id is None else self._known(comment_id)
        return [self._by_id[c] for c in self._children.get(key, [])]

    def depth(self, comment_id: str) -> int:
        """0 for a top-level comment, 1 for a reply to one, and so on."""
        return self._depth[self._known(comment_id)]

    def _known(self, comment_id: str) -> str:
        if comment_id not in self._by_id:
            raise KeyError(f"no comment {comment_id!r} in thread {self.id!r}")
        return comment_id


def build_threads(comments: Iterable[Comment]) -> dict[str, Thread]:
    """Group comments by ``thread`` (in first-seen order) and build each reply tree."""
    groups: dict[str, list[Comment]] = {}
    for comment in comments:
        groups.setdefault(comment.thread, []).append(comment)
    return {thread: _build(thread, members) for thread, members in groups.items()}


def _build(thread: str, members: list[Comment]) -> Thread:
    problems: list[str] = []
    by_id: dict[str, Comment] = {}
    for position, comment in enumerate(members):
        if comment.id in by_id:
            problems.append(
                f"duplicate id {comment.id!r} (input position {position + 1} of the thread); "
                "kept the first comment with it, dropped this one"
            )
        else:
            by_id[comment.id] = comment
    order = {cid: i for i, cid in enumerate(by_id)}
    parent: dict[str, str | None] = {}
    for cid, comment in by_id.items():
        target = comment.parent_id
        if target == cid:
            problems.append(f"comment {cid!r} replies to itself; made it top level")
            target = None
        elif target is not None and target not in by_id:
            problems.append(
                f"comment {cid!r} replies to {target!r}, which is not in the thread; "
                "made it top level"
            )
            target = None
        parent[cid] = target
    problems.extend(_break_cycles(parent, order))
    children: dict[str | None, list[str]] = {}
    for cid in sorted(by_id, key=lambda c: _sort_key(by_id[c], order[c])):
        children.setdefault(parent[cid], []).append(cid)
    depth: dict[str, int] = {}
    ordered: list[Comment] = []
    stack = [(cid, 0) for cid in reversed(children.get(None, []))]
    while stack:
        cid, level = stack.pop()
        depth[cid] = level
        ordered.append(by_id[cid])
        stack.extend((child, level + 1) for child in reversed(children.get(cid, [])))
    return Thread(thread, ordered, problems, parent, children, depth, by_id)


def _break_cycles(parent: dict[str, str | None], order: dict[str, int]) -> list[str]:
    """Cut every reply cycle at its first-seen comment; one problem line per cycle."""
    problems: list[str] = []
    state: dict[str, int] = {}  # 1: on the path being walked, 2: known to reach the top
    for start in parent:
        path: list[str] = []
        node: str | None = start
        while node is not None and not state.get(node):
            state[node] = 1
            path.append(node)
            node = parent[node]
        if node is not None and state[node] == 1:
            cycle = path[path.index(node) :]
            first = min(cycle, key=order.__getitem__)
            at = cycle.index(first)
            loop = [*cycle[at:], *cycle[:at], first]
            parent[first] = None
            problems.append(
                f"reply cycle {' -> '.join(repr(c) for c in loop)} (each replies to the next); "
                f"made {first!r} top level"
            )
        for visited in path:
            state[visited] = 2
    return problems


def _sort_key(comment: Comment, position: int) -> tuple[int, float, int]:
    created = comment.created
    if created is None:
        return (1, 0.0, position)
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return (0, created.timestamp(), position)
