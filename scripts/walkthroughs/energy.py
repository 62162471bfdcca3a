"""Certified generation walkthrough for `make demo` (scripts/demo.py): the oracle's cron job over a week.

1. Every sample installation of data/ptsp_installations.csv (public buildings, SAMPLE data) is
   registered as commissioned 7 UTC days ago, each owned by its commune's municipality, with the
   offtaker's tariff accepted; so is the crowdfunded marketplace project's roof when the market
   walkthrough made one, and the project roofs a caller registered (``project_roofs``).
2. The operator's oracle config has one irradiance station per region (simulated GHI of the
   region's first site, written as station CSV files) and every installation names its region's
   station; simulated 15-minute readings (pvlib clear sky + PVWatts, seeded clouds per region,
   marked synthetic) carry injected faults on four installations (an inverter spike, a stuck
   logger, a day-long outage, night readings from a logger clock). The verifier's config has its
   own copies of the stations and its own key.
3. The cron job (``python -m oracle run``, in-process with the same arguments, ``--now`` = chain
   time, held within the demo's today): the first run ingests and flags; the reviewer rejects the
   flagged days (``oracle review``); the next run builds and signs round 1, which waits for the
   second signature (``rounds.wait_for_review`` kept it from building before the review); the
   verifier re-checks the round file against its stations and co-signs it into the operator's
   cosigned folder; the next run merges, submits and claims the certificates.
4. Certificates are transferred, retired for named beneficiaries and locked for export; the
   offtaker settles every certificate (into the project's crowdfunding revenue for a project's
   roof, owed to the municipality otherwise); ``oracle export`` writes the CADT ledger.

Everything the oracle writes is under ``reports/demo/``: configs, stations and stores in
``oracle/`` and ``verifier/``, round files in ``rounds/``, the CADT export in ``cadt/``. Keys are
created for the run and passed through environment variables; none is printed.
"""

from __future__ import annotations

import io
import json
import os
import re
import shlex
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brownie import chain, web3
from eth_account import Account
from eth_account.signers.local import LocalAccount

from oracle.cli import main as oracle_main
from oracle.config import load_config
from oracle.registry.reader import ChainReader
from oracle.review import pending_days
from oracle.rounds import daily_energy
from oracle.site import Site
from oracle.sources.simulated import simulate_station
from oracle.store import open_store
from oracle.timeutil import DAY_S, ISO_UTC_FORMAT, iso_utc, utc_date, utc_year
from scripts.common.accounts import LOCAL_CHAIN_IDS
from scripts.common.paths import PROJECT_ROOT
from scripts.walkthroughs.sample_installations import SampleInstallation, load_sample_installations

DEMO_DIR = Path(os.environ.get("PVLEDGER_DEMO_DIR") or PROJECT_ROOT / "reports" / "demo")  # the tests' runs go elsewhere
DEMO_DAYS = 7
DEMO_FACTOR_G_PER_KWH = 285
DEMO_FACTOR_SOURCE = "synthetic demo value (see the CEN/CNE factor for real use)"
TARIFF_CLP_PER_KWH = 95
GAS_FUNDING = "1 ether"  # for the oracle's sending key
ACTOR_FUNDING = "0.1 ether"  # for each account the walkthrough creates (municipalities, offtaker, buyer)
REVIEWER = "Ana Rojas (operator)"
REVIEW_REASON = "fault confirmed with the installer: not measured generation"
OFFTAKER = "Distribuidora Andina"  # invented names, like the sample buildings
BUYER = "Viña Andes SpA"
SCOPE_2 = "Scope 2 market-based"
EXPORT_REGISTRY = "RENAMI Chile"
PROGRAMME = "PTSP (sample data)"
REGION_SEED_BASE = 100  # region n's clouds (its station and every site in it) come from seed 100 + n
HOUR_S = 3600
# (kind, day of the week, first hour UTC, end hour UTC) per sample building; midday in Chile is ~16:00 UTC
DEMO_FAULTS: dict[str, tuple[str, int, float, float]] = {
    "CESFAM Iquique Centro": ("spike", 2, 16.0, 16.25),
    "Liceo Municipal Antofagasta": ("stuck", 4, 14.0, 17.0),
    "Hospital Base Puerto Montt": ("outage", 3, 0.0, 24.0),
    "Edificio Municipal Temuco": ("night", 5, 0.0, 9.0),
}
# left pending for the dashboard's reviewer (`make dashboard`): night readings today, a day that is
# not settled yet, so it holds no round back (the reviewer decides the week's flagged days)
LEFT_FOR_REVIEW: dict[str, tuple[str, int, float, float]] = {"Hospital Comunitario Copiapó": ("night", 7, 0.0, 6.0)}
REVIEWER_NAME = "Ana Rojas"
FAULT_NAMES = {"spike": "inverter spike", "stuck": "stuck logger", "outage": "day-long outage",
               "night": "night readings (logger clock)"}
RETIRES_OWN = "Santiago"  # communes whose municipality retires its week, sells it, locks it for export
SELLS_TO_BUYER = "Antofagasta"
BUYER_RETIRES = 4  # of the certificates the buyer bought; it holds the rest
EXPORTS = ("Concepción", "Temuco")
PROJECT_ROOF_REGION = "Metropolitana de Santiago"  # the market walkthrough's project roof
PROJECT_ROOF_LAT, PROJECT_ROOF_LON, PROJECT_ROOF_COMMUNE = -33.4489, -70.6693, 13101
ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}(?![0-9a-fA-F])")
TX_HASH = re.compile(r"0x[0-9a-fA-F]{64}")


class DemoError(RuntimeError):
    """The walkthrough cannot continue; the message says why."""


# -- what the walkthrough returns (the lead's report plots it) -------------------------------------

