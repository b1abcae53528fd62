"""The site's two drawings, written as SVG text (no Graphviz, no system binary): the timeline, each
date drawn as the span between its bounds so its precision shows, and the diagram of who ordered
what, on whose behalf, over whose objection, with which law cited by whom.

Every text is XML-escaped; every element's place comes from the data alone (no random ids, no
clock), so the same graph gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

#: The colour of each precision (a legend names them).
COLOURS = {
    "minute": "#7b3294",
    "day": "#1b7837",
    "month": "#2166ac",
    "year": "#b35806",
    "between bounds": "#8c8c8c",
}


@dataclass(frozen=True)
class Dated:
    """One dated thing of the timeline: what, when (between which bounds), how precisely."""

    label: str
    href: str
    when: str  # the date as the report gives it, or "" for bounds alone
    precision: str  # day, month, year, minute, between bounds
    role: str  # occurred, deadline, dated, planned, ...
    earliest: datetime
    latest: datetime


def _x(moment: datetime, start: datetime, end: datetime, left: float, width: float) -> float:
    span = (end - start).total_seconds() or 1.0
    return left + width * (moment - start).total_seconds() / span


def _last_day(latest: datetime) -> datetime:
    """The last day a date's bounds allow: ``latest`` is exclusive, so a midnight is the day before."""
    from datetime import timedelta

    midnight = (latest.hour, latest.minute, latest.second, latest.microsecond) == (0, 0, 0, 0)
    return latest - timedelta(days=1) if midnight else latest


def _months(start: datetime, end: datetime) -> list[datetime]:
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(datetime(year, month, 1, tzinfo=start.tzinfo))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def timeline(items: Sequence[Dated], *, title: str = "Timeline") -> str:
    """The timeline as an SVG element: one row per dated thing, sorted by its bounds; a bar from
    the earliest to the latest moment the date allows (a dot when they are one moment), coloured
    by precision, dashed when the report gives bounds but no date; month ticks below."""
    rows = sorted(items, key=lambda d: (d.earliest, d.latest, d.label, d.role))
    if not rows:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40" role="img"><title>{escape(title)}</title>'
            '<text x="8" y="24">No dated events.</text></svg>'
        )
    first = min(d.earliest for d in rows)
    last = max(d.latest for d in rows)
    start = datetime(first.year, first.month, 1, tzinfo=first.tzinfo)
    ticks = _months(start, last)  # month starts up to the last moment; the axis ends at the next
    end = ticks[-1]
    if end < last:
        end = datetime(end.year + (end.month == 12), end.month % 12 + 1, 1, tzinfo=end.tzinfo)
        ticks.append(end)
    left, width, row, top = 40.0, 480.0, 26, 40
    height = top + row * len(rows) + 50
    longest = max(
        len(f"{d.when or 'between 2025-06-10 and 2025-06-14'} · {d.label} ({d.role}, {d.precision})") for d in rows
    )
    full = int(left + width + 12 + 6.8 * longest + 20)  # the labels' room: about 6.8 px a character at 12 px
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{full}" height="{height}" '
        f'viewBox="0 0 {full} {height}" role="img" aria-labelledby="timeline-title">',
        f'<title id="timeline-title">{escape(title)}</title>',
    ]
    axis = top + row * len(rows) + 6
    parts.append(f'<line x1="{left}" y1="{axis}" x2="{left + width}" y2="{axis}" stroke="#444"/>')
    for tick in ticks:
        x = _x(tick, start, end, left, width)
        parts.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{axis + 5}" stroke="#ddd"/>')
        if tick.month in (1, 4, 7, 10) or len(ticks) <= 8:
            parts.append(f'<text x="{x:.1f}" y="{axis + 20}" font-size="11" text-anchor="middle">{tick:%b %Y}</text>')
    for index, item in enumerate(rows):
        y = top + row * index
        x1 = _x(item.earliest, start, end, left, width)
        x2 = _x(item.latest, start, end, left, width)
        colour = COLOURS.get(item.precision, "#444")
        when = item.when or f"between {item.earliest:%Y-%m-%d} and {_last_day(item.latest):%Y-%m-%d}"
        tip = f"{when} ({item.precision}; {item.role}): {item.label}"
        parts.append(f'<a href="{escape(item.href)}">' if item.href else "<g>")
        parts.append(f"<title>{escape(tip)}</title>")
        if item.earliest == item.latest:  # a moment
            parts.append(f'<circle cx="{x1:.1f}" cy="{y + 8}" r="4" fill="{colour}"/>')
        else:  # a span, at least 2 px wide (a day is narrower at this scale)
            dash = ' stroke-dasharray="3 2" fill-opacity="0.35"' if item.precision == "between bounds" else ""
            parts.append(
                f'<rect x="{x1:.1f}" y="{y + 3}" width="{max(x2 - x1, 2.0):.1f}" height="10" fill="{colour}" '
                f'stroke="{colour}"{dash}/>'
            )
        parts.append(
            f'<text x="{left + width + 12}" y="{y + 12}" font-size="12">'
            f'<tspan font-weight="600">{escape(when)}</tspan> · {escape(item.label)} '
            f'<tspan fill="#666">({escape(item.role)}, {escape(item.precision)})</tspan></text>'
        )
        parts.append("</a>" if item.href else "</g>")
    legend_y = axis + 38
    x = left
    for name, colour in COLOURS.items():
        parts.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{legend_y}" font-size="11">{escape(name)}</text>')
        x += 18 + 7 * len(name) + 12
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class Box:
    """A node of the diagram: its text and its page."""

    label: str
    href: str
    kind: str  # shown small above the label


