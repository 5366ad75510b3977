"""Streaming batch scoring: judge every reply of a file, of any size.

``score_file(IN, OUT)`` reads JSONL, CSV or Parquet (JSONL and CSV also ``.gz``/``.zst``),
judges each row's text against its parent, and writes the rows in the same order to ``OUT``,
each with a ``"steelman"`` key holding :meth:`Judgement.to_dict` (JSON text in CSV and Parquet
columns). It reads and writes in chunks, so memory stays flat; judges with ``workers``
processes, or on Ray (``engine="ray"``); resumes a stopped run from its checkpoint; and finds
parents by id within a bounded window. The ``steelman score`` command is a thin layer over it.

What's where:

==================  ==========================================================================
``api``             :func:`score_file` and :class:`ScoreSummary`
``formats``         file formats by name; compressed streams
``readers``         streaming readers: each record with its line number
``prepare``         records -> items for the judge (text, parent, or why not)
``parents``         parents by id: a bounded window, or an SQLite index
``judging``         what a worker does with a chunk; the :class:`Scorer` protocol
``local``           the local engine: a process pool
``ray_engine``      the Ray engine: Ray Data with an actor pool
``writers``         segment writers per format; joining segments
``output``          segments -> ``OUT``; ``checkpoint``: resumable runs
``compat``          the optional packages (pyarrow, zstandard, ray), imported in one place
==================  ==========================================================================
"""

from steelman.batch.api import ProgressHook, ScoreSummary, score_file
from steelman.batch.formats import FileFormat
from steelman.batch.judging import JudgeFactory, Scorer
from steelman.batch.parents import ParentIndex, ParentWindow

__all__ = [
    "FileFormat",
    "JudgeFactory",
    "ParentIndex",
    "ParentWindow",
    "ProgressHook",
    "ScoreSummary",
    "Scorer",
    "score_file",
]
