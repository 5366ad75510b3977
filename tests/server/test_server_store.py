"""The store's behaviour, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from steelman.data.comments import Comment as SourceComment
from steelman.server.db import Conflict, NotFound, Store

JUDGED = {"level": "DH1", "attack": 0.8, "label": "DH1 Ad hominem", "because": []}


def test_thread_is_made_once_per_address(store: Store) -> None:
    assert store.thread("https://blog.example/a") is None
    first = store.thread("https://blog.example/a", create=True, title="A")
    again = store.thread("https://blog.example/a", create=True, title="ignored")
    assert first is not None and again is not None
    assert first.id == again.id and again.title == "A" and not again.closed


def test_add_comment_records_judgement_and_audit(store: Store) -> None:
    thread = store.thread("t", create=True)
    assert thread is not None
    c, created = store.add_comment(
        thread_id=thread.id, text="hello", status="pending", actor="author", judgement=JUDGED
    )
    assert created and c.level == "DH1" and c.risk == pytest.approx(0.8) and c.judged
    assert store.comment(c.id).judgement == JUDGED
    (entry,) = store.audit_log(comment_id=c.id)
    assert (entry.actor, entry.action, entry.detail["status"]) == ("author", "post", "pending")


def test_request_id_makes_a_retry_idempotent(store: Store) -> None:
    thread = store.thread("t", create=True)
    assert thread is not None
    a, new_a = store.add_comment(
        thread_id=thread.id, text="x", status="published", actor="author", request_id="r1"
    )
    b, new_b = store.add_comment(
        thread_id=thread.id, text="x", status="published", actor="author", request_id="r1"
    )
    assert new_a and not new_b and a.id == b.id
    assert store.count() == 1


def test_reply_to_a_comment_of_another_thread_is_refused(store: Store) -> None:
    one, two = store.thread("one", create=True), store.thread("two", create=True)
    assert one is not None and two is not None
    c, _ = store.add_comment(thread_id=one.id, text="x", status="published", actor="author")
    with pytest.raises(NotFound):
        store.add_comment(thread_id=two.id, parent_id=c.id, text="y", status="published", actor="a")


def test_queue_is_pending_only_riskiest_first(store: Store) -> None:
    thread = store.thread("t", create=True)
    assert thread is not None
    for text, risk, status in [
        ("a", 0.2, "pending"),
        ("b", 0.9, "pending"),
        ("c", 0.99, "published"),
    ]:
        store.add_comment(
            thread_id=thread.id,
            text=text,
            status=status,
            actor="author",
            judgement={**JUDGED, "attack": risk},
        )
    assert [c.text for c in store.queue()] == ["b", "a"]


def test_update_changes_fields_and_logs_reason(store: Store) -> None:
    thread = store.thread("t", create=True)
    assert thread is not None
    c, _ = store.add_comment(thread_id=thread.id, text="x", status="pending", actor="author")
    assert not c.judged
    done = store.update(
        c.id, actor="mod", action="reject", why="off topic", status="rejected", reason="off topic"
    )
    assert done.status == "rejected" and done.modified is not None and done.reason == "off topic"
    assert store.audit_log(comment_id=c.id)[0].reason == "off topic"
    judged = store.update(c.id, actor="steelman", action="judge", judgement=JUDGED)
    assert judged.judged and judged.level == "DH1"
    assert store.unjudged() == []
    with pytest.raises(NotFound):
        store.update(999, actor="mod", action="approve", status="published")


def test_close_thread_is_audited(store: Store) -> None:
    thread = store.thread("t", create=True)
    assert thread is not None
    assert store.set_closed(thread.id, True, actor="mod", reason="heated").closed
    entry = store.audit_log()[0]
    assert (entry.action, entry.thread_id, entry.reason) == ("close", thread.id, "heated")
    assert [n for _, n in store.threads()] == [0]


def test_users_sessions_and_bans(store: Store) -> None:
    user = store.add_user("mod", "hash")
    with pytest.raises(Conflict):
        store.add_user("mod", "other")
    store.add_session("tok", user, "csrf", expires=9e9)
    session = store.session("tok")
    assert session is not None and session.user.username == "mod" and session.csrf == "csrf"
    store.add_session("old", user, "csrf", expires=1.0)
    assert store.session("old") is None  # expired
    store.set_password("mod", "new hash")
    assert store.session("tok") is None  # a new password ends sessions
    store.ban("email", "h1", actor="mod", reason="spam")
    store.ban("email", "h1", actor="mod", reason="again")
    assert store.banned([("address", ""), ("email", "h1")]) is not None
    assert store.banned([("email", "h2")]) is None
    assert store.meta("secret", "a") == store.meta("secret", "b") == "a"


def test_import_keeps_replies_under_their_parents_and_is_idempotent(store: Store) -> None:
    when = datetime(2024, 1, 2, tzinfo=UTC)
    source = [
        SourceComment("1", None, "ann", "First", "https://blog.example/p", created=when),
        SourceComment("2", "1", "bob", "Reply", "https://blog.example/p"),
        SourceComment("3", None, None, "[deleted]", "https://blog.example/p", deleted=True),
    ]
    assert store.import_comments(source, actor="mod").imported == 3
    assert store.import_comments(source, actor="mod").imported == 0
    thread = store.thread("https://blog.example/p")
    assert thread is not None
    first, reply, gone = store.comments(thread.id, ("published", "deleted"))
    assert reply.parent_id == first.id and first.created == when.timestamp()
    assert gone.status == "deleted" and gone.text == ""
    assert len(store.unjudged()) == 2


def test_concurrent_writers_lose_and_duplicate_nothing(store: Store) -> None:
    thread = store.thread("t", create=True)
    assert thread is not None

    def write(worker: int) -> None:
        for i in range(25):
            for _ in range(2):  # every post is retried once: must be stored once
                store.add_comment(
                    thread_id=thread.id,
                    text=f"{worker}-{i}",
                    status="published",
                    actor="author",
                    request_id=f"{worker}-{i}",
                )

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    texts = [c.text for c in store.comments(thread.id)]
    assert sorted(texts) == sorted(f"{w}-{i}" for w in range(6) for i in range(25))
