"""The demo report's plots: PNG files drawn with matplotlib (headless, the Agg backend).

Each function takes plain figures, draws one chart and writes it to `path`. Every axis says its
unit; labels that could be long are kept on the y axis of horizontal charts, so nothing overlaps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen before pyplot is loaded)
from matplotlib.patches import Patch, Rectangle  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

DPI = 120
FLAG_COLOUR = "#c62828"
COLOURS = {"retired": "#2e7d32", "locked": "#1565c0", "active": "#9e9e9e", "ours": "#f9a825", "thesis": "#616161",
           "market": "#6d4c41", "certification": "#f9a825"}


class DayFigures(Protocol):
    day: str
    accepted_wh: int
    flagged_wh: int
    flagged_intervals: int


class InstallationFigures(Protocol):
    name: str
    capacity_w: int
    daily: Sequence[DayFigures]
    issued_wh: int
    retired_wh: int
    export_locked_wh: int


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path


def _compact(value: float) -> str:
    """1,000 -> "1k", 2,500,000 -> "2.5M": tick labels that fit side by side."""
    for factor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:g}{suffix}"
    return f"{value:g}"


def _short(name: str, width: int = 38) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def day_axis_label(days: Sequence[str]) -> str:
    """The x label of month-day ticks for ISO `days`: the year once, or both ends when the days
    cross a new year (ticks alone would read 12-30 ... 01-05 as one year)."""
    if days[0][:4] == days[-1][:4]:
        return f"UTC day ({days[0][:4]}, month-day)"
    return f"UTC day (month-day, {days[0]} to {days[-1]})"


def plot_energy_by_day(installations: Sequence[InstallationFigures], path: Path) -> Path:
    """A table of coloured cells: one row per installation, one column per UTC day, the colour and
    the number the accepted kWh per kWp of capacity (specific yield, so a 10 kW and a 100 kW roof
    compare); a day with flagged intervals has a red frame and the flagged count."""
    days = [d.day for d in installations[0].daily]
    rows = len(installations)
    fig, ax = plt.subplots(figsize=(2.2 + 1.25 * len(days), 1.2 + 0.34 * rows))
    yields = [[d.accepted_wh / inst.capacity_w for d in inst.daily] for inst in installations]  # Wh/W = kWh/kWp
    top = max((v for row in yields for v in row), default=1.0) or 1.0
    image = ax.imshow(yields, aspect="auto", cmap="YlGn", vmin=0, vmax=top)
    for r, inst in enumerate(installations):
        for c, d in enumerate(inst.daily):
            value = yields[r][c]
            text = f"{value:.1f}" + (f" ({d.flagged_intervals})" if d.flagged_intervals else "")
            ax.text(c, r, text, ha="center", va="center", fontsize=7.5,
                    color="white" if value > 0.6 * top else "black")
            if d.flagged_intervals:
                ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor=FLAG_COLOUR, linewidth=2))
    ax.set_xticks(range(len(days)), [d[5:] for d in days])
    ax.set_yticks(range(rows), [_short(inst.name) for inst in installations], fontsize=8)
    ax.set_xlabel(day_axis_label(days))
    ax.set_title("Accepted generation per installation and day (kWh per kWp)")
    fig.colorbar(image, ax=ax, label="kWh per kWp of capacity", fraction=0.04, pad=0.02)
    ax.legend(handles=[Patch(facecolor="white", edgecolor=FLAG_COLOUR, linewidth=2,
                             label="day with flagged 15-min intervals (count), rejected in review, not certified")],
              loc="upper left", bbox_to_anchor=(0, -0.06 - 0.5 / max(rows, 1)), frameon=False, fontsize=8)
    return _save(fig, path)


def plot_certificates(installations: Sequence[InstallationFigures], path: Path) -> Path:
    """Horizontal stacked bars: each installation's certified kWh, split into retired, locked for
    export and still active (tradeable)."""
    names = [_short(inst.name) for inst in installations]
    retired = [inst.retired_wh / 1000 for inst in installations]
    locked = [inst.export_locked_wh / 1000 for inst in installations]
    active = [(inst.issued_wh - inst.retired_wh - inst.export_locked_wh) / 1000 for inst in installations]
    fig, ax = plt.subplots(figsize=(9, 1.3 + 0.3 * len(names)))
    y = range(len(names))
    ax.barh(y, retired, color=COLOURS["retired"], label="retired for a beneficiary")
    ax.barh(y, locked, left=retired, color=COLOURS["locked"], label="locked for export (national registry)")
    ax.barh(y, active, left=[a + b for a, b in zip(retired, locked)], color=COLOURS["active"], label="active (tradeable)")
    ax.set_yticks(list(y), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("certified energy (kWh)")
    totals = [sum(retired), sum(locked), sum(active)]
    ax.set_title(f"Certificates over the week: {sum(totals):,.0f} kWh issued, {totals[0]:,.0f} retired, "
                 f"{totals[1]:,.0f} locked for export", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


@dataclass(frozen=True)
class GasComparison:
    """One operation: its median gas in this run beside the thesis DApp's figure for it."""

    operation: str
    ours_gas: int
    thesis_gas: int


