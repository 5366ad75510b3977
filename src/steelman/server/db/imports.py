"""Importing an export into the store: the source's moderation kept, nothing dropped silently.

WordPress and Disqus say which comments they published. Those are published (and judged later
by the re-judge pass); pending ones are held for a moderator; spam and trash are kept hidden
(rejected, with the reason) and their replies move up to the nearest ancestor readers can see.
A comment deleted at the source stays as an empty, nameless placeholder for its replies. A record
whose id was seen before, in this file or an earlier import, is reported with its line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from steelman.data.comments import Comment as SourceComment
from steelman.errors import RecordError
from steelman.server.db.backend import key_problem

if TYPE_CHECKING:
    from steelman.server.db.store import Store

__all__ = ["ImportReport", "Skipped", "import_comments"]

#: How many skipped records a report lists one by one (all are counted).
MAX_LISTED = 100
_HIDDEN = {"spam": "marked as spam in the export", "trash": "in the trash in the export"}


@dataclass(frozen=True)
class Skipped:
    """A record not imported because its id was imported already."""

    line: int | None
    thread: str
    id: str
    why: str


@dataclass
class ImportReport:
    """What an import did: new comments, how many of them held or hidden, and what it skipped."""

    imported: int = 0
    held: int = 0
    hidden: int = 0
    duplicates: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def skip(self, entry: Skipped) -> None:
        self.duplicates += 1
        if len(self.skipped) < MAX_LISTED:
            self.skipped.append(entry)

    def to_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "held": self.held,
            "hidden": self.hidden,
            "duplicates": self.duplicates,
            "skipped": [vars(s) for s in self.skipped],
        }

    def summary(self) -> str:
        """One paragraph for the moderators' page."""
        text = f"Imported {self.imported} comments"
        if self.held or self.hidden:
            text += f" ({self.held} held for moderation, {self.hidden} spam or trash kept hidden)"
        text += "; they will be judged in the background."
        if self.duplicates:
            lines = ", ".join(
                f"line {s.line} (id {s.id}: {s.why})" if s.line else f"id {s.id} ({s.why})"
                for s in self.skipped
            )
            more = " and more" if self.duplicates > len(self.skipped) else ""
            text += f" Skipped {self.duplicates} duplicates: {lines}{more}."
        return text


def import_comments(store: Store, comments: Iterable[SourceComment], *, actor: str) -> ImportReport:
    """Add comments read by an importer (see the module's docstring); importing the same file
    twice adds nothing, since the source id is the request id."""
    parents: dict[tuple[str, str], int | None] = {}  # source id -> store id its replies go under
    lines: dict[tuple[str, str], int | None] = {}
    report = ImportReport()
    for c in comments:
        key = (c.thread, c.id)
        if key in lines:
            first = lines[key]
            why = f"the same id as line {first}" if first else "the same id as an earlier record"
            report.skip(Skipped(c.line, c.thread, c.id, why))
            continue
        lines[key] = c.line
        uri = str(c.extra.get("thread_link") or c.thread)
        if problem := key_problem(uri, "the thread"):
            raise RecordError(problem, line=c.line, field="thread")
        thread = store.thread(uri, create=True, title=str(c.extra.get("thread_title", "")))
        assert thread is not None
        parent = parents.get((c.thread, c.parent_id)) if c.parent_id else None
        moderation = c.extra.get("moderation")
        status, reason, author, text = "published", "", c.author or "", c.text
        if moderation in _HIDDEN:
            status, reason, text = "rejected", _HIDDEN[moderation], ""
        elif c.deleted:
            status, author, text = "deleted", "", ""
        elif moderation == "pending":
            status = "pending"
        comment, new = store.add_comment(
            thread_id=thread.id,
            parent_id=parent,
            author=author,
            text=text,
            status=status,
            actor=actor,
            request_id=_request_id(c),
            source="import",
            created=c.created.timestamp() if c.created else None,
        )
        if new and reason:
            store.update(comment.id, actor=actor, action="reject", why=reason, reason=reason)
        parents[key] = parent if comment.status == "rejected" else comment.id
        if not new:
            report.skip(Skipped(c.line, c.thread, c.id, "imported before"))
            continue
        report.imported += 1
        report.held += int(status == "pending")
        report.hidden += int(status == "rejected")
    store.record(
        actor, "import", count=report.imported, held=report.held, duplicates=report.duplicates
    )
    return report


def _request_id(c: SourceComment) -> str:
    """The source's own id, which makes a second import of a record a no-op; hashed when it is
    too long for the index (a long thread and a long id together)."""
    request_id = f"import:{c.thread}:{c.id}"
    if key_problem(request_id, "the request id"):
        digest = hashlib.sha256(f"{c.thread}\0{c.id}".encode())
        return f"import-sha256:{digest.hexdigest()}"
    return request_id
