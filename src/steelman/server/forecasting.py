"""The forecast per open thread, kept up to date as comments arrive (Escalation 2).

After a comment is stored (posted, edited, judged, moderated), :meth:`ThreadForecasts.update`
reads the thread's comments back, turns their stored judgements into replies and gives the
escalation model's forecast: the probability that the discussion turns to personal attacks, and
the comments that raised it most. A new comment costs one feature computation
(:func:`steelman.threads.forecast.advance`); anything else recomputes the thread's trajectory.
Comments held or rejected count (a moderator should see the heat they hid); deleted and
withdrawn ones, and moderator notes, do not. With a site layer on, a comment's attack probability
is read as the layer's probability that the site rejects it. Knows the store and the model,
never HTTP.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from steelman.errors import SteelmanError
from steelman.server.db import Comment, Store
from steelman.server.db.forecasts import Forecasts, StoredForecast
from steelman.site.features import SITE_ATTRIBUTE
from steelman.threads.analyse import ANONYMOUS
from steelman.threads.escalation import EscalationModel, load_bundled_escalation
from steelman.threads.forecast import Forecast, advance, forecast, judgement_from_dict
from steelman.threads.report import Reply, Rise

__all__ = ["COUNTED", "WINDOW", "ThreadForecasts"]

log = logging.getLogger(__name__)

COUNTED = ("published", "pending", "rejected")
# A recomputed forecast looks for its movers among the last WINDOW comments (the cost of the
# search grows with the square of the comments searched; a new comment costs one step).
WINDOW = 100


def _site_view(judgement: dict[str, Any]) -> dict[str, Any]:
    """A judgement made with a site layer on is read with the layer's probability that the
    site's moderators reject the reply in place of the attack probability: the forecast then
    rises with what this site removes, not with what the bundled judge calls an attack."""
    site = (judgement.get("attributes") or {}).get(SITE_ATTRIBUTE)
    return {**judgement, "attack": float(site)} if isinstance(site, int | float) else judgement


def _replies(comments: list[Comment]) -> list[Reply]:
    out: list[Reply] = []
    for c in comments:
        if c.source == "moderator":
            continue
        out.append(
            Reply(
                index=len(out),
                comment_id=str(c.id),
                author=c.author or ANONYMOUS,
                parent_id=str(c.parent_id) if c.parent_id is not None else None,
                text=c.text,
                judgement=judgement_from_dict(_site_view(c.judgement)) if c.judgement else None,
                skipped=None if c.judgement else "not judged yet",
            )
        )
    return out


def _previous(stored: StoredForecast | None) -> Forecast | None:
    if stored is None:
        return None
    return Forecast(stored.risk, stored.replies, tuple(Rise.from_dict(m) for m in stored.movers))


class ThreadForecasts:
    """Keeps the ``forecasts`` table in step with the comments.

    ``model`` is the escalation model, ``"bundled"`` (the default) for the shipped one, or
    ``None`` to keep no forecasts. A model that cannot be loaded turns forecasting off (logged
    once); a failed update is logged and never fails the action that caused it.
    """

    def __init__(
        self, store: Store, model: EscalationModel | Literal["bundled"] | None = "bundled"
    ) -> None:
        self.store = store
        self.table = Forecasts(store)
        self._model = model

    @property
    def model(self) -> EscalationModel | None:
        if self._model == "bundled":
            try:
                self._model = load_bundled_escalation()
            except SteelmanError as exc:
                log.warning("no thread forecasts: %s", exc)
                self._model = None
        return self._model

    def compute(self, thread_id: int, *, new: Comment | None = None) -> Forecast | None:
        """The thread's forecast now (not stored). With ``new``, the comment just stored."""
        model = self.model
        if model is None:
            return None
        replies = _replies(self.store.comments(thread_id, COUNTED))
        previous = _previous(self.table.get(thread_id))
        if (
            previous is not None
            and new is not None
            and replies
            and replies[-1].comment_id == str(new.id)
        ):
            return advance(previous, replies, model)
        return forecast(replies, model, window=WINDOW)

    def update(self, thread_id: int, *, new: Comment | None = None) -> Forecast | None:
        """Recompute and store the thread's forecast; ``None`` when forecasting is off or the
        update failed (logged)."""
        try:
            ahead = self.compute(thread_id, new=new)
            model = self.model
            if ahead is None or model is None:
                return None
            self.table.put(
                thread_id,
                risk=ahead.risk,
                replies=ahead.replies,
                movers=[m.to_dict() for m in ahead.movers],
                model=f"{model.name} {model.version}",
            )
        except SteelmanError as exc:
            log.warning("forecast of thread %s not updated: %s", thread_id, exc)
            return None
        return ahead

    def refresh_missing(self, limit: int = 100) -> int:
        """Forecast open threads that have none yet (after an import, or an upgrade from a
        version without forecasts); return how many were forecast."""
        if self.model is None:
            return 0
        done = 0
        for thread_id in self.table.missing(limit):
            done += self.update(thread_id) is not None
        return done