def plot_gas_vs_thesis(rows: Sequence[GasComparison], path: Path) -> Path:
    """Grouped horizontal bars: gas per operation, this run against the thesis DApp."""
    fig, ax = plt.subplots(figsize=(9, 1.4 + 0.55 * len(rows)))
    y = list(range(len(rows)))
    ax.barh([v - 0.2 for v in y], [r.thesis_gas for r in rows], height=0.4, color=COLOURS["thesis"], label="thesis DApp")
    ax.barh([v + 0.2 for v in y], [r.ours_gas for r in rows], height=0.4, color=COLOURS["ours"], label="PV Ledger (this run, median)")
    for v, r in zip(y, rows):
        ax.text(r.ours_gas, v + 0.2, f" {r.ours_gas:,} ({r.ours_gas / r.thesis_gas:.2f}x)", va="center", fontsize=8)
        ax.text(r.thesis_gas, v - 0.2, f" {r.thesis_gas:,}", va="center", fontsize=8)
    ax.set_yticks(y, [r.operation for r in rows], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("gas per transaction")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.set_xlim(0, 1.3 * max(max(r.thesis_gas, r.ours_gas) for r in rows))
    ax.set_title("Gas per operation: PV Ledger against the thesis DApp (shared/design/THESIS_BASELINE.md)", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


@dataclass(frozen=True)
class CostBar:
    """The operator's cost of the run on one side (a chain, or the centralised registry), in CLP,
    split into the marketplace's part and the certified generation's part."""

    side: str
    market_clp: float
    certification_clp: float

    @property
    def total_clp(self) -> float:
        return self.market_clp + self.certification_clp


def plot_operator_cost(bars: Sequence[CostBar], path: Path, title: str) -> Path:
    """Grouped horizontal bars on a log scale (the sides differ by orders of magnitude): each
    side's marketplace part and certified-generation part, its total written beside them."""
    fig, ax = plt.subplots(figsize=(9, 1.8 + 0.75 * len(bars)))
    y = list(range(len(bars)))
    ax.barh([v - 0.19 for v in y], [b.market_clp for b in bars], height=0.38, color=COLOURS["market"],
            label="marketplace (projects, crowdfunding)")
    ax.barh([v + 0.19 for v in y], [b.certification_clp for b in bars], height=0.38, color=COLOURS["certification"],
            label="certified generation (rounds, certificates, sales)")
    for v, b in zip(y, bars):
        ax.text(max(b.market_clp, b.certification_clp) * 1.15, v, f"total CLP {b.total_clp:,.0f}", va="center", fontsize=8)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _compact(value)))
    ax.set_yticks(y, [b.side for b in bars], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("operator cost over the run (CLP, log scale)")
    positive = [v for b in bars for v in (b.market_clp, b.certification_clp) if v > 0]
    ax.set_xlim(min(positive) / 3, max(positive) * 40)
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.3 / len(bars)), ncol=2, frameon=False, fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)
