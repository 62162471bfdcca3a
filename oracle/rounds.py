"""Build a round: which stored intervals become leaves now, and the round file that commits to them.

Issuance rule (GenerationCertificates, issue 9): per installation, a leaf must start EXACTLY at the
on-chain watermark ``certifiedUntil`` (the commissioning time before the first certificate), and
certifying moves the watermark to the leaf's end. So leaves are planned per installation from its
watermark, one per UTC day (the first one from the commissioning time to the next midnight):

- a day is *settled* ``settle_s`` after it ends; unsettled days wait;
- a day with intervals still pending review holds the installation back: it and every later day
  wait for the reviewer (``oracle status`` says so), until review.exclude_after_days excludes them;
- a day with no certifiable energy (an outage, or every interval rejected) is not a leaf of its
  own: the next leaf spans it, from the watermark to the end of the next day that has energy
  (the contract rejects zero-energy leaves, and a watermark cannot skip);
- a day whose readings stop before its last interval (and no later readings are stored) waits
  for the rest until review.exclude_after_days after it ended;
- at most ``max_days`` days per installation per round;
- with ``rounds.wait_for_review``, no round at all while any installation waits for a reviewer:
  one round after the review instead of one before it and one after (each round costs the
  verifier a cosign and the chain a submission); review.exclude_after_days bounds the wait.

A leaf's readings are its certified intervals (accepted, or approved by a reviewer) in whole Wh,
each rounded half up; rejected and excluded intervals are left out of the leaf and listed in the
round file with their flags and the review. Energy above what the capacity allows over the leaf's
period (the registry's check) holds the installation back with a clear reason instead of failing
on chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from oracle.leaves import InstallationPeriod, generation_tree, installation_period
from oracle.roundfile import RoundFile, round_file_name
from oracle.signing import round_from_generation_tree
from oracle.review import settled_until
from oracle.store import APPROVED, CERTIFIABLE, EXCLUDED, PENDING, REJECTED, Store
from oracle.timeutil import DAY_S, INTERVAL_S, iso_utc, iso_utc_minute, utc_date


class WatermarkState(Protocol):
    """What the builder needs of an installation's on-chain state (oracle.chain.reads.InstallationState)."""

    certified_until_s: int
    capacity_w: int
    active: bool


@dataclass(frozen=True)
class Hold:
    """Why an installation's next leaf is not in this round."""

    installation_id: int
    since_s: int
    reason: str
    pending_review: bool = False  # a reviewer's decision would release it

    def __str__(self) -> str:
        return f"installation {self.installation_id}: from {iso_utc_minute(self.since_s)}: {self.reason}"


@dataclass
class PlannedLeaf:
    installation_id: int
    period_start: int
    period_end: int
    readings_wh: list[tuple[int, int]]
    excluded: list[dict[str, Any]]
    interval_starts: list[int]

    @property
    def energy_wh(self) -> int:
        return sum(wh for _, wh in self.readings_wh)


@dataclass
class InstallationPlan:
    leaves: list[PlannedLeaf] = field(default_factory=list)
    hold: Hold | None = None


def certified_wh(energy_wh: pd.Series) -> np.ndarray:
    """Whole Wh of each certified interval: rounded half up, never below 0."""
    return np.maximum(np.floor(energy_wh.to_numpy(dtype="float64") + 0.5), 0).astype("int64")


