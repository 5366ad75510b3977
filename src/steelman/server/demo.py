"""Demo mode: a sample post with a discussion at several levels and a demo moderator."""

from __future__ import annotations

from steelman.server.auth import add_moderator
from steelman.server.security import hash_password, new_token
from steelman.server.service import Comments, decide

__all__ = ["DEMO_DISCUSSION", "DEMO_URI", "seed_demo"]

DEMO_URI = "demo:cars-in-city-centres"
DEMO_TITLE = "Should cities ban cars from their centres?"

# (key, replies to, author, text). Written for the demo: one reply at most rungs of the pyramid.
DEMO_DISCUSSION: tuple[tuple[str, str | None, str, str], ...] = (
    (
        "a",
        None,
        "Maren",
        "Closing the centre to cars worked where I live. The shops complained for a year, then the"
        " footfall numbers came in higher than before and most of them stopped complaining.",
    ),
    (
        "b",
        "a",
        "Tobias",
        "That only works in a rich city with good trams. In my town the bus comes twice an hour,"
        " so a ban would cut off everyone who lives outside the ring road.",
    ),
    (
        "c",
        "b",
        "Maren",
        "You say the bus comes twice an hour, but the towns that did this ran extra buses and"
        " park-and-ride first. Ghent doubled its bus frequency before the ban, and ridership rose"
        " 30% in a year.",
    ),
    (
        "d",
        "b",
        "Jules",
        "What a stupid thing to say. You people will defend anything with an engine.",
    ),
    (
        "e",
        "c",
        "Tobias",
        "Do you know whether Ghent's park-and-ride was free, or did people pay to use it?",
    ),
    (
        "f",
        "a",
        "Priya",
        "Your point rests on footfall, but footfall is not sales. The figure that matters is"
        " turnover, and the studies I have seen measured visitors, not what they spent.",
    ),
    ("g", "f", "Sam", "Wow, no need to be so smug about it."),
)


def seed_demo(comments: Comments) -> str:
    """Seed the sample discussion (once) and make a moderator ``demo``; return its password."""
    store = comments.store
    thread = store.thread(DEMO_URI, create=True, title=DEMO_TITLE)
    assert thread is not None
    ids: dict[str, int] = {}
    for key, parent, author, text in DEMO_DISCUSSION:
        judgement = comments.try_judge(text, store.comment(ids[parent]).text if parent else None)
        status, note = decide(comments.settings, judgement)
        comment, _ = store.add_comment(
            thread_id=thread.id,
            parent_id=ids.get(parent) if parent else None,
            author=author,
            text=text,
            status=status,
            note=note,
            actor="demo",
            judgement=judgement,
            request_id=f"demo:{key}",
            source="demo",
        )
        ids[key] = comment.id
    comments.forecasts.update(thread.id)  # so that the "Heating up" page shows the demo thread
    password = new_token()[:12]
    if store.user("demo") is None:
        add_moderator(store, "demo", password)
    else:
        store.set_password("demo", hash_password(password))
    return password
