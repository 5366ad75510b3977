"""Thread analysis: judge every reply of a discussion in context and describe the discussion.

- :func:`analyse_thread` / :func:`analyse_threads`: shape (Graham's pyramid and acts), each
  participant's profile, the timeline and its turning point, and the escalation risk.
- :func:`forecast` / :class:`Forecast`: the escalation forecast from the comments so far, and
  the comments that raised it most (:class:`Rise`).
- :func:`render_html`, :func:`render_png`, :func:`render_terminal`: the report, drawn.
- :func:`summarise` / :func:`write_summary`: one row per thread, the moderator's triage list.
- :class:`EscalationModel` / :func:`train_escalation`: the escalation model (stored as data).
"""

from steelman.threads.analyse import analyse_thread, analyse_threads
from steelman.threads.escalation import EscalationModel
from steelman.threads.features import FEATURE_NAMES, thread_features
from steelman.threads.forecast import Forecast, forecast
from steelman.threads.grouping import iter_threads
from steelman.threads.html import render_html
from steelman.threads.png import render_png
from steelman.threads.report import Participant, Reply, Rise, Shape, ThreadReport, TurningPoint
from steelman.threads.summary import SUMMARY_COLUMNS, summarise, write_summary
from steelman.threads.terminal import render_terminal
from steelman.threads.training import train_escalation

__all__ = [
    "FEATURE_NAMES",
    "SUMMARY_COLUMNS",
    "EscalationModel",
    "Forecast",
    "Participant",
    "Reply",
    "Rise",
    "Shape",
    "ThreadReport",
    "TurningPoint",
    "analyse_thread",
    "analyse_threads",
    "forecast",
    "iter_threads",
    "render_html",
    "render_png",
    "render_terminal",
    "summarise",
    "thread_features",
    "train_escalation",
    "write_summary",
]