@dataclass(frozen=True)
class DayEnergy:
    day: str  # "YYYY-MM-DD" (UTC)
    accepted_wh: int  # Wh of accepted/approved intervals (what is certified)
    flagged_wh: int  # Wh of intervals the checks flagged (rejected or excluded by the review)
    flagged_intervals: int


@dataclass(frozen=True)
class InstallationOutcome:
    installation_id: int
    name: str
    region: str
    capacity_w: int
    daily: tuple[DayEnergy, ...]  # one per UTC day of the week, in order
    issued_wh: int
    retired_wh: int
    export_locked_wh: int
    transferred_wh: int
    settled_clp: int


@dataclass(frozen=True)
class EnergyDemoResult:
    installations: tuple[InstallationOutcome, ...]
    oracle_accepted_wh: int  # total Wh the oracle's store holds as accepted/approved over the week
    certified_wh: int  # total Wh of certificates issued on chain (equal to the above: checked)
    rounds: int
    round_files: tuple[Path, ...]
    cadt_export_dir: Path
    store_path: Path


@dataclass(frozen=True)
class ProjectRoof:
    """A marketplace project's roof the caller registered on chain (with its project id, commissioned
    before the week's last UTC day ends; its readings are simulated from its commissioning) and gave
    EnergySales terms from then, accepted by an offtaker among brownie's ``accounts`` (it deposits
    to settle)."""

    installation_id: int
    project_id: int
    name: str
    capacity_w: int
    lat: float
    lon: float
    region: str  # one of data/ptsp_installations.csv's regions: its station is used


# -- the walkthrough's own records ------------------------------------------------------------------

@dataclass(frozen=True)
class Station:
    """A region's irradiance station: simulated GHI of the region's first site, seeded per region."""

    station_id: str
    region: str
    site: Site
    seed: int


@dataclass(frozen=True)
class DemoInstallation:
    installation_id: int
    name: str
    region: str
    site: Site
    beneficiary: str  # address
    project_id: int
    commissioned_s: int  # on chain: its readings are simulated from then
    commune: str = ""  # a sample building's: its municipality is the beneficiary
    faults: tuple[tuple[str, int, int], ...] = ()  # (kind, start_s, end_s), unix seconds UTC

    @property
    def capacity_w(self) -> int:
        return int(self.site.capacity_w)


@dataclass(frozen=True)
class Cast:
    """The accounts the walkthrough acts with, and the name of every address it prints."""

    operator: Any
    offtaker: Any
    buyer: Any
    municipalities: dict[str, Any]  # commune -> account
    names: dict[str, str]  # address -> name


@dataclass(frozen=True)
class OracleKeys:
    """The operator's round signer, the verifier's, and the key that pays gas (never printed)."""

    signer: LocalAccount
    verifier: LocalAccount
    sender: LocalAccount

    def environment(self) -> dict[str, str]:
        return {"ORACLE_SIGNER_KEY": self.signer.key.hex(), "VERIFIER_SIGNER_KEY": self.verifier.key.hex(),
                "ORACLE_SENDER_KEY": self.sender.key.hex()}


@dataclass(frozen=True)
class Certificate:
    token_id: int
    installation_id: int
    period_start: int
    energy_wh: int


# -- step 1: installations --------------------------------------------------------------------------

def municipality(commune: str) -> str:
    return f"Municipalidad de {commune}"


def new_key(accounts: Any, label: str) -> str:
    """A new private key for the actor `label`: random on local chains; on a live network the one
    scripts/common/live.py derives for it, so a resumed run has the same actors."""
    key_for = getattr(accounts, "key_for", None)
    return key_for(label) if key_for is not None else Account.create().key.hex()


def make_cast(accounts: Any, communes: Sequence[str]) -> Cast:
    """New accounts for the offtaker, the buyer and each commune's municipality, with gas money."""
    operator = accounts[0]
    created = {name: accounts.add(new_key(accounts, name)) for name in (OFFTAKER, BUYER, *(municipality(c) for c in communes))}
    for account in created.values():
        operator.transfer(account, ACTOR_FUNDING, silent=True)
    return Cast(operator, created[OFFTAKER], created[BUYER], {c: created[municipality(c)] for c in communes},
                {str(account): name for name, account in created.items()})


def stations_of(samples: Sequence[SampleInstallation]) -> dict[str, Station]:
    """Region -> its station (the CSV's station_id, at the region's first site)."""
    stations: dict[str, Station] = {}
    for sample in samples:
        if sample.region not in stations:
            stations[sample.region] = Station(sample.station_id, sample.region, sample.site(),
                                              REGION_SEED_BASE + len(stations) + 1)
    return stations


def fault_windows(name: str, commissioned_s: int) -> tuple[tuple[str, int, int], ...]:
    windows = []
    for table in (DEMO_FAULTS, LEFT_FOR_REVIEW):
        if name in table:
            kind, day, first_h, end_h = table[name]
            start_s = commissioned_s + day * DAY_S
            windows.append((kind, start_s + int(first_h * HOUR_S), start_s + int(end_h * HOUR_S)))
    return tuple(windows)


def register(contracts: dict[str, Any], cast: Cast, beneficiary: Any, site: Site, commune_code: int, commissioned_s: int,
             project_id: int, serial: str) -> int:
    """Register one installation (the operator is registrar) and the offtaker's tariff from commissioning."""
    registry, sales = contracts["InstallationRegistry"], contracts["EnergySales"]
    params = (beneficiary, int(site.capacity_w), round(site.lat_deg * 1e6), round(site.lon_deg * 1e6), commune_code,
              commissioned_s, project_id, "PV rooftop, monocrystalline", "blue'Log X-1000", serial, PROGRAMME)
    tx = registry.registerInstallation(params, {"from": cast.operator}, silent=True)
    installation_id = int(tx.events["InstallationRegistered"]["installationId"])
    sales.proposeTerms(installation_id, cast.offtaker, TARIFF_CLP_PER_KWH, commissioned_s, {"from": cast.operator}, silent=True)
    sales.acceptTerms(installation_id, TARIFF_CLP_PER_KWH, commissioned_s, {"from": cast.offtaker}, silent=True)
    return installation_id


