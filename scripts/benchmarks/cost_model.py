"""The operator's cost per project and per certified MWh: on chain (gas in CLP) against a centralised registry.

Pure functions over dataclasses; every default is an ASSUMPTION written with its date and the kind
of source it stands for (docs/cost-model.md lists them all). Nothing here was fetched: this machine
has no network access, so prices are orders of magnitude to be updated before any real use.

Gas comes from `make bench`'s bench/results.json (``gas.market`` and ``gas.energy``) when it is
there; any figure missing from it falls back to its default in GAS_SOURCES (the README's "Gas at a glance"
figures, five measured by bench_market), and the output lists which ones.

    python -m scripts.benchmarks.cost_model [bench/results.json]
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oracle.errors import InputError
from scripts.common.paths import PROJECT_ROOT

RESULTS_PATH = PROJECT_ROOT / "bench" / "results.json"
GWEI = 10**9
DAYS_PER_YEAR = 365
PRICES_AS_OF = "2026-11"
DEFAULTS_SOURCE = "built-in defaults (README Gas at a glance)"
PRICE_SOURCE = f"assumed, order of magnitude of public price trackers in {PRICES_AS_OF}; update before use"


def gas_cost_clp(gas: float, gas_price_gwei: float, eth_clp: float) -> float:
    """CLP paid for `gas` units at `gas_price_gwei` (1e-9 of the native coin per gas) when one
    native coin (ETH, or EWT on Energy Web) is worth `eth_clp` pesos."""
    return gas * gas_price_gwei * eth_clp / GWEI


@dataclass(frozen=True)
class ChainPreset:
    """Prices of one chain. gas_price_gwei: execution gas price (base fee + tip); coin_clp: the
    native coin in CLP; l1_data_gwei_per_byte: for a rollup, what posting one byte of calldata to
    Ethereum costs (0 on an L1); source: where the figures come from (always an assumption here)."""

    name: str
    coin: str
    gas_price_gwei: float
    coin_clp: float
    l1_data_gwei_per_byte: float = 0.0
    source: str = PRICE_SOURCE


ETHEREUM = ChainPreset("Ethereum mainnet", "ETH", gas_price_gwei=2.0, coin_clp=3_300_000)
# Arbitrum One: 0.01 gwei is its minimum L2 gas price; its L1 data term is modelled per calldata byte.
ARBITRUM = ChainPreset("Arbitrum One (L2)", "ETH", gas_price_gwei=0.01, coin_clp=3_300_000,
                       l1_data_gwei_per_byte=0.1)
ENERGY_WEB = ChainPreset("Energy Web Chain", "EWT", gas_price_gwei=1.0, coin_clp=1_000)
PRESETS = (ETHEREUM, ARBITRUM, ENERGY_WEB)

# Bytes a signed legacy/EIP-1559 transaction carries besides its calldata (signature, nonce, gas, to, ...).
TX_ENVELOPE_BYTES = 110


def tx_cost_clp(gas: float, calldata_bytes: float, chain: ChainPreset) -> float:
    """CLP of transactions using `gas` in total and carrying `calldata_bytes` (envelopes included)
    on `chain`: gas x gas price, plus, on a rollup, bytes x the L1 data price (both in the native
    coin, ETH for a rollup). A documented simplification: no compression, no L1 base-fee dynamics."""
    return (gas_cost_clp(gas, chain.gas_price_gwei, chain.coin_clp)
            + calldata_bytes * chain.l1_data_gwei_per_byte * chain.coin_clp / GWEI)


# --- gas figures -----------------------------------------------------------------------------

# name -> (bench area, key prefix in bench/results.json, default gas, calldata bytes); defaults are
# the README's "Gas at a glance" figures unless marked
# Calldata bytes are estimates from each function's arguments (4-byte selector + 32 per word,
# arrays with their offset and length), not measured.
GAS_SOURCES: dict[str, tuple[str, str, int, int]] = {
    "post_offer": ("market", "postOffer", 82_600, 132),
    "post_demand": ("market", "postDemand", 81_000, 132),
    "match_self_funded": ("market", "matchDemand (self-funded)", 172_000, 196),
    "match_financed": ("market", "matchDemand (financed", 230_000, 196),
    # these five are not in the README: measured by scripts.benchmarks.market.bench_market on anvil, 2026-12-02
    "fund": ("market", "fund (", 123_189, 36),
    "contribute": ("market", "contribute (new contributor)", 76_300, 68),
    "finalize": ("market", "finalize (", 94_500, 36),
    "confirm_delivery": ("market", "confirmDelivery", 54_121, 36),
    "confirm_installation": ("market", "confirmInstallation", 54_223, 36),
    "confirm_commissioning": ("market", "confirmCommissioning", 79_176, 36),
    "withdraw": ("market", "withdraw (milestone payout)", 58_554, 4),
    "deposit_revenue": ("market", "depositRevenue (", 47_600, 68),
    "claim_revenue": ("market", "claimRevenue (", 50_100, 36),
    "submit_round": ("energy", "submitRound, quorum 2", 127_700, 452),
    "issue_batch_per_day": ("energy", "issueBatch of 100, per installation-day", 78_600, 450),
    "settle": ("energy", "settle into project revenue", 85_300, 68),
}


@dataclass(frozen=True)
class GasFigures:
    """Gas per operation (name -> gas, names of GAS_SOURCES); `defaulted` lists the names that
    came from DEFAULT_GAS rather than a bench run; `source` says where the rest came from."""

    gas: dict[str, int]
    defaulted: tuple[str, ...]
    source: str

    def __getitem__(self, name: str) -> int:
        return self.gas[name]


def _measured(area_gas: dict[str, Any], prefix: str) -> int | None:
    """The figure of the first steady-state key starting with `prefix` ("(first)" keys are the
    one-off first write, and are used only when nothing else matches), or None."""
    keys = [key for key in area_gas if key.startswith(prefix)]
    steady = [key for key in keys if "(first)" not in key] or keys
    return int(max(area_gas[key] for key in steady)) if steady else None


def gas_figures(gas_by_area: dict[str, dict[str, Any]] | None, source: str) -> GasFigures:
    """GasFigures from ``{"market": {...}, "energy": {...}}`` (bench/results.json's ``gas``), each
    missing figure taken from GAS_SOURCES' default and listed in `defaulted`."""
    gas_by_area = gas_by_area or {}
    gas: dict[str, int] = {}
    defaulted: list[str] = []
    for name, (area, prefix, default, _) in GAS_SOURCES.items():
        value = _measured(gas_by_area.get(area) or {}, prefix)
        if value is None:
            value = default
            defaulted.append(name)
        gas[name] = value
    return GasFigures(gas, tuple(defaulted), source if len(defaulted) < len(GAS_SOURCES) else DEFAULTS_SOURCE)


def load_gas_figures(path: Path | str | None = None) -> GasFigures:
    """Gas from a bench/results.json (`path`, or the repository's when it exists), else every
    figure from the README defaults. Raises InputError for a named file that is missing or is not
    the bench's JSON."""
    if path is None:
        if not RESULTS_PATH.exists():
            return gas_figures(None, DEFAULTS_SOURCE)
        path = RESULTS_PATH
    path = Path(path)
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"bench results {path}: cannot be read ({error.__class__.__name__})") from None
    except ValueError as error:
        raise InputError(f"bench results {path}: not JSON ({error})") from None
    gas = results.get("gas") if isinstance(results, dict) else None
    if not isinstance(gas, dict) or not all(isinstance(gas.get(area, {}), dict) for area in ("market", "energy")):
        raise InputError(f"bench results {path}: no \"gas\" object with \"market\" and \"energy\" tables")
    return gas_figures(gas, str(path))


