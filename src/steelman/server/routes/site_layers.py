"""The site layer: the page (``/admin/site``) and JSON API (``/api/admin/site``) to adapt the
judge to the site's own moderation decisions, switch a layer on, roll back, and choose a hold
threshold for a review load. Every action is audited by the library (:mod:`steelman.site`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from steelman.errors import InputError, ModelError
from steelman.server.deps import Admin, MaybeAdmin, State, admin_session
from steelman.server.routes.admin_pages import _page, _to_login
from steelman.server.state import AppState
from steelman.site.adapt import AdaptOptions, adapt
from steelman.site.advice import DEFAULT_LOAD_PCT, site_advice
from steelman.site.advisor import curve_svg
from steelman.site.judge import SiteJudge
from steelman.site.registry import SiteLayers

__all__ = ["api_router", "page_router"]

page_router = APIRouter(prefix="/admin", include_in_schema=False)
api_router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(admin_session)])


def _layers(state: AppState) -> SiteLayers:
    judge = state.judge
    if isinstance(judge, SiteJudge):
        return judge.layers
    return SiteLayers(state.settings.site_layers, state.store)


def overview(state: AppState) -> dict[str, Any]:
    """The layer on, every layer with its held-out figures, and the recent switches."""
    layers = _layers(state)
    rows: list[dict[str, Any]] = []
    for name in reversed(layers.names()):
        try:
            layer = layers.load(name)
        except ModelError as exc:
            rows.append({"name": name, "error": str(exc)})
            continue
        held = layer.metrics.get("heldout", {})
        rows.append(
            {
                "name": name,
                "created": layer.created,
                "decisions": layer.decisions.get("total", 0),
                "rejected": layer.decisions.get("rejected", 0),
                "by_kind": layer.decisions.get("by_kind", {}),
                "auc_bundled": held.get("auc_bundled"),
                "auc_adapted": held.get("auc_adapted"),
                "gain": held.get("gain"),
                "threshold": layer.threshold,
            }
        )
    history = [
        {"at": e.at, "actor": e.actor, "action": e.action, "reason": e.reason, **e.detail}
        for e in layers.tables.history(20)
    ]
    return {"active": layers.active_name(), "layers": rows, "history": history}


def _base_judge(state: AppState) -> Any:
    judge = state.judge
    return judge.inner if isinstance(judge, SiteJudge) else judge


# The page ----------------------------------------------------------------------------------------


def _site_page(
    state: AppState, request: Request, session: Any, load: float, message: str = ""
) -> Response:
    try:
        advice = site_advice(state.store, _layers(state), load / 100)
        svg, advice_error = curve_svg(advice), ""
    except InputError as exc:
        advice, svg, advice_error = None, "", str(exc)
    return _page(
        state,
        request,
        "site.html",
        session,
        load=load,
        advice=advice,
        svg=svg,
        advice_error=advice_error,
        message=message,
        **overview(state),
    )


@page_router.get("/site", response_class=HTMLResponse)
def site_page(
    request: Request,
    session: MaybeAdmin,
    state: State,
    load: Annotated[float, Query(ge=0, le=100)] = DEFAULT_LOAD_PCT,
) -> Response:
    if session is None:
        return _to_login()
    return _site_page(state, request, session, load)


@page_router.post("/site/adapt", response_class=HTMLResponse)
def adapt_form(
    request: Request,
    session: Admin,
    state: State,
    switch: Annotated[str, Form()] = "",
    threshold: Annotated[float, Form(ge=0, le=1)] = 0.5,
) -> Response:
    report = adapt(
        state.store,
        _base_judge(state),
        _layers(state),
        options=AdaptOptions(threshold=threshold),
        actor=session.user.username,
        switch=switch == "1",
    )
    return _site_page(state, request, session, DEFAULT_LOAD_PCT, report.summary())


@page_router.post("/site/switch", response_class=HTMLResponse)
def switch_form(
    request: Request,
    session: Admin,
    state: State,
    name: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        _layers(state).switch(name, actor=session.user.username, reason=reason)
    except (InputError, ModelError) as exc:
        return _site_page(state, request, session, DEFAULT_LOAD_PCT, f"Not switched: {exc}")
    return RedirectResponse("/admin/site", status_code=303)


@page_router.post("/site/rollback", response_class=HTMLResponse)
def rollback_form(
    request: Request,
    session: Admin,
    state: State,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        _layers(state).rollback(actor=session.user.username, reason=reason)
    except InputError as exc:
        return _site_page(state, request, session, DEFAULT_LOAD_PCT, f"Not rolled back: {exc}")
    return RedirectResponse("/admin/site", status_code=303)


# The JSON API ------------------------------------------------------------------------------------


class SwitchIn(BaseModel):
    name: str = Field("", max_length=40, description='A layer\'s name ("site-3"); "" for none.')
    reason: str = Field("", max_length=2000, description="Why (kept in the audit log).")


class RollbackIn(BaseModel):
    reason: str = Field("", max_length=2000, description="Why (kept in the audit log).")


@api_router.get("/site")
def site_api(state: State) -> dict[str, Any]:
    """The site layer switched on, every layer with its held-out figures, recent switches."""
    return overview(state)


@api_router.get("/site/advice")
def advice_api(
    state: State, load: Annotated[float, Query(ge=0, le=100)] = DEFAULT_LOAD_PCT
) -> dict[str, Any]:
    """The hold threshold that holds at most ``load`` percent of comments, what it would have
    caught, and the curve."""
    return site_advice(state.store, _layers(state), load / 100).to_dict()


@api_router.post("/site/switch")
def switch_api(body: SwitchIn, session: Admin, state: State) -> dict[str, Any]:
    """Switch a layer on ("" for none); audited. Returns the layer on and the one before."""
    previous = _layers(state).switch(body.name, actor=session.user.username, reason=body.reason)
    return {"active": body.name, "previous": previous}


@api_router.post("/site/rollback")
def rollback_api(body: RollbackIn, session: Admin, state: State) -> dict[str, Any]:
    """Switch back to the layer on before the current one; audited."""
    back = _layers(state).rollback(actor=session.user.username, reason=body.reason)
    return {"active": back}