def register_samples(contracts: dict[str, Any], cast: Cast, samples: Sequence[SampleInstallation],
                     commissioned_s: int) -> list[DemoInstallation]:
    missing = sorted(set(DEMO_FAULTS) - {s.name for s in samples})
    if missing:
        raise DemoError(f"the faults name sample installations that are not in the sample set: {', '.join(missing)}")
    installations = []
    for n, sample in enumerate(samples, start=1):
        owner = cast.municipalities[sample.commune]
        installation_id = register(contracts, cast, owner, sample.site(), int(sample.commune_code), commissioned_s, 0,
                                   f"BL-{n:04d}")
        installations.append(DemoInstallation(installation_id, sample.name, sample.region, sample.site(), str(owner), 0,
                                              commissioned_s, sample.commune, fault_windows(sample.name, commissioned_s)))
    return installations


def funded_project(contracts: dict[str, Any]) -> tuple[int, str] | None:
    """(project id, owner) of the first marketplace project whose crowdfunding campaign was finalized
    and whose roof is not an installation yet, if the deployment has one (ICrowdfunding: campaign
    state 1 = Finalized)."""
    crowdfunding = contracts.get("Crowdfunding")
    if crowdfunding is None or not hasattr(crowdfunding, "campaignCount"):
        return None
    registry = contracts["InstallationRegistry"]
    for campaign_id in range(1, int(crowdfunding.campaignCount()) + 1):
        campaign = crowdfunding.campaign(campaign_id)
        if int(campaign["state"]) == 1 and int(registry.installationOfProject(campaign["projectId"])[0]) == 0:
            return int(campaign["projectId"]), str(campaign["owner"])
    return None


def register_funded_project_roof(contracts: dict[str, Any], cast: Cast, commissioned_s: int) -> DemoInstallation | None:
    """The crowdfunded marketplace project's roof (its owner the beneficiary, revenue into its crowdfunding)."""
    project = funded_project(contracts)
    if project is None:
        return None
    project_id, owner = project
    size_kwp = int(contracts["Projects"].project(project_id)["sizeKwp"]) if "Projects" in contracts else 10
    site = Site(size_kwp * 1000, PROJECT_ROOF_LAT, PROJECT_ROOF_LON)
    installation_id = register(contracts, cast, owner, site, PROJECT_ROOF_COMMUNE, commissioned_s, project_id, "BL-P001")
    return DemoInstallation(installation_id, f"Rooftop of crowdfunded marketplace project {project_id}",
                            PROJECT_ROOF_REGION, site, owner, project_id, commissioned_s)


def given_project_roofs(contracts: dict[str, Any], roofs: Sequence[ProjectRoof], stations: dict[str, Station],
                        week_end_s: int) -> list[DemoInstallation]:
    """The caller's project roofs (registered on chain already), checked against the registry."""
    registry = contracts["InstallationRegistry"]
    installations = []
    for roof in roofs:
        if roof.region not in stations:
            raise DemoError(f"project roof {roof.name}: region {roof.region!r} has no station in the sample set")
        record = registry.installation(roof.installation_id)
        if int(record["projectId"]) != roof.project_id or int(record["capacityW"]) != roof.capacity_w:
            raise DemoError(f"project roof {roof.name}: installation {roof.installation_id} on chain is not project "
                            f"{roof.project_id} with {roof.capacity_w} W")
        if int(record["commissionedAt"]) >= week_end_s:
            raise DemoError(f"project roof {roof.name}: commissioned {iso_utc(int(record['commissionedAt']))}, after the "
                            f"week the oracle certifies (to {iso_utc(week_end_s)})")
        installations.append(DemoInstallation(roof.installation_id, roof.name, roof.region,
                                              Site(roof.capacity_w, roof.lat, roof.lon), str(record["beneficiary"]),
                                              roof.project_id, int(record["commissionedAt"])))
    return installations


def set_factor(registry: Any, year: int, operator: Any) -> None:
    if int(registry.emissionFactor(year)[0]) == 0 and not registry.emissionFactorLocked(year):
        registry.setEmissionFactor(year, DEMO_FACTOR_G_PER_KWH, DEMO_FACTOR_SOURCE, {"from": operator}, silent=True)


def install_oracle_keys(oracle: Any, operator: Any, accounts: Any) -> OracleKeys:
    """The operator's oracle key and the verifier's become the only signers (quorum 2); a sending
    key gets gas money."""
    keys = OracleKeys(*(Account.from_key(new_key(accounts, label)) for label in ("oracle signer", "verifier", "oracle sender")))
    tx = {"from": operator}
    for account in (keys.signer, keys.verifier):
        oracle.addSigner(account.address, tx, silent=True)
    oracle.setQuorum(2, tx, silent=True)
    if oracle.isSigner(operator):
        oracle.removeSigner(operator, tx, silent=True)
    operator.transfer(keys.sender.address, GAS_FUNDING, silent=True)
    return keys


# -- step 2: the oracle's configs -------------------------------------------------------------------

def write_manifest(contracts: dict[str, Any], path: Path) -> None:
    """The deployment manifest the oracle reads (chain id, names, contract types, addresses)."""
    entries = {name: {"contractType": getattr(c, "_name", name), "address": c.address} for name, c in contracts.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"chainId": chain.id, "contracts": entries}, indent=2) + "\n")