# --- the on-chain side -----------------------------------------------------------------------

@dataclass(frozen=True)
class ProjectProfile:
    """The transactions of one project, from posting to its first year of revenue. The operator is
    assumed to pay (relay) every transaction of the project, whoever signs it."""

    offers: float = 3.0  # one new offer per kind (equipment, installation, management); conservative
    contributors: int = 20  # investors of a financed project, one contribution each
    milestone_payouts: int = 3  # provider, installer and manager each withdraw once
    revenue_deposits: int = 12  # a year of monthly revenue deposits
    claims_per_contributor: int = 1  # each investor claims once a year


@dataclass(frozen=True)
class EnergyProfile:
    """Certified generation. capacity_w: a typical installation (the sample set averages 44 kW);
    specific_yield_kwh_per_kwp_day: assumed Chilean average (about 5.5 in the north, 3 in the
    south); installations_per_round: one signed round a day covers this many installations;
    certificate = one installation-day, issued in batches of 100, each settled once."""

    capacity_w: float = 40_000
    specific_yield_kwh_per_kwp_day: float = 4.5
    installations_per_round: int = 100
    installations: int = 100  # on the operator's books, for per-MWh shares of fixed costs

    @property
    def mwh_per_installation_day(self) -> float:
        """MWh one installation makes in one day."""
        return self.capacity_w / 1_000 * self.specific_yield_kwh_per_kwp_day / 1_000

    @property
    def mwh_per_year(self) -> float:
        """MWh certified per year over all `installations`."""
        return self.mwh_per_installation_day * self.installations * DAYS_PER_YEAR


