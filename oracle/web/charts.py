"""Inline SVG charts (no JavaScript, no library to download): stacked daily bars with axes, units and a legend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape

from markupsafe import Markup


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str


DAY_SERIES = (
    Series("certified", "certified", "#2e7d32"),
    Series("awaiting_round", "accepted, not in a round yet", "#90caf9"),
    Series("pending_review", "pending review", "#f9a825"),
    Series("excluded", "excluded (flagged, rejected)", "#c62828"),
)

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 16, 36, 70


def _unit(max_wh: float) -> tuple[float, str]:
    if max_wh >= 10_000_000:
        return 1e6, "MWh"
    if max_wh >= 10_000:
        return 1e3, "kWh"
    return 1.0, "Wh"


def _nice_step(top: float, ticks: int = 4) -> float:
    raw = top / ticks if top > 0 else 1.0
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1.0
    for factor in (1, 2, 2.5, 5, 10):
        if magnitude * factor >= raw:
            return magnitude * factor
    return magnitude * 10


def bar_chart(days: Sequence[tuple[int, dict[str, int]]], series: Sequence[Series], title: str) -> Markup:
    """Stacked bars, one per UTC day (its midnight in unix s), values in Wh shown in a unit that fits."""
    if not days:
        return Markup(f'<p class="empty">{escape(title)}: no data yet.</p>')
    totals = [sum(values.get(s.key, 0) for s in series) for _, values in days]
    scale, unit = _unit(max(totals) or 1)
    step = _nice_step(max(totals) / scale)
    top = step * max(1, -(-max(totals) / scale // step)) if max(totals) else step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(days)
    bar_w = max(2.0, slot * 0.7)
    label_every = max(1, int(len(days) / 10) + (1 if len(days) > 10 else 0))
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<text x="{LEFT}" y="16" class="chart-title">{escape(title)}</text>']
    ticks = int(round(top / step))
    for i in range(ticks + 1):
        value = step * i
        y = TOP + plot_h - plot_h * value / top
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{value:,.4g}</text>')
    parts.append(f'<text x="14" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 14 {TOP + plot_h / 2:.0f})" '
                 f'text-anchor="middle" class="axis">{unit} per day</text>')
    for index, (day_s, values) in enumerate(days):
        x = LEFT + slot * index + (slot - bar_w) / 2
        y_base = TOP + plot_h
        day = datetime.fromtimestamp(day_s, tz=timezone.utc).strftime("%Y-%m-%d")
        for s in series:
            value = values.get(s.key, 0)
            if value <= 0:
                continue
            h = plot_h * value / scale / top
            y_base -= h
            parts.append(f'<rect x="{x:.1f}" y="{y_base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{s.colour}">'
                         f'<title>{day}: {value / scale:,.2f} {unit} {escape(s.label)}</title></rect>')
        if index % label_every == 0:
            cx = x + bar_w / 2
            parts.append(f'<text x="{cx:.1f}" y="{TOP + plot_h + 14}" text-anchor="end" class="tick" '
                         f'transform="rotate(-40 {cx:.1f} {TOP + plot_h + 14})">{day[5:]}</text>')
    legend_x = LEFT
    for s in series:
        parts.append(f'<rect x="{legend_x}" y="{HEIGHT - 16}" width="10" height="10" fill="{s.colour}"/>'
                     f'<text x="{legend_x + 14}" y="{HEIGHT - 7}" class="legend">{escape(s.label)}</text>')
        legend_x += 22 + 6.5 * len(s.label)
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    points: Sequence[tuple[int, float]]  # (unix s UTC, value)
    dashed: bool = False


def day_line_chart(day_s: int, lines: Sequence[Line], marks: Sequence[tuple[int, float, str]], unit: str,
                   title: str) -> Markup:
    """Lines over one UTC day (x: hours 0-24 UTC), values in `unit`; `marks` are (time, value,
    label) dots drawn on top (the flagged intervals)."""
    values = [v for line in lines for _, v in line.points if v == v] + [v for _, v, _ in marks if v == v]
    if not values:
        return Markup(f'<p class="empty">{escape(title)}: no data.</p>')
    step = _nice_step(max(values) or 1)
    top = step * max(1, -(-max(values) // step))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM + 20

    def x_of(t: int) -> float:
        return LEFT + plot_w * (t - day_s) / 86_400

    def y_of(v: float) -> float:
        return TOP + plot_h - plot_h * max(0.0, v) / top

    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<text x="{LEFT}" y="16" class="chart-title">{escape(title)}</text>']
    for i in range(int(round(top / step)) + 1):
        y = y_of(step * i)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{step * i:,.4g}</text>')
    for hour in range(0, 25, 3):
        x = x_of(day_s + hour * 3600)
        parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle" class="tick">{hour:02d}:00</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2:.0f}" y="{TOP + plot_h + 30}" text-anchor="middle" class="axis">'
                 f'time of day (UTC)</text>')
    parts.append(f'<text x="14" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 14 {TOP + plot_h / 2:.0f})" '
                 f'text-anchor="middle" class="axis">{escape(unit)}</text>')
    for line in lines:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x_of(t):.1f},{y_of(v):.1f}"
                        for i, (t, v) in enumerate(p for p in line.points if p[1] == p[1]))
        if path:
            dash = ' stroke-dasharray="5 4"' if line.dashed else ""
            parts.append(f'<path d="{path}" fill="none" stroke="{line.colour}" stroke-width="2"{dash}>'
                         f'<title>{escape(line.label)}</title></path>')
    for t, v, label in marks:
        parts.append(f'<circle cx="{x_of(t):.1f}" cy="{y_of(v):.1f}" r="3.5" fill="#c62828">'
                     f'<title>{escape(label)}</title></circle>')
    legend_x = LEFT
    items = [(line.label, line.colour) for line in lines] + ([("flagged interval", "#c62828")] if marks else [])
    for label, colour in items:
        parts.append(f'<rect x="{legend_x}" y="{HEIGHT - 16}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{legend_x + 14}" y="{HEIGHT - 7}" class="legend">{escape(label)}</text>')
        legend_x += 22 + 6.5 * len(label)
    parts.append("</svg>")
    return Markup("".join(parts))
