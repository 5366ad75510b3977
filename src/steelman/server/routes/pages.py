"""The web pages: judge a reply, report on a thread, the docs, the widget's script."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response

from steelman.errors import InputError
from steelman.judge.parts import WINDOW_CHARS
from steelman.levels import LEVELS
from steelman.server.attributes import describe, model_metrics, span_figures
from steelman.server.deps import State, client_address, public_base, rate_limit
from steelman.server.highlight import pieces, pyramid_rows
from steelman.server.perspective import DATA_NOTE, LANGUAGES
from steelman.server.settings import settings_help
from steelman.server.state import HERE, AppState
from steelman.server.threads import FORMATS, analyse_comments, read_thread_file
from steelman.threads import render_html

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _page(
    state: AppState, request: Request, name: str, status: int = 200, **context: Any
) -> Response:
    context.setdefault("formats", ("auto", *FORMATS))
    return state.templates.TemplateResponse(request, name, context, status_code=status)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, state: State) -> Response:
    return _page(state, request, "index.html", pyramid=pyramid_rows(None))


@router.post("/", response_class=HTMLResponse, dependencies=[Depends(rate_limit("judge"))])
def judge_form(
    request: Request,
    state: State,
    text: Annotated[str, Form()] = "",
    parent: Annotated[str, Form()] = "",
) -> Response:
    if not text.strip() or len(text) > state.settings.max_text_chars:
        why = "Paste a reply to judge." if not text.strip() else "That reply is too long."
        return _page(
            state,
            request,
            "index.html",
            422,
            error=why,
            text=text,
            parent=parent,
            pyramid=pyramid_rows(None),
        )
    result = state.batcher.judge_one(text, parent.strip() or None).to_dict()
    return _page(
        state,
        request,
        "index.html",
        text=text,
        parent=parent,
        result=result,
        pieces=pieces(text, result["because"]),
        pyramid=pyramid_rows(result["level"]),
    )


# The report is the thread library's self-contained page: inline styles and SVG, no script.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"


@router.post("/report", response_class=HTMLResponse, dependencies=[Depends(rate_limit("judge"))])
async def report(
    request: Request,
    state: State,
    file: Annotated[UploadFile | None, File()] = None,
    pasted: Annotated[str, Form()] = "",
    format: Annotated[str, Form()] = "auto",
) -> Response:
    """The thread report of an uploaded or pasted thread file."""
    name = file.filename if file is not None and file.filename else ""
    data = await file.read() if file is not None and name else pasted.encode()
    try:
        comments = read_thread_file(data, filename=name, format=format)
        limit = state.settings.max_batch * 8
        if len(comments) > limit:
            raise InputError(f"the thread has {len(comments)} comments; this page takes {limit}")
        out = await analyse_comments(state.batcher, comments, client=client_address(request))
    except InputError as exc:
        return _page(
            state,
            request,
            "index.html",
            422,
            thread_error=str(exc),
            pasted=pasted,
            pyramid=pyramid_rows(None),
        )
    return HTMLResponse(render_html(out), headers={"Content-Security-Policy": REPORT_CSP})


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request, state: State) -> Response:
    return _page(
        state,
        request,
        "docs.html",
        attributes=describe(metrics := model_metrics(state.judge)),
        spans=span_figures(metrics),
        window_chars=WINDOW_CHARS,
        languages=LANGUAGES,
        model=state.judge.info,
        data_note=DATA_NOTE,
        settings=settings_help(),
        levels=LEVELS,
        base=public_base(request),
    )


@router.get("/demo", response_class=HTMLResponse)
def demo_post(request: Request, state: State) -> Response:
    """A sample post with the comment widget under it (which talks to where the page came from)."""
    return _page(state, request, "demo.html", base="")


@router.get("/embed.js")
def embed_js() -> FileResponse:
    return FileResponse(HERE / "static" / "embed.js", media_type="text/javascript")