@dataclass(frozen=True)
class OnchainOperatorParams:
    """Off-chain costs the on-chain operator still has: a small host for the oracle service
    (and an RPC provider's free tier), charged to certified MWh."""

    oracle_hosting_clp_per_month: float = 60_000


@dataclass(frozen=True)
class Usage:
    """Gas and calldata bytes of a bundle of transactions (envelopes included)."""

    gas: float
    calldata_bytes: float

    def cost_clp(self, chain: ChainPreset) -> float:
        """CLP of this usage on `chain`."""
        return tx_cost_clp(self.gas, self.calldata_bytes, chain)


def _usage(gas: GasFigures, counts: dict[str, float]) -> Usage:
    """Usage of `counts[name]` transactions of each operation (one envelope per transaction)."""
    total_gas = sum(gas[name] * n for name, n in counts.items())
    total_bytes = sum((GAS_SOURCES[name][3] + TX_ENVELOPE_BYTES) * n for name, n in counts.items())
    return Usage(total_gas, total_bytes)


def project_usage(gas: GasFigures, profile: ProjectProfile, financed: bool) -> Usage:
    """On-chain usage of one project: offers, its demand, the match, then for a financed project
    the contributions, finalize, revenue deposits and claims, for a self-funded one the owner's
    escrow payment; both pass the three milestones and pay out."""
    counts: dict[str, float] = {
        "post_offer": profile.offers, "post_demand": 1,
        "confirm_delivery": 1, "confirm_installation": 1, "confirm_commissioning": 1,
        "withdraw": profile.milestone_payouts,
    }
    if financed:
        counts.update(match_financed=1, contribute=profile.contributors, finalize=1,
                      deposit_revenue=profile.revenue_deposits,
                      claim_revenue=profile.contributors * profile.claims_per_contributor)
    else:
        counts.update(match_self_funded=1, fund=1)
    return _usage(gas, counts)


def installation_day_usage(gas: GasFigures, energy: EnergyProfile) -> Usage:
    """On-chain usage of one certified installation-day: its share of the day's round, its part of
    an issueBatch of 100 (one envelope per 100) and one settle."""
    round_ = _usage(gas, {"submit_round": 1})
    settle = _usage(gas, {"settle": 1})
    issue_bytes = GAS_SOURCES["issue_batch_per_day"][3] + TX_ENVELOPE_BYTES / 100
    return Usage(round_.gas / energy.installations_per_round + gas["issue_batch_per_day"] + settle.gas,
                 round_.calldata_bytes / energy.installations_per_round + issue_bytes + settle.calldata_bytes)


def per_mwh_usage(gas: GasFigures, energy: EnergyProfile) -> Usage:
    """On-chain usage per certified MWh: an installation-day's usage over its MWh."""
    day = installation_day_usage(gas, energy)
    mwh = energy.mwh_per_installation_day
    return Usage(day.gas / mwh, day.calldata_bytes / mwh)


# --- the centralised alternative -------------------------------------------------------------

@dataclass(frozen=True)
class CentralisedParams:
    """A centralised registry and escrow run by the operator (all CLP, assumed in 2026-11 from
    Chilean cloud list prices and salary surveys' orders of magnitude; update before use).

    Fixed costs (hosting, database, audit) are shared: `fixed_share_projects` of them to projects
    (over `projects_per_year`), the rest to certified MWh. Certificates are monthly per
    installation (`certificate_days`), as registries usually issue them."""

    hosting_clp_per_month: float = 120_000  # two small VMs with backups
    database_clp_per_month: float = 80_000  # managed PostgreSQL
    audit_clp_per_year: float = 8_000_000  # yearly external audit of the registry and escrow
    staff_clp_per_hour: float = 30_000  # loaded cost of an analyst
    staff_hours_per_project: float = 4.0  # contract, escrow payment, three milestone checks
    staff_hours_per_financed_project: float = 6.0  # on top: campaign, investor register, payouts
    staff_hours_per_contributor: float = 0.25  # identity check and payment record per investor
    staff_minutes_per_certificate: float = 10.0  # data review, issue and registry entry
    certificate_days: int = 30
    projects_per_year: int = 100
    fixed_share_projects: float = 0.5

    @property
    def fixed_clp_per_year(self) -> float:
        """Hosting, database and audit per year."""
        return 12 * (self.hosting_clp_per_month + self.database_clp_per_month) + self.audit_clp_per_year