@dataclass(frozen=True)
class Arrow:
    """A relation of the diagram, from one box to another, with its label."""

    source: Box
    target: Box
    label: str


def diagram(columns: Sequence[Sequence[Box]], arrows: Sequence[Arrow], *, title: str) -> str:
    """Boxes in columns (left to right), arrows between them labelled with the relation."""
    box_w, box_h, gap_x, gap_y, top = 230, 54, 80, 22, 40
    place: dict[Box, tuple[float, float]] = {}
    height = 0
    for c, column in enumerate(columns):
        for r, box in enumerate(column):
            place[box] = (20 + c * (box_w + gap_x), top + r * (box_h + gap_y))
            height = max(height, int(top + (r + 1) * (box_h + gap_y)))
    width = 40 + len(columns) * (box_w + gap_x) - gap_x
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" width="{width}" height="{height + 20}" '
        f'viewBox="0 0 {width} {height + 20}" role="img" aria-labelledby="diagram-title">',
        f'<title id="diagram-title">{escape(title)}</title>',
        '<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
    ]
    labels: list[str] = []
    for arrow in arrows:
        (sx, sy), (tx, ty) = place[arrow.source], place[arrow.target]
        if sx == tx:  # same column: along the right side
            x1, y1, x2, y2 = sx + box_w, sy + box_h / 2, tx + box_w, ty + box_h / 2
            path = f"M {x1:.0f} {y1:.0f} C {x1 + 40:.0f} {y1:.0f}, {x2 + 40:.0f} {y2:.0f}, {x2:.0f} {y2:.0f}"
            lx, ly = x1 + 34, (y1 + y2) / 2
        else:
            forward = tx > sx
            x1 = sx + box_w if forward else sx
            x2 = tx if forward else tx + box_w
            y1, y2 = sy + box_h / 2, ty + box_h / 2
            path = f"M {x1:.0f} {y1:.0f} L {x2:.0f} {y2:.0f}"
            lx, ly = x1 + (x2 - x1) * 0.6, y1 + (y2 - y1) * 0.6 - 4  # nearer the target: fanned-out labels part
        parts.append(f'<path d="{path}" fill="none" stroke="#555" marker-end="url(#arrowhead)"/>')
        labels.append(  # drawn last, over the boxes
            f'<text x="{lx:.0f}" y="{ly:.0f}" font-size="11" text-anchor="middle" fill="#333" '
            f'paint-order="stroke" stroke="#fff" stroke-width="3">{escape(arrow.label)}</text>'
        )
    for box, (x, y) in place.items():
        lines = _wrap(box.label, 34)[:2]
        parts.append((f'<a href="{escape(box.href)}">' if box.href else "<g>") + f"<title>{escape(box.label)}</title>")
        parts.append(f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="6" fill="#f7f4ea" stroke="#8a7a3d"/>')
        parts.append(f'<text x="{x + 8}" y="{y + 14}" font-size="10" fill="#7a6a2d">{escape(box.kind)}</text>')
        for i, line in enumerate(lines):
            parts.append(f'<text x="{x + 8}" y="{y + 30 + 14 * i}" font-size="12">{escape(line)}</text>')
        parts.append("</a>" if box.href else "</g>")
    parts += labels
    parts.append("</svg>")
    return "\n".join(parts)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 2:
        lines[1] = (lines[1] + " " + " ".join(lines[2:]))[: width - 1] + "…"
    return lines
