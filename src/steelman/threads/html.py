"""A self-contained HTML report of one thread: :func:`render_html`.

One file, no scripts, no fonts, images or styles loaded from anywhere: the charts are inline
SVG. Every piece of user text (authors, comment text, thread id) is escaped.
"""

from __future__ import annotations

from html import escape

from steelman.levels import ACTS
from steelman.threads.layout import COLOURS, LEGEND, NONE_COLOUR, TURN_COLOUR, risk_words
from steelman.threads.report import Reply, ThreadReport
from steelman.threads.svg import profile_svg, pyramid_svg, timeline_svg

__all__ = ["MAX_LISTED_REPLIES", "render_html"]

MAX_LISTED_REPLIES = 2000
_PULL = {"down": "pulls it down", "up": "pulls it up", "level": "keeps level"}

_CSS = f"""
body {{ font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  margin: 0 auto; max-width: 980px; padding: 24px; color: #222; line-height: 1.45; }}
h1 {{ font-size: 24px; margin-bottom: 4px; }} h2 {{ font-size: 19px; margin-top: 32px; }}
.muted {{ color: #666; }} .small {{ font-size: 13px; }}
.legend span {{ display: inline-block; margin-right: 18px; font-size: 13px; }}
.swatch {{ display: inline-block; width: 12px; height: 12px; margin-right: 5px;
  vertical-align: -1px; border-radius: 2px; }}
.risk {{ font-size: 20px; font-weight: bold; }}
.meter {{ background: #eee; height: 14px; width: 320px; border-radius: 7px; overflow: hidden; }}
.meter div {{ height: 14px; }}
blockquote {{ border-left: 5px solid {TURN_COLOUR}; margin: 8px 0; padding: 8px 14px;
  background: #f6f0fa; white-space: pre-wrap; }}
table {{ border-collapse: collapse; font-size: 14px; }}
td, th {{ padding: 5px 10px; border-bottom: 1px solid #e5e5e5; text-align: left;
  vertical-align: top; }}
.badge {{ display: inline-block; padding: 1px 7px; border-radius: 9px; font-size: 12px;
  font-weight: bold; color: #222; white-space: nowrap; }}
.reply {{ border-bottom: 1px solid #eee; padding: 8px 0; }}
.reply.turn {{ background: #f6f0fa; border-left: 5px solid {TURN_COLOUR}; padding-left: 10px; }}
.text {{ white-space: pre-wrap; margin-top: 4px; }}
"""


def _badge(code: str | None) -> str:
    colour = COLOURS[code] if code else NONE_COLOUR
    text = code or "not a disagreement"
    fg = "#fff" if code in ("DH0", "DH1", "DH6") else "#222"
    return f"<span class='badge' style='background:{colour};color:{fg}'>{escape(text)}</span>"


def _legend() -> str:
    items = "".join(
        f"<span><i class='swatch' style='background:{c}'></i>{escape(t)}</span>" for c, t in LEGEND
    )
    turn = (
        f"<span><i class='swatch' style='border:3px solid {TURN_COLOUR};width:8px;height:8px'>"
        "</i>purple outline: the"
        " turning point, the first reply that attacked the person</span>"
    )
    return f"<p class='legend'>{items}{turn}</p>"


def _risk(report: ThreadReport) -> str:
    if report.risk is None:
        return "<p class='muted'>Escalation risk was not estimated.</p>"
    pct = report.risk * 100
    colour = (
        COLOURS["DH0"] if report.risk >= 0.7 else "#fc8d59" if report.risk >= 0.4 else "#66bd63"
    )
    rise = report.rise
    rose = (
        f"<p>Risk rose most after reply #{rise.index} by {escape(rise.author)}:"
        f" {rise.before:.0%} &rarr; {rise.after:.0%}.</p>"
        if rise is not None
        else ""
    )
    return (
        f"<p class='risk'>{pct:.0f}% &mdash; {risk_words(report.risk)}</p>"
        f"<div class='meter'><div style='width:{pct:.1f}%;background:{colour}'></div></div>"
        f"{rose}"
        "<p class='small muted'>The forecast, from the comments so far, that this discussion"
        " turns to personal attacks, learned from Wikipedia and Reddit conversations that did"
        " (Conversations Gone Awry); on Wikipedia-style disputes it also ranks those needing"
        " outside mediation. Use it to decide which threads to read first, not as a verdict.</p>"
    )


def _acts(report: ThreadReport) -> str:
    seen = [(a, report.shape.acts.get(a.code, 0)) for a in ACTS]
    rows = "".join(
        f"<tr><td>{escape(a.name)}</td><td class='muted'>{escape(a.definition)}</td><td>{n}</td>"
        "</tr>"
        for a, n in seen
        if n
    )
    if not rows:
        return "<p class='muted'>No questions, clarifications or other such moves stood out.</p>"
    return f"<table><tr><th>move</th><th>what it means</th><th>replies</th></tr>{rows}</table>"