def toml_value(value: Any) -> str:
    """A TOML value: strings as basic strings (JSON's escapes are TOML's), inline tables, arrays."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(toml_value(v) for v in value) + "]"


def toml_table(name: str, fields: dict[str, Any]) -> str:
    return f"[[{name}]]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in fields.items())


def installation_table(installation: DemoInstallation, station: Station, source: dict[str, Any]) -> str:
    site = installation.site
    return toml_table("installations", {
        "id": installation.installation_id, "name": installation.name, "capacity_w": installation.capacity_w,
        "lat": site.lat_deg, "lon": site.lon_deg, "tilt_deg": site.tilt_deg, "azimuth_deg": site.azimuth_deg,
        "altitude_m": site.altitude_m, "station": station.station_id, "source": source})


def write_station_files(folder: Path, stations: Sequence[Station], start_s: int, end_s: int) -> dict[str, str]:
    """One CSV of simulated GHI (W/m2, 15-minute means) per station; returns id -> path relative to
    the config's folder (``stations/<id>.csv``)."""
    (folder / "stations").mkdir(parents=True, exist_ok=True)
    paths = {}
    for station in stations:
        ghi = simulate_station(station.site, start_s, end_s, station.seed)
        lines = ["timestamp,ghi_w_m2"] + [f"{t.strftime(ISO_UTC_FORMAT)},{v:.1f}" for t, v in ghi.items()]
        paths[station.station_id] = f"stations/{station.station_id}.csv"
        (folder / paths[station.station_id]).write_text("\n".join(lines) + "\n")
    return paths


