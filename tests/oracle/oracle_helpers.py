"""Helpers for the oracle's own tests (not fixtures): stored intervals for given days, a fake
on-chain state for the round planner, and config files for the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from oracle.store import Store
from oracle.timeutil import DAY_S, INTERVAL_S, iso_utc

MAR_1_2026 = 1_772_323_200  # 2026-03-01T00:00:00Z
CAPACITY_W = 10_000  # the simulated installations of the chain tests
LAT, LON = -33.4489, -70.6693


@dataclass
class FakeState:
    """What the planner reads of an installation on chain (oracle.chain.reads.InstallationState)."""

    certified_until_s: int
    capacity_w: int = 30_000
    active: bool = True


def day_intervals(day_s: int, energy_wh: float = 100.25, flags: dict[int, str] | None = None) -> pd.DataFrame:
    """96 checked intervals of one UTC day: `energy_wh` from 10:00 to 22:00 UTC, 0 at night; `flags`
    maps an interval index (0..95) to its flag codes."""
    index = np.arange(96)
    energy = np.where((index >= 40) & (index < 88), energy_wh, 0.0)
    frame = pd.DataFrame({
        "interval_start": day_s + index * INTERVAL_S,
        "energy_wh": energy,
        "coverage": 1.0,
        "flags": "",
    })
    for i, codes in (flags or {}).items():
        frame.loc[i, "flags"] = codes
    return frame


def store_days(store: Store, installation_id: int, first_day_s: int, days: int, **kwargs) -> None:
    for n in range(days):
        store.import_intervals(installation_id, f"test:{n}", day_intervals(first_day_s + n * DAY_S, **kwargs))


def write_config(folder: Path, manifest: Path, rpc_url: str, installations: str, extra: str = "") -> Path:
    """An oracle.toml in `folder` with the given [[installations]] tables."""
    path = folder / "oracle.toml"
    path.write_text(f'''data_dir = "var"
[network]
rpc_url = "{rpc_url}"
chain_id = 31337
manifest = "{manifest}"
[keys]
sender = "ORACLE_SENDER_KEY"
signer = "ORACLE_SIGNER_KEY"
[rounds]
settle_hours = 0
{extra}
{installations}
''')
    return path


def oracle_config(folder, manifest_file, rpc_url, ids, commissioned_s, signer_env="ORACLE_SIGNER_KEY", rounds=""):
    """The config of the chain tests: installations `ids`, simulated from `commissioned_s`, the first
    with a spike at 15:00 UTC on its second day (it waits for review); `rounds`: more [rounds] lines."""
    spike = commissioned_s + DAY_S + 15 * 3600  # 15:00 UTC on day 2: midday in Santiago
    installations = "\n".join(f'''
[[installations]]
id = {installation_id}
capacity_w = {CAPACITY_W}
lat = {LAT}
lon = {LON}
source = {{ kind = "simulated", seed = {installation_id}, start = "{iso_utc(commissioned_s)}"{faults} }}
''' for installation_id, faults in zip(ids, (f', faults = [{{ kind = "spike", start = "{iso_utc(spike)}", end = "{iso_utc(spike + 900)}" }}]', "")))
    config = write_config(folder, manifest_file, rpc_url, installations, rounds)
    text = config.read_text().replace('signer = "ORACLE_SIGNER_KEY"', f'signer = "{signer_env}"')
    config.write_text(text)
    return config
