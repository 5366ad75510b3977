"""The thread report for a terminal, drawn with rich: :func:`render_terminal`."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from steelman.levels import ACTS, LEVELS
from steelman.threads.layout import COLOURS, NONE_COLOUR, PLAIN, TURN_COLOUR, risk_words
from steelman.threads.report import ThreadReport

__all__ = ["render_terminal"]

_PULL = {"down": "[red]pulls it down[/]", "up": "[green]pulls it up[/]", "level": "keeps level"}
_TIMELINE_MAX = 200


def _pyramid(report: ThreadReport) -> Table:
    counts = report.shape.levels
    judged = max(report.shape.judged, 1)
    busiest = max(max(counts.values()), 1)
    turning = report.turning_point.level if report.turning_point else None
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, min_width=17)
    table.add_column(no_wrap=True, min_width=22)
    table.add_column(no_wrap=True, overflow="ellipsis")
    for lv in reversed(LEVELS):
        n = counts[lv.code]
        width = 5 + 2 * (len(LEVELS) - 1 - lv.rank)
        block = Text(lv.code.center(width), style=f"bold black on {COLOURS[lv.code]}")
        band = Text(" " * ((17 - width) // 2)) + block
        bar = Text("■" * round(12 * n / busiest), style=COLOURS[lv.code])
        bar.append(f" {n} ({n / judged:.0%})")
        words = Text()
        if lv.code == turning:
            words.append("← turning point  ", style=f"bold {TURN_COLOUR}")
        words.append(lv.name, style="bold")
        words.append(f" - {PLAIN[lv.code]}", style="dim")
        table.add_row(band, bar, words)
    return table


def _timeline(report: ThreadReport) -> Text:
    line = Text("levels in reply order: ")
    tp = report.turning_point.index if report.turning_point else -1
    for r in report.replies[:_TIMELINE_MAX]:
        if r.judgement is None:
            line.append("×", style="dim")
            continue
        ch = str(r.rank) if r.rank is not None else "·"
        colour = COLOURS[r.level] if r.level else NONE_COLOUR
        line.append(ch, style=f"bold reverse {TURN_COLOUR}" if r.index == tp else colour)
    if len(report.replies) > _TIMELINE_MAX:
        line.append(f" … ({len(report.replies) - _TIMELINE_MAX} more)")
    line.append("\n(0-6 = DH0-DH6, · = not a disagreement, × = deleted or empty)", style="dim")
    return line


def _participants(report: ThreadReport) -> Table:
    table = Table(title="Participants", title_justify="left")
    for col in ("participant", "replies", "DH0-1", "DH2-3", "DH4-6", "other", "mean", "effect"):
        table.add_column(col, justify="left" if col in ("participant", "effect") else "right")
    for p in report.participants[:25]:
        lv = p.levels
        table.add_row(
            Text(p.author),
            str(p.comments),
            str(lv["DH0"] + lv["DH1"]),
            str(lv["DH2"] + lv["DH3"]),
            str(lv["DH4"] + lv["DH5"] + lv["DH6"]),
            str(p.none),
            f"{p.mean_rank:.1f}" if p.mean_rank is not None else "-",
            _PULL[p.pull],
        )
    return table


def render_terminal(report: ThreadReport) -> RenderableType:
    """Shape (pyramid and acts), timeline, turning point, participants and risk."""
    sh = report.shape
    head = Text(f"Thread {report.thread_id}", style="bold")
    head.append(
        f"  {len(report.replies)} comments, {len(report.participants)} people,"
        f" {sh.none} not disagreements, {sh.skipped} deleted/empty",
        style="dim",
    )
    acts = ", ".join(f"{a.name.lower()} {sh.acts[a.code]}" for a in ACTS if sh.acts.get(a.code))
    if report.problems:
        head.append(f"\n{len(report.problems)} repairs to the reply tree, e.g. ", style="dim")
        head.append(report.problems[0], style="dim")
    parts: list[RenderableType] = [head, _pyramid(report)]
    parts.append(Text(f"Other moves: {acts or 'none stood out'}"))
    parts.append(_timeline(report))
    tp = report.turning_point
    if tp is not None:
        parts.append(
            Panel(
                Text(tp.quote),
                border_style=TURN_COLOUR,
                title=Text(f"turning point: reply #{tp.index} by {tp.author} ({tp.level})"),
                title_align="left",
            )
        )
    else:
        parts.append(Text("No reply attacked the person.", style="green"))
    parts.append(_participants(report))
    if report.risk is not None:
        parts.append(
            Text.assemble(
                ("Escalation risk: ", "bold"),
                (f"{report.risk:.0%} ({risk_words(report.risk)})", "bold"),
                (
                    " forecast, from the comments so far, that the discussion turns to personal"
                    " attacks (learned from derailed Wikipedia and Reddit conversations).",
                    "dim",
                ),
            )
        )
        if report.rise is not None:
            r = report.rise
            parts.append(
                Text(
                    f"Risk rose most after reply #{r.index} by {r.author}:"
                    f" {r.before:.0%} -> {r.after:.0%}."
                )
            )
    return Group(*parts)