def centralised_project_clp(params: CentralisedParams, profile: ProjectProfile, financed: bool) -> float:
    """Centralised cost of one project: staff time plus its share of the fixed costs."""
    hours = params.staff_hours_per_project
    if financed:
        hours += params.staff_hours_per_financed_project + params.staff_hours_per_contributor * profile.contributors
    fixed = params.fixed_clp_per_year * params.fixed_share_projects / params.projects_per_year
    return hours * params.staff_clp_per_hour + fixed


def centralised_mwh_clp(params: CentralisedParams, energy: EnergyProfile) -> float:
    """Centralised cost of one certified MWh: certificate staff time plus its share of fixed costs."""
    mwh_per_certificate = energy.mwh_per_installation_day * params.certificate_days
    staff = params.staff_minutes_per_certificate / 60 * params.staff_clp_per_hour / mwh_per_certificate
    return staff + params.fixed_clp_per_year * (1 - params.fixed_share_projects) / energy.mwh_per_year


# --- the table -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CostRow:
    """One chain and one basis ("project, financed", "project, self-funded", "certified MWh"):
    on-chain gas and CLP beside the centralised CLP."""

    chain: str
    basis: str
    onchain_gas: float
    onchain_clp: float
    centralised_clp: float

    @property
    def ratio(self) -> float:
        """On-chain cost as a fraction of the centralised cost."""
        return self.onchain_clp / self.centralised_clp


@dataclass(frozen=True)
class Assumptions:
    """Everything the table depends on besides gas."""

    chains: tuple[ChainPreset, ...] = PRESETS
    project: ProjectProfile = field(default_factory=ProjectProfile)
    energy: EnergyProfile = field(default_factory=EnergyProfile)
    onchain: OnchainOperatorParams = field(default_factory=OnchainOperatorParams)
    centralised: CentralisedParams = field(default_factory=CentralisedParams)


def cost_table(gas: GasFigures, assumptions: Assumptions = Assumptions()) -> list[CostRow]:
    """Per chain: a financed project, a self-funded project and a certified MWh, both sides."""
    a = assumptions
    oracle_clp_per_mwh = 12 * a.onchain.oracle_hosting_clp_per_month / a.energy.mwh_per_year
    bases = [
        ("project, financed", project_usage(gas, a.project, True), 0.0,
         centralised_project_clp(a.centralised, a.project, True)),
        ("project, self-funded", project_usage(gas, a.project, False), 0.0,
         centralised_project_clp(a.centralised, a.project, False)),
        ("certified MWh", per_mwh_usage(gas, a.energy), oracle_clp_per_mwh,
         centralised_mwh_clp(a.centralised, a.energy)),
    ]
    return [CostRow(chain.name, basis, usage.gas, usage.cost_clp(chain) + offchain, central)
            for chain in a.chains for basis, usage, offchain, central in bases]


def format_table(rows: list[CostRow]) -> str:
    """The rows as an aligned text table (CLP rounded to the peso)."""
    lines = [f"{'chain':<20} {'per':<22} {'gas':>11} {'on chain CLP':>14} {'centralised CLP':>16} {'ratio':>9}"]
    for row in rows:
        lines.append(f"{row.chain:<20} {row.basis:<22} {row.onchain_gas:>11,.0f} {row.onchain_clp:>14,.0f} "
                     f"{row.centralised_clp:>16,.0f} {row.ratio:>9.2g}")
    return "\n".join(lines)


def format_assumptions(assumptions: Assumptions) -> str:
    """The chain prices in one line each."""
    lines = []
    for chain in assumptions.chains:
        l1 = f", L1 data {chain.l1_data_gwei_per_byte:g} gwei/byte" if chain.l1_data_gwei_per_byte else ""
        lines.append(f"  {chain.name}: {chain.gas_price_gwei:g} gwei, 1 {chain.coin} = {chain.coin_clp:,.0f} CLP{l1}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Print the table for bench results `argv[0]` (or the defaults); 2 on bad input."""
    if len(argv) > 1:
        print("usage: python -m scripts.benchmarks.cost_model [bench/results.json]", file=sys.stderr)
        return 2
    try:
        gas = load_gas_figures(argv[0] if argv else None)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    assumptions = Assumptions()
    print(f"Operator cost, on chain against a centralised registry (gas: {gas.source})")
    if gas.defaulted and gas.source != DEFAULTS_SOURCE:
        print(f"  defaults used for: {', '.join(gas.defaulted)}")
    print(f"Prices ({PRICE_SOURCE}):")
    print(format_assumptions(assumptions))
    print()
    print(format_table(cost_table(gas, assumptions)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
