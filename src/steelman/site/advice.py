"""The threshold advisor on a site's store: the scores of its comments and decisions, for the
bundled judge or a site layer, handed to :func:`steelman.site.advisor.advise`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from steelman.errors import InputError
from steelman.site.advisor import Advice, advise
from steelman.site.decisions import collect
from steelman.site.features import BASELINE, SITE_ATTRIBUTE

if TYPE_CHECKING:
    from steelman.server.db import Store
    from steelman.site.registry import SiteLayers

__all__ = ["DEFAULT_LOAD_PCT", "MIN_COMMENTS", "RECENT", "site_advice"]

DEFAULT_LOAD_PCT = 5.0  # the review load advised for until the owner names one (percent)
RECENT = 5000  # the latest comments the load is measured over
MIN_COMMENTS = 200  # fewer comments judged with the layer: the load is measured over decisions


def _score(j: dict[str, Any], layer: str | None) -> float | None:
    if layer is None:
        v = j.get(BASELINE)
    elif (j.get("model") or {}).get("site_layer") == layer:
        v = (j.get("attributes") or {}).get(SITE_ATTRIBUTE)
    else:
        return None
    return float(v) if isinstance(v, int | float) else None


def site_advice(
    store: Store, layers: SiteLayers, target_load: float, *, layer: str | None = None
) -> Advice:
    """Advice for ``layer`` (a name; ``"none"`` for the bundled judge; default: the one on).

    What it catches is measured on the decisions: for a layer, its held-out (out-of-fold)
    scores; for the bundled judge, the attack probability stored with each decided comment. The
    load is measured over the site's latest comments judged the same way, or, where fewer than
    :data:`MIN_COMMENTS` were, over the decisions themselves (which hold more rejections than
    the site at large, so the load on all comments would be lower)."""
    from steelman.server.db.site import SiteTables

    name = layers.active_name() if layer is None else ("" if layer == "none" else layer)
    if name:
        held = layers.load(name).metrics.get("heldout_scores") or {}
        scores = [float(v) for v in held.get("adapted", [])]
        rejected = [bool(v) for v in held.get("rejected", [])]
    else:
        decided = [d for d in collect(store) if d.judgement is not None]
        scores = [float((d.judgement or {}).get(BASELINE, 0.0)) for d in decided]
        rejected = [d.rejected for d in decided]
    if not scores:
        raise InputError(
            "no decisions to advise from yet: moderators' approvals and rejections are what the"
            " advisor measures a threshold against"
        )
    found = [_score(j, name or None) for j in SiteTables(store).recent_judgements(RECENT)]
    load = [v for v in found if v is not None]
    source = f"comments judged with {name}" if name else "comments (bundled judge)"
    if len(load) < MIN_COMMENTS:
        load = scores
        source = "decided replies (held-out; too few comments judged with it yet)"
    return advise(scores, rejected, load, target_load, load_source=source)
