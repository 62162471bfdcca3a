"""The review queue: flagged intervals wait here until a person decides, and a policy keeps issuance
from stalling when nobody does.

Because an installation's periods are certified in order (the issuance rule), a day with intervals
pending review holds that installation's later days back (oracle.rounds). Decisions are recorded
with the reviewer and the reason (store table ``reviews``) and shown in the round file;
``review.exclude_after_days`` excludes what is still pending that many days after its UTC day ended.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from oracle.errors import ConfigError
from oracle.store import APPROVED, EXCLUDED, REJECTED, Store
from oracle.timeutil import DAY_S, iso_utc_minute

DECISIONS = {"approve": APPROVED, "reject": REJECTED}


@dataclass(frozen=True)
class PendingDay:
    installation_id: int
    day_s: int
    intervals: int
    energy_wh: float
    flags: tuple[str, ...]


def pending_days(store: Store, installation_id: int | None = None) -> list[PendingDay]:
    """What waits for a reviewer, per installation and UTC day, with the flag codes seen."""
    pending = store.pending(installation_id)
    if pending.empty:
        return []
    pending["day"] = pending["interval_start"] // DAY_S * DAY_S
    return [
        PendingDay(int(installation), int(day), len(group), float(group["energy_wh"].sum()),
                   tuple(sorted({c for flags in group["flags"] for c in flags.split(";") if c})))
        for (installation, day), group in pending.groupby(["installation_id", "day"])
    ]


def day_detail(store: Store, installation_id: int, day_s: int) -> tuple[pd.DataFrame, dict[int, dict[str, object]]]:
    """Every stored interval of one installation's UTC day, and the decisions taken on them."""
    return store.intervals(installation_id, day_s, day_s + DAY_S), store.reviews_of(installation_id, day_s, day_s + DAY_S)


def decide(store: Store, installation_id: int, first_s: int, last_s: int, action: str, reviewer: str, reason: str,
           now_s: int | None = None) -> int:
    """Approve or reject (`action`) the pending intervals of an installation from `first_s` to
    `last_s` (interval starts, inclusive); returns how many were decided. Nothing pending there is a
    ConfigError (a typo in a date should not pass silently)."""
    if action not in DECISIONS:
        raise ConfigError(f"unknown review action {action!r}: approve or reject")
    if not reviewer.strip() or not reason.strip():
        raise ConfigError("a review needs the reviewer's name and a reason")
    if last_s < first_s:
        raise ConfigError("the range ends before it starts")
    pending = store.pending(installation_id)
    chosen = pending[(pending["interval_start"] >= first_s) & (pending["interval_start"] <= last_s)]["interval_start"]
    if chosen.empty:
        raise ConfigError(f"installation {installation_id}: no pending interval from {iso_utc_minute(first_s)} to "
                          f"{iso_utc_minute(last_s)} (`review list` shows what is pending)")
    return store.decide(installation_id, chosen.tolist(), DECISIONS[action], reviewer.strip(), reason.strip(), now_s)


def settled_until(now_s: int, settle_s: int) -> int:
    """End of the last UTC day that ended at least `settle_s` ago."""
    return (now_s - settle_s) // DAY_S * DAY_S


def apply_review_policy(store: Store, now_s: int, exclude_after_days: int) -> int:
    """Exclude intervals still pending `exclude_after_days` after their UTC day ended (recorded as
    reviews by "policy"), so issuance never stalls for ever. Returns how many were excluded."""
    cutoff = settled_until(now_s, exclude_after_days * DAY_S)
    pending = store.pending()
    stale = pending[pending["interval_start"] < cutoff]
    excluded = 0
    for installation_id, group in stale.groupby("installation_id"):
        excluded += store.decide(int(installation_id), group["interval_start"].tolist(), EXCLUDED, "policy",
                                 f"still pending {exclude_after_days} days after its day (review.exclude_after_days)", now_s)
    return excluded