def write_config(folder: Path, signer_env: str, stations: Sequence[Station], tables: Sequence[str],
                 start_s: int, end_s: int, rounds: dict[str, Any], review: dict[str, Any] | None = None) -> Path:
    """An oracle.toml in `folder`: the chain, keys by variable name, [rounds], [review], its stations and installations."""
    paths = write_station_files(folder, stations, start_s, end_s)
    head = (f"# written by scripts/walkthroughs/energy.py (synthetic demo data)\ndata_dir = \"var\"\n"
            + "".join(f"{k} = {toml_value(v)}\n" for k, v in rounds.items() if k == "rounds_dir")
            + f"[network]\nrpc_url = {toml_value(web3.provider.endpoint_uri)}\nchain_id = {chain.id}\n"
            + 'manifest = "../deployment.json"\n'
            + f'[keys]\nsender = "ORACLE_SENDER_KEY"\nsigner = "{signer_env}"\n[rounds]\n'
            + "".join(f"{k} = {toml_value(v)}\n" for k, v in rounds.items() if k != "rounds_dir")
            + ("[review]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in review.items()) if review else ""))
    body = [toml_table("stations", {"id": s.station_id, "path": paths[s.station_id]}) for s in stations] + list(tables)
    path = folder / "oracle.toml"
    path.write_text(head + "\n" + "\n".join(body))
    return path


DASHBOARD_KEYS = "dashboard-keys.txt"
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"  # anvil's and ganache's default


def local_chain_key(address: str, accounts_searched: int = 10) -> str | None:
    """The key of one of a local chain's unlocked accounts, derived from the default development
    mnemonic (public, as every local chain's); None when `address` is not one of them."""
    Account.enable_unaudited_hdwallet_features()
    for index in range(accounts_searched):
        account = Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
        if account.address.lower() == address.lower():
            return "0x" + bytes(account.key).hex()
    return None


def write_dashboard_keys(path: Path, reviewer: LocalAccount, admin: Any) -> None:
    """On a local chain, the test keys that sign in to `make dashboard` (the reviewer the operator's
    config names, and the admin of the GenerationOracle: the deployer), in a git-ignored file; on a
    live network nothing is written (keys there are the operator's own)."""
    if chain.id not in LOCAL_CHAIN_IDS:
        return
    admin_key = getattr(admin, "private_key", None) or local_chain_key(str(admin))
    if admin_key is None:
        return
    path.write_text(
        "# Test keys of this demo's local chain only, to sign in to `make dashboard` (Sign in, then\n"
        "# 'Sign with a test key'). Anyone may know them: never use them for anything else.\n"
        f"reviewer ({REVIEWER_NAME}): address {reviewer.address}  key 0x{bytes(reviewer.key).hex()}\n"
        f"operator (deployer, admin of the GenerationOracle): address {admin.address}  key "
        f"0x{str(admin_key).removeprefix('0x')}\n")


def write_configs(workdir: Path, installations: Sequence[DemoInstallation], stations: dict[str, Station],
                  commissioned_s: int, reviewer: str) -> tuple[Path, Path]:
    """The operator's config (simulated sources with the faults, the review before a round, the
    dashboard's reviewer) and the verifier's (its own key and copies of the stations). Returns both paths."""
    end_s = commissioned_s + (DEMO_DAYS + 1) * DAY_S  # the stations cover today too
    operator_tables, verifier_tables = [], []
    for item in installations:
        station = stations[item.region]
        faults = [{"kind": kind, "start": iso_utc(a), "end": iso_utc(b)} for kind, a, b in item.faults]
        operator_tables.append(installation_table(item, station, {"kind": "simulated", "seed": station.seed,
                                                                  "start": iso_utc(item.commissioned_s), "faults": faults}))
        verifier_tables.append(installation_table(item, station, {"kind": "simulated", "seed": station.seed}))
    used = [s for s in stations.values() if any(i.region == s.region for i in installations)]
    config = write_config(workdir / "oracle", "ORACLE_SIGNER_KEY", used, operator_tables, commissioned_s, end_s,
                          {"rounds_dir": "../rounds", "settle_hours": 0, "wait_for_review": True},
                          {"reviewers": [{"address": reviewer, "name": REVIEWER_NAME}]})
    verifier = write_config(workdir / "verifier", "VERIFIER_SIGNER_KEY", used, verifier_tables, commissioned_s, end_s,
                            {"settle_hours": 0})
    return config, verifier


# -- step 3: the oracle's cron job ------------------------------------------------------------------

@contextmanager
def key_environment(keys: OracleKeys) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in keys.environment()}
    os.environ.update(keys.environment())
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def shown_path(text: str) -> str:
    return text.replace(str(PROJECT_ROOT) + os.sep, "")


def readable(line: str, names: dict[str, str]) -> str:
    """An oracle output line for people: project paths relative, addresses as names, hashes short."""
    line = ADDRESS.sub(lambda m: names.get(m.group(0), f"{m.group(0)[:6]}…{m.group(0)[-4:]}"), shown_path(line))
    return TX_HASH.sub(lambda m: f"{m.group(0)[:10]}…", line)


HOLD = re.compile(r"^\s*waits: installation \d+: from \S+: (?P<reason>.*)$")
NOTHING_NEW = re.compile(r"^run: ingested 0 interval\(s\)|^\s+round \d+: \d+ leaves, .*, 0 left out$|^run: signed round")
DAY_COUNT = re.compile(r"\d+ interval\(s\) of \d{4}-\d\d-\d\d ")  # "1 interval(s) of 2026-03-01 pending review"
COUNTS = re.compile(r"^installation \d+: (?P<counts>.*)$")


def condensed(lines: list[str]) -> list[str]:
    """The oracle's per-installation lines folded: holds counted per reason, status counts summed."""
    out: list[str] = []
    holds: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    listed = 0
    for line in lines:
        if (hold := HOLD.match(line)) is not None:
            holds[DAY_COUNT.sub("", hold["reason"])] += 1
        elif (count := COUNTS.match(line)) is not None:
            listed += 1
            for part in count["counts"].split(", "):
                number, _, status = part.partition(" ")
                if number.isdigit():
                    counts[status] += int(number)
        else:
            out.append(line)
    if counts:
        out.append(f"{listed} installation(s): " + ", ".join(f"{n:,} {s}" for s, n in sorted(counts.items()))
                   + " interval(s) (summed here: the command prints a line per installation)")
    out.extend(f"  waits: {n} installation(s): {reason}" for reason, n in holds.items())
    return out


@dataclass(frozen=True)
class OracleCli:
    """``python -m oracle`` run in-process as the operator would type it, printed for people."""

    names: dict[str, str]  # address -> name, for its output
    last_s: int  # its clock (``--now``, chain time) stops here: the demo's today never ends for it

    def __call__(self, config: Path, *args: str, expect: tuple[int, ...] = (0,), echo: bool = True,
                 keep: Callable[[str], bool] = lambda line: True) -> int:
        """Run ``python -m oracle --config CONFIG --now <chain time> ARGS``; print the command line and
        its output (per-installation lines folded, `keep` choosing the rest), indented."""
        argv = ["--config", str(config), "--now", iso_utc(min(int(chain.time()), self.last_s)), *args]
        output = io.StringIO()
        with redirect_stdout(output), redirect_stderr(output):
            code = oracle_main(argv)
        lines = [readable(line, self.names) for line in output.getvalue().splitlines()]
        if echo or code not in expect:
            print(f"   $ python -m oracle {shown_path(shlex.join(argv))}")
            for line in condensed([line for line in lines if keep(line)]):
                print(f"     {line}")
        if code not in expect:
            raise DemoError(f"`python -m oracle {' '.join(args)}` exited {code}")
        return code


def review_flags(oracle: OracleCli, config: Path, store_path: Path, today_s: int) -> None:
    """The reviewer rejects every flagged day of the week (the faults are not measured generation):
    the first command is shown, the others counted. Today's flagged readings stay pending: today is
    not settled, so they hold no round back, and the dashboard's reviewer finds them in the queue."""
    oracle(config, "review", "list", expect=(0, 1), keep=lambda line: not line.startswith("review:"))
    store = open_store(store_path)
    pending = pending_days(store)
    store.close()
    days = [d for d in pending if d.day_s < today_s]
    left = [d for d in pending if d.day_s >= today_s]
    for n, day in enumerate(days):
        oracle(config, "review", "reject", str(day.installation_id), utc_date(day.day_s), "--reviewer", REVIEWER,
               "--reason", REVIEW_REASON, echo=n == 0, keep=lambda line: False)
    if days:
        ids = sorted({d.installation_id for d in days[1:]})
        same = f"the same for installation(s) {', '.join(map(str, ids))}: " if ids else ""
        print(f"     ({same}{sum(d.intervals for d in days):,} interval(s) rejected in all, each day with the reviewer's "
              f"name and reason)")
    if left:
        print(f"     left pending for the dashboard's reviewer: {sum(d.intervals for d in left)} interval(s) of today "
              f"({', '.join(sorted({f'installation {d.installation_id}' for d in left}))}; today is not settled)")


def open_round_status(store_path: Path) -> tuple[str, Path] | None:
    store = open_store(store_path)
    try:
        row = store.open_round()
        return None if row is None else (row.status, row.file)
    finally:
        store.close()


def run_cron_story(oracle: OracleCli, configs: tuple[Path, Path], keys: OracleKeys, today_s: int) -> Path:
    """Steps 3 to 7 through the oracle's command line; returns the operator's store path."""
    config, verifier_config = configs
    settings = load_config(config)
    with key_environment(keys):
        print("3. The oracle's cron job runs: it ingests and checks the week of 15-minute readings")
        oracle(config, "run", expect=(0, 1), keep=lambda line: not HOLD.match(line))  # one line says why
        print(f"4. The reviewer, {REVIEWER}, looks at the flagged days and rejects them")
        review_flags(oracle, config, settings.store_path, today_s)
        print("5. The next run builds round 1 and signs it; the round waits for the verifier's signature")
        oracle(config, "run", expect=(0, 1), keep=lambda line: not NOTHING_NEW.search(line))
        in_flight = open_round_status(settings.store_path)
        if in_flight is None or in_flight[0] != "signed":
            raise DemoError(f"after the review `oracle run` left no signed round in flight ({in_flight})")
        print("6. The independent verifier re-checks the round file against its own stations and co-signs it")
        round_file = in_flight[1]
        oracle(verifier_config, "cosign", str(round_file), "--out", str(settings.cosigned_dir / round_file.name))
        print("7. The next run merges the signature, submits the round and claims the certificates")
        oracle(config, "run", expect=(0, 1),  # what still waits: `status` below says it
               keep=lambda line: not (NOTHING_NEW.search(line) or HOLD.match(line) or "nothing to certify" in line))
        oracle(config, "status", expect=(0, 1))
    return settings.store_path


# -- step 8 and 9: certificates and energy sales ----------------------------------------------------

def chain_reader() -> ChainReader:
    """The oracle's batched, block-pinned reader at the latest block (brownie's event filters fail on
    ERC-1155's TransferBatch, whose ``values`` argument shadows a dict method)."""
    return ChainReader(web3, web3.eth.block_number)


def web3_contract(contract: Any) -> Any:
    """The web3 view of a brownie contract (structs decoded as named tuples)."""
    return web3.eth.contract(address=contract.address, abi=contract.abi, decode_tuples=True)


def events_of(contract: Any, name: str, from_block: int) -> list[dict[str, Any]]:
    """The `name` events of the brownie `contract` since `from_block`, in chain order, as dicts of
    their arguments."""
    return chain_reader().events(web3_contract(contract), name, from_block)


def issued_certificates(certificates: Any, installation_ids: Sequence[int], from_block: int) -> dict[int, list[Certificate]]:
    """The certificates issued since `from_block` per installation, in token order (from the chain)."""
    by_installation: dict[int, list[Certificate]] = {i: [] for i in installation_ids}
    for args in events_of(certificates, "CertificateIssued", from_block):
        if int(args["installationId"]) in by_installation:
            by_installation[int(args["installationId"])].append(
                Certificate(int(args["tokenId"]), int(args["installationId"]), int(args["periodStart"]), int(args["energyWh"])))
    return by_installation


def kwh(energy_wh: int) -> str:
    return f"{energy_wh / 1000:,.1f} kWh"


def use_certificates(certificates: Any, cast: Cast, by_commune: dict[str, list[Certificate]], year: int) -> None:
    """Transfers, retirements for named beneficiaries and export locks, whole certificates each."""
    period = str(year)
    sold = by_commune[SELLS_TO_BUYER]
    seller = cast.municipalities[SELLS_TO_BUYER]
    certificates.safeBatchTransferFrom(seller, cast.buyer, [c.token_id for c in sold], [c.energy_wh for c in sold], b"",
                                       {"from": seller}, silent=True)
    print(f"   transferred: {len(sold)} certificate(s), {kwh(sum(c.energy_wh for c in sold))}, "
          f"{municipality(SELLS_TO_BUYER)} -> {BUYER}")
    retirements = ((cast.municipalities[RETIRES_OWN], municipality(RETIRES_OWN), by_commune[RETIRES_OWN]),
                   (cast.buyer, BUYER, sold[:BUYER_RETIRES]))
    parts = []
    for holder, beneficiary, chosen in retirements:
        for c in chosen:
            certificates.retire(c.token_id, c.energy_wh, beneficiary, SCOPE_2, period, "CL", {"from": holder}, silent=True)
        parts.append(f"{len(chosen)} ({kwh(sum(c.energy_wh for c in chosen))}) for {beneficiary}")
    print(f"   retired for named beneficiaries ({SCOPE_2}, {period}, CL): " + "; ".join(parts))
    serials = []
    for commune in EXPORTS:
        holder = cast.municipalities[commune]
        for c in by_commune[commune]:
            serials.append(f"CL-{year}-{len(serials) + 1:06d}")
            certificates.lockForExport(c.token_id, c.energy_wh, EXPORT_REGISTRY, serials[-1], {"from": holder}, silent=True)
    locked = [c for commune in EXPORTS for c in by_commune[commune]]
    print(f"   locked for export to {EXPORT_REGISTRY}: {len(locked)} certificate(s), {kwh(sum(c.energy_wh for c in locked))} "
          f"of {' and '.join(municipality(c) for c in EXPORTS)}, serials {serials[0]} to {serials[-1]}")


def offtaker_account(accounts: Any, address: str) -> Any:
    for account in accounts:
        if str(account) == address:
            return account
    raise DemoError(f"the offtaker {address} of a project roof's terms is not one of brownie's accounts: it must deposit")


def sell_energy(contracts: dict[str, Any], cast: Cast, accounts: Any, certificates: Sequence[Certificate]) -> None:
    """Each offtaker deposits what its certificates cost and settles every one of them."""
    sales, token = contracts["EnergySales"], contracts["PaymentToken"]
    reader, views = chain_reader(), web3_contract(sales)
    terms = reader.call_many(views, "termsInForce", [(c.installation_id, c.period_start) for c in certificates])
    quotes = reader.call_many(views, "quote", [(c.installation_id, c.token_id) for c in certificates])
    owed: dict[str, list[tuple[Certificate, int]]] = defaultdict(list)
    for c, (offtaker, _, _), amount_clp in zip(certificates, terms, quotes):
        owed[str(offtaker)].append((c, int(amount_clp)))
    for address, items in owed.items():
        payer = cast.offtaker if address == str(cast.offtaker) else offtaker_account(accounts, address)
        needed = sum(amount for _, amount in items)
        if hasattr(token, "mint"):
            token.mint(payer, needed, {"from": cast.operator}, silent=True)
        token.approve(sales, needed, {"from": payer}, silent=True)
        sales.deposit(needed, {"from": payer}, silent=True)
        for c, amount in items:
            if amount:  # a certificate worth less than 1 CLP stays unsettled (the contract refuses 0)
                sales.settle(c.installation_id, c.token_id, {"from": payer}, silent=True)


# -- step 10 and the result -------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainFigures:
    """Per installation, from the chain: Wh retired, locked for export, transferred away by the
    beneficiary, and CLP settled."""

    retired_wh: dict[int, int]
    exported_wh: dict[int, int]
    transferred_wh: dict[int, int]
    settled_clp: dict[int, int]
    into_projects_clp: int
    owed_clp: int


def chain_figures(contracts: dict[str, Any], installations: Sequence[DemoInstallation],
                  by_installation: dict[int, list[Certificate]], from_block: int) -> ChainFigures:
    certificates, sales = contracts["GenerationCertificates"], contracts["EnergySales"]
    installation_of = {c.token_id: c.installation_id for cs in by_installation.values() for c in cs}
    beneficiary = {i.installation_id: i.beneficiary for i in installations}
    retired, exported, transferred, settled = (defaultdict(int) for _ in range(4))
    records = chain_reader().call_many(web3_contract(certificates), "certificate", [(t,) for t in installation_of])
    for installation_id, record in zip(installation_of.values(), records):
        retired[installation_id] += int(record.retiredWh)
        exported[installation_id] += int(record.exportedWh)
    zero = "0x" + "0" * 40
    for kind in ("TransferSingle", "TransferBatch"):
        for args in events_of(certificates, kind, from_block):
            ids, values = ([args["id"]], [args["value"]]) if kind == "TransferSingle" else (args["ids"], args["values"])
            for token_id, value in zip(ids, values):
                installation_id = installation_of.get(int(token_id))
                if installation_id is not None and args["from"] == beneficiary[installation_id] and args["to"] != zero:
                    transferred[installation_id] += int(value)
    into_projects = owed = 0
    for args in events_of(sales, "Settled", from_block):
        if int(args["certificateId"]) in installation_of:
            settled[int(args["installationId"])] += int(args["amountClp"])
            into_projects += int(args["amountClp"]) if int(args["projectId"]) else 0
            owed += 0 if int(args["projectId"]) else int(args["amountClp"])
    return ChainFigures(dict(retired), dict(exported), dict(transferred), dict(settled), into_projects, owed)


def week_of_days(store_path: Path, installations: Sequence[DemoInstallation],
                 commissioned_s: int) -> dict[int, tuple[DayEnergy, ...]]:
    """Per installation, its UTC days of the week as the oracle's store holds them."""
    store = open_store(store_path)
    try:
        return {item.installation_id: tuple(
            DayEnergy(utc_date(int(d.day_s)), int(d.accepted_wh), int(d.flagged_wh), int(d.flagged_intervals))
            for d in daily_energy(store, item.installation_id, commissioned_s,
                                  commissioned_s + DEMO_DAYS * DAY_S).itertuples(index=False))
            for item in installations}
    finally:
        store.close()


def outcomes(installations: Sequence[DemoInstallation], days: dict[int, tuple[DayEnergy, ...]],
             by_installation: dict[int, list[Certificate]], figures: ChainFigures) -> tuple[InstallationOutcome, ...]:
    """Per installation: the oracle's days (from its store) and the certificate figures (from the chain)."""
    return tuple(InstallationOutcome(
        item.installation_id, item.name, item.region, item.capacity_w, days[item.installation_id],
        sum(c.energy_wh for c in by_installation[item.installation_id]), figures.retired_wh.get(item.installation_id, 0),
        figures.exported_wh.get(item.installation_id, 0), figures.transferred_wh.get(item.installation_id, 0),
        figures.settled_clp.get(item.installation_id, 0)) for item in installations)


def issued_round_files(store_path: Path) -> tuple[Path, ...]:
    store = open_store(store_path)
    try:
        return tuple(row.file for row in store.rounds() if row.status == "issued")
    finally:
        store.close()


def print_totals(days: dict[int, tuple[DayEnergy, ...]], certified_wh: int, accepted_wh: int, certificate_count: int) -> None:
    flagged = [d for week in days.values() for d in week if d.flagged_intervals]
    print(f"8. Certificates on chain: {certificate_count} for {len(days)} installation(s), {kwh(certified_wh)} "
          f"({certified_wh * DEMO_FACTOR_G_PER_KWH / 1e6:,.1f} kgCO2e at {DEMO_FACTOR_G_PER_KWH} g/kWh); left out after "
          f"the review: {sum(d.flagged_intervals for d in flagged):,} interval(s), {kwh(sum(d.flagged_wh for d in flagged))}")
    print(f"   check: {certified_wh:,} Wh certified = {accepted_wh:,} Wh accepted or approved in the oracle's store")


def energy_walkthrough(contracts: dict[str, Any], accounts: Any,
                       project_roofs: Sequence[ProjectRoof] = ()) -> EnergyDemoResult:
    """Run and print every step (see the module docstring). Needs the energy contracts deployed by
    scripts/deployment/energy.py, with the deployer (accounts[0]) as admin and registrar; the
    project roofs, if any, registered by the caller with their project ids and EnergySales terms."""
    from_block = web3.eth.block_number
    commissioned_s = (int(chain.time()) // DAY_S - DEMO_DAYS) * DAY_S
    samples = load_sample_installations()
    stations = stations_of(samples)
    cast = make_cast(accounts, sorted({s.commune for s in samples}))
    installations = register_samples(contracts, cast, samples, commissioned_s)
    funded_roof = register_funded_project_roof(contracts, cast, commissioned_s)  # the market walkthrough's, if any
    roofs = [*([funded_roof] if funded_roof else []),
             *given_project_roofs(contracts, project_roofs, stations, commissioned_s + DEMO_DAYS * DAY_S)]
    installations += roofs
    registry = contracts["InstallationRegistry"]
    year = utc_year(commissioned_s)
    for y in sorted({year, utc_year(commissioned_s + DEMO_DAYS * DAY_S)}):
        set_factor(registry, y, cast.operator)
    print_registration(samples, roofs, commissioned_s, registry.emissionFactor(year)[0], year)
    keys = install_oracle_keys(contracts["GenerationOracle"], cast.operator, accounts)
    write_manifest(contracts, DEMO_DIR / "deployment.json")
    reviewer = Account.from_key(new_key(accounts, "dashboard reviewer"))
    configs = write_configs(DEMO_DIR, installations, stations, commissioned_s, reviewer.address)
    write_dashboard_keys(DEMO_DIR / DASHBOARD_KEYS, reviewer, cast.operator)
    print_configs(configs, installations)
    names = {**cast.names, keys.signer.address: "the operator's oracle", keys.verifier.address: "the verifier"}
    oracle = OracleCli(names, commissioned_s + (DEMO_DAYS + 1) * DAY_S - 1)  # never an eighth day, even past midnight
    store_path = run_cron_story(oracle, configs, keys, commissioned_s + DEMO_DAYS * DAY_S)
    return certify_and_sell(contracts, cast, accounts, installations, store_path, commissioned_s, from_block, configs[0],
                            oracle)


def certify_and_sell(contracts: dict[str, Any], cast: Cast, accounts: Any, installations: list[DemoInstallation],
                     store_path: Path, commissioned_s: int, from_block: int, config: Path,
                     oracle: OracleCli) -> EnergyDemoResult:
    """Steps 8 to 10: the sum checked, certificate use, energy sales, the CADT export; the result."""
    certificates = contracts["GenerationCertificates"]
    by_installation = issued_certificates(certificates, [i.installation_id for i in installations], from_block)
    empty = [i.name for i in installations if not by_installation[i.installation_id]]
    if empty:
        raise DemoError(f"the oracle issued no certificate for {', '.join(empty)}")
    issued = [c for cs in by_installation.values() for c in cs]
    certified_wh = sum(c.energy_wh for c in issued)
    days = week_of_days(store_path, installations, commissioned_s)
    accepted_wh = sum(d.accepted_wh for week in days.values() for d in week)
    if certified_wh != accepted_wh:
        raise DemoError(f"{certified_wh:,} Wh certified on chain, but the oracle's store accepted {accepted_wh:,} Wh")
    print_totals(days, certified_wh, accepted_wh, len(issued))
    by_commune: dict[str, list[Certificate]] = defaultdict(list)
    for item in installations:
        if item.commune:
            by_commune[item.commune].extend(by_installation[item.installation_id])
    use_certificates(certificates, cast, by_commune, utc_year(commissioned_s))
    print(f"9. Energy sales: the offtakers ({OFFTAKER} at {TARIFF_CLP_PER_KWH} CLP/kWh, and any project roof's own) "
          f"deposit and settle all {len(issued)} certificate(s)")
    sell_energy(contracts, cast, accounts, issued)
    figures = chain_figures(contracts, installations, by_installation, from_block)
    print(f"   {figures.into_projects_clp:,} CLP into the projects' crowdfunding revenue, {figures.owed_clp:,} CLP owed to "
          f"the municipalities (each claims it with EnergySales.claim)")
    print("10. The CADT ledger (Climate Action Data Trust records of every certificate, retirement and export)")
    oracle(config, "export", "--out", str(DEMO_DIR / "cadt"), keep=lambda line: line.startswith("export:"))
    round_files = issued_round_files(store_path)
    return EnergyDemoResult(outcomes(installations, days, by_installation, figures), accepted_wh, certified_wh,
                            len(round_files), round_files, DEMO_DIR / "cadt", store_path)


def print_registration(samples: Sequence[SampleInstallation], roofs: Sequence[DemoInstallation], commissioned_s: int,
                       factor: int, year: int) -> None:
    capacity_kw = sum(s.capacity_w for s in samples) / 1000
    roof_text = (f" and {len(roofs)} marketplace project roof(s) ({sum(r.capacity_w for r in roofs) / 1000:,.1f} kWp)"
                 if roofs else " (no marketplace project roof: no finalized crowdfunding campaign in this deployment)")
    print(f"1. Registered: {len(samples)} sample public buildings (PTSP-like, data/ptsp_installations.csv), each its "
          f"municipality's, in {len({s.region for s in samples})} regions, {capacity_kw:,.1f} kWp{roof_text}; commissioned "
          f"{utc_date(commissioned_s)}; {OFFTAKER} buys at {TARIFF_CLP_PER_KWH} CLP/kWh; grid factor {year}: {factor} "
          f"gCO2e/kWh (synthetic)")


def print_configs(configs: tuple[Path, Path], installations: Sequence[DemoInstallation]) -> None:
    faulty = [(i, kind) for i in installations for kind, _, _ in i.faults]
    print(f"2. Oracle configs: {shown_path(str(configs[0]))} (operator) and {shown_path(str(configs[1]))} (verifier, its own "
          f"key and station copies); {len({i.region for i in installations})} stations, one per region, each "
          f"installation names its region's; quorum 2 (the operator's oracle + the verifier)")
    print("   simulated readings (synthetic), faults injected: " + ", ".join(
        f"{FAULT_NAMES[kind]} at {item.name} (installation {item.installation_id})" for item, kind in faulty))
