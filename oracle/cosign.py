"""``oracle cosign``: the independent verifier re-checks a round file it did not build, then signs it.

Run on the verifier's own machine, with its own config (its key, the chain and manifest it expects,
the installations it watches and its own irradiance stations). It refuses, with every reason, when:

- the file does not hold together (trees, totals, periods, signatures: roundfile.verify_round_file);
- the round is for another chain or another GenerationOracle than the verifier's manifest names;
- an installation's readings, checked against the verifier's station, have a performance ratio out
  of bounds (quality flags ``pr_low`` / ``pr_high``) or exceed the capacity.

Otherwise its EIP-712 signature is added to the file (written atomically, in place or to --out).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from oracle.config import Config
from oracle.leaves import InstallationPeriod
from oracle.quality import check_intervals
from oracle.roundfile import RoundFile, load_round_file, verify_round_file
from oracle.signing import sign_round
from oracle.timeutil import utc_date

COSIGN_FLAGS = ("pr_low", "pr_high", "above_capacity", "night", "negative")


@dataclass
class CosignResult:
    signer: str
    problems: list[str]
    written: Path | None


def station_problems(rf: RoundFile, config: Config) -> list[str]:
    """Performance-ratio (and capacity) problems of each leaf of the installations the verifier has
    a station for. Each installation's leaves are checked together (one sky computation, each
    station file read once), then every flag is reported for the leaf it falls in."""
    from oracle.sources.station import read_station

    periods_of: dict[int, list[InstallationPeriod]] = defaultdict(list)
    for period in rf.periods:
        periods_of[period.leaf[0]].append(period)
    stations: dict[str, pd.Series] = {}
    problems = []
    for installation_id, periods in periods_of.items():
        installation = config.installations.get(installation_id)
        if installation is None or installation.station is None:
            continue
        if installation.station not in stations:
            stations[installation.station] = read_station(config.stations[installation.station], installation.site.tz)
        values = [v for period in periods for v in period.readings.values]
        intervals = pd.DataFrame({
            "interval_start": pd.Series([v[1] for v in values], dtype="int64"),
            "energy_wh": pd.Series([float(v[2]) for v in values], dtype="float64"),
            "coverage": 1.0, "duplicate": False, "register_reset": False,
        }).sort_values("interval_start", ignore_index=True)
        checked = check_intervals(intervals, installation.site, stations[installation.station])
        codes = checked["flags"].str.split(";")
        flagged = {code: codes.apply(lambda flags, c=code: c in flags) for code in COSIGN_FLAGS}
        for period in periods:
            in_period = (checked["interval_start"] >= period.leaf[1]) & (checked["interval_start"] < period.leaf[2])
            for code in COSIGN_FLAGS:
                hits = int((in_period & flagged[code]).sum())
                if hits:
                    problems.append(f"installation {installation_id} from {utc_date(period.leaf[1])}: {hits} interval(s) "
                                    f"flagged {code} against station {installation.station}")
    return problems


def cosign(path: Path, config: Config, account, oracle_address: str, out: Path | None = None) -> CosignResult:  # noqa: ANN001
    """Re-check the round file at `path` and sign it with `account` (an eth-account LocalAccount),
    or list why not (nothing written then)."""
    rf = load_round_file(path)
    problems = verify_round_file(rf)
    if rf.chain_id != config.chain_id:
        problems.append(f"the round is for chain {rf.chain_id}, the verifier's config for chain {config.chain_id}")
    if rf.oracle_address.lower() != oracle_address.lower():
        problems.append(f"the round is for oracle {rf.oracle_address}, the verifier's manifest names {oracle_address}")
    if not problems:
        problems.extend(station_problems(rf, config))
    if problems:
        return CosignResult(account.address, problems, None)
    if account.address not in rf.signatures:
        rf.signatures[account.address] = "0x" + sign_round(rf.round, rf.chain_id, rf.oracle_address, account.key).hex()
    target = out or path
    rf.write(target)
    return CosignResult(account.address, [], target)
