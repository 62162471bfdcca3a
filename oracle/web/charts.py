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