def _participants(report: ThreadReport) -> str:
    rows = []
    for p in report.participants:
        mean = f"{p.mean_rank:.1f}" if p.mean_rank is not None else "&ndash;"
        rows.append(
            f"<tr><td>{escape(p.author)}</td><td>{p.comments}</td><td>{profile_svg(p)}</td>"
            f"<td>{mean}</td><td>{p.attack_share:.0%}</td><td>{_PULL[p.pull]}</td></tr>"
        )
    thread_mean = f"{report.mean_rank:.1f}" if report.mean_rank is not None else "&ndash;"
    return (
        f"<p class='small muted'>Mean level compares each person's disagreements with the"
        f" thread's mean ({thread_mean}); someone who attacks more often than the thread does"
        f" ({report.attack_share:.0%} of its replies), or argues half a level or more below its"
        " mean, pulls it down.</p>"
        "<table><tr><th>participant</th><th>replies</th><th>their levels (red = attacks,"
        " green = arguments, grey = other)</th><th>mean level</th><th>attacks</th>"
        f"<th>effect</th></tr>{''.join(rows)}</table>"
    )


def _turning(report: ThreadReport) -> str:
    tp = report.turning_point
    if tp is None:
        return "<p>Nobody fell to name-calling or attacks on the person in this thread.</p>"
    judgement = report.replies[tp.index].judgement
    why = ""
    if judgement is not None and judgement.because:
        spans = ", ".join(f"&ldquo;{escape(e.text)}&rdquo;" for e in judgement.because[:3])
        why = f"<p class='small'>What the judge pointed at: {spans}</p>"
    climb = (
        f"<p class='small'>How it could have stayed on the argument:"
        f" {escape(judgement.suggestion)}</p>"
        if judgement is not None and judgement.suggestion
        else ""
    )
    return (
        f"<p>The first reply that attacked the person rather than the argument was reply"
        f" #{tp.index} by <b>{escape(tp.author)}</b> {_badge(tp.level)}:</p>"
        f"<blockquote>{escape(tp.quote)}</blockquote>{why}{climb}"
    )


def _reply(r: Reply, turn: bool) -> str:
    label = r.judgement.label if r.judgement else f"not judged ({r.skipped})"
    return (
        f"<div class='reply{' turn' if turn else ''}'><b>#{r.index}</b> {escape(r.author)}"
        f" {_badge(r.level)} <span class='small muted'>{escape(label)}</span>"
        f"<div class='text'>{escape(r.text)}</div></div>"
    )


def render_html(report: ThreadReport) -> str:
    """The whole report as one self-contained HTML page."""
    sh = report.shape
    turn = report.turning_point.index if report.turning_point else -1
    listed = report.replies[:MAX_LISTED_REPLIES]
    more = len(report.replies) - len(listed)
    note = f"<p class='muted'>{more} more replies are in the JSON output.</p>" if more else ""
    repaired = "".join(f"<li>{escape(p)}</li>" for p in report.problems[:10])
    problems = (
        f"<p class='small muted'>The reply tree needed repairs:</p><ul class='small muted'>"
        f"{repaired}</ul>"
        if repaired
        else ""
    )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            "<html lang='en'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            f"<title>Steelman thread report: {escape(report.thread_id)}</title>",
            f"<style>{_CSS}</style></head><body>",
            f"<h1>Thread {escape(report.thread_id)}</h1>",
            f"<p class='muted'>{len(report.replies)} comments by {len(report.participants)}"
            f" people; {sh.judged} judged, {sh.none} not disagreements,"
            f" {sh.skipped} deleted or empty.</p>",
            problems,
            "<h2>How people disagreed</h2>",
            "<p class='small'>Paul Graham's hierarchy of disagreement ranks a reply by how it"
            " disagrees: at the bottom, insults; at the top, showing that the main point of the"
            " other argument is wrong. Higher is better.</p>",
            _legend(),
            pyramid_svg(report),
            "<h2>Other moves</h2>",
            f"<p class='small'>{sh.none} of the replies were not disagreements at all. Replies"
            " also make moves beside disagreeing (asking, conceding, proposing a middle"
            " ground...); a reply can make several:</p>",
            _acts(report),
            "<h2>Timeline</h2>",
            "<p class='small'>The level of each reply, in order. The shaded band is where replies"
            " attack the person.</p>",
            timeline_svg(report),
            "<h2>Turning point</h2>",
            _turning(report),
            "<h2>Participants</h2>",
            _participants(report),
            "<h2>Escalation risk</h2>",
            _risk(report),
            "<h2>Every reply</h2>",
            *(_reply(r, r.index == turn) for r in listed),
            note,
            "</body></html>",
            "",
        ]
    )