def daily_energy(store: Store, installation_id: int, start_s: int, end_s: int) -> pd.DataFrame:
    """Per UTC day overlapping [start_s, end_s) (every day, in order): ``day_s`` (its midnight),
    ``accepted_wh`` (the whole Wh a round certifies of its accepted and approved intervals, rounded
    as in a leaf), ``flagged_wh`` and ``flagged_intervals`` (the intervals it leaves out: pending,
    rejected or excluded after the checks flagged them; their Wh rounded the same way)."""
    rows = store.intervals(installation_id, start_s, end_s)
    certifiable = rows["status"].isin(CERTIFIABLE) & (rows["energy_wh"] >= 0)
    wh = certified_wh(rows["energy_wh"])
    frame = pd.DataFrame({"day_s": rows["interval_start"].to_numpy(dtype="int64") // DAY_S * DAY_S,
                          "accepted_wh": np.where(certifiable, wh, 0), "flagged_wh": np.where(certifiable, 0, wh),
                          "flagged_intervals": (~certifiable).astype("int64")})
    days = pd.Index(range(start_s // DAY_S * DAY_S, end_s, DAY_S), name="day_s")
    return frame.groupby("day_s").sum().reindex(days, fill_value=0).astype("int64").reset_index()


def _excluded_entries(rows: pd.DataFrame, reviews: Mapping[int, dict[str, Any]]) -> list[dict[str, Any]]:
    entries = []
    for start, wh, flags, status in rows[["interval_start", "energy_wh", "flags", "status"]].itertuples(index=False):
        review = reviews.get(int(start), {})
        entries.append({"intervalStart": iso_utc(int(start)), "energyWh": float(wh), "flags": flags, "decision": status,
                        "reviewer": review.get("reviewer", ""), "reason": review.get("reason", "")})
    return entries


def plan_installation(store: Store, installation_id: int, state: WatermarkState, now_s: int, settle_s: int,
                      max_days: int, give_up_s: int) -> InstallationPlan:
    """The leaves of one installation that can go into a round now, chained from its watermark.
    A settled day whose readings stop before its last interval waits for the rest until `give_up_s`
    after it ended; then its missing intervals are certified as missing (0 Wh, not in the tree)."""
    plan = InstallationPlan()
    cursor = int(state.certified_until_s)
    if not state.active:
        plan.hold = Hold(installation_id, cursor, "the installation is not active on chain")
        return plan
    settled = settled_until(now_s, settle_s)
    if cursor >= settled:
        plan.hold = Hold(installation_id, cursor, f"waits for {utc_date(cursor)} to end and settle")
        return plan
    horizon = min(settled, (cursor // DAY_S + max_days) * DAY_S)
    rows = store.intervals(installation_id, cursor, horizon)
    last_stored = store.last_interval(installation_id)
    reviews = store.reviews_of(installation_id, cursor, horizon)
    leaf_start = cursor
    day = cursor
    while day < horizon:
        day_end = min((day // DAY_S + 1) * DAY_S, horizon)
        in_day = rows[(rows["interval_start"] >= day) & (rows["interval_start"] < day_end)]
        pending = int((in_day["status"] == PENDING).sum())
        if pending:
            plan.hold = Hold(installation_id, leaf_start,
                             f"{pending} interval(s) of {utc_date(day)} pending review (oracle review list)",
                             pending_review=True)
            return plan
        complete = last_stored is not None and last_stored >= day_end - INTERVAL_S
        if not complete and now_s < day_end + give_up_s:
            plan.hold = Hold(installation_id, leaf_start, f"waits for readings up to the end of {utc_date(day)}")
            return plan
        span = rows[(rows["interval_start"] >= leaf_start) & (rows["interval_start"] < day_end)]
        certifiable = span[span["status"].isin(CERTIFIABLE) & (span["energy_wh"] >= 0)]
        wh = certified_wh(certifiable["energy_wh"])
        if wh.sum() > 0:
            capacity_wh = int(state.capacity_w) * (day_end - leaf_start) // 3600
            if int(wh.sum()) > capacity_wh:
                plan.hold = Hold(installation_id, leaf_start,
                                 f"{int(wh.sum())} Wh certified from {utc_date(leaf_start)} exceeds the capacity's "
                                 f"{capacity_wh} Wh: review the approved intervals")
                return plan
            left_out = span[span["status"].isin((REJECTED, EXCLUDED)) | ((span["status"] == APPROVED) & (span["energy_wh"] < 0))]
            plan.leaves.append(PlannedLeaf(
                installation_id, leaf_start, day_end,
                list(zip(certifiable["interval_start"].astype("int64").tolist(), wh.tolist())),
                _excluded_entries(left_out, reviews),
                span["interval_start"].astype("int64").tolist(),
            ))
            leaf_start = day_end
        day = day_end
    if leaf_start < horizon and not plan.leaves:
        plan.hold = Hold(installation_id, leaf_start, f"no certifiable energy since {utc_date(leaf_start)}: "
                                                       "the next leaf will span it")
    elif leaf_start < horizon:
        plan.hold = Hold(installation_id, leaf_start, "no certifiable energy yet: the next leaf will span it")
    return plan


def plan_round(store: Store, states: Mapping[int, WatermarkState], installation_ids: list[int], now_s: int,
               settle_s: int, max_days: int, give_up_s: int,
               wait_for_review: bool = False) -> tuple[list[PlannedLeaf], list[Hold]]:
    """Every installation's leaves for the next round, and why the others wait. With
    `wait_for_review`, no leaves while any installation waits for a reviewer (each ready one is
    held with that reason)."""
    leaves: list[PlannedLeaf] = []
    holds: list[Hold] = []
    for installation_id in sorted(installation_ids):
        state = states.get(installation_id)
        if state is None:
            holds.append(Hold(installation_id, 0, "not registered on chain"))
            continue
        plan = plan_installation(store, installation_id, state, now_s, settle_s, max_days, give_up_s)
        leaves.extend(plan.leaves)
        if plan.hold is not None:
            holds.append(plan.hold)
    if wait_for_review and leaves and any(hold.pending_review for hold in holds):
        return [], _held_for_review(leaves, holds)
    return leaves, holds


def _held_for_review(leaves: list[PlannedLeaf], holds: list[Hold]) -> list[Hold]:
    """The holds of a round withheld until the review, each from the installation's first day not
    certified: one waiting for a reviewer keeps its reason; one that was ready says why it waits."""
    first_leaf = {leaf.installation_id: leaf.period_start for leaf in reversed(leaves)}
    by_installation = {hold.installation_id: hold for hold in holds}
    for installation_id, since_s in first_leaf.items():
        hold = by_installation.get(installation_id)
        by_installation[installation_id] = (
            Hold(installation_id, since_s, hold.reason, pending_review=True) if hold is not None and hold.pending_review
            else Hold(installation_id, since_s, "ready: the round waits for the review of the others (rounds.wait_for_review)"))
    return [by_installation[installation_id] for installation_id in sorted(by_installation)]


def assemble_round(round_id: int, chain_id: int, oracle_address: str, leaves: list[PlannedLeaf], data_uri_base: str,
                   synthetic: bool) -> RoundFile:
    """The round file of `leaves`: reading trees, the generation tree and the EIP-712 round over them."""
    periods: list[InstallationPeriod] = [
        installation_period(leaf.installation_id, leaf.period_start, leaf.period_end, leaf.readings_wh) for leaf in leaves
    ]
    tree = generation_tree(period.leaf for period in periods)
    data_uri = data_uri_base + round_file_name(round_id) if data_uri_base else ""
    round_ = round_from_generation_tree(round_id, min(leaf.period_start for leaf in leaves),
                                        max(leaf.period_end for leaf in leaves), tree, data_uri or None)
    excluded = {(leaf.installation_id, leaf.period_start): leaf.excluded for leaf in leaves}
    return RoundFile(round_, chain_id, oracle_address, tree, periods, excluded, {}, data_uri, synthetic)

