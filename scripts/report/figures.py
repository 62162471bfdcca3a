"""The report's figures from the run's mined transactions: gas per operation against the thesis
DApp, and the operator's cost of the run on chain against the centralised alternative
(scripts/benchmarks/cost_model.py prices both sides; its assumptions are written into the report)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from scripts.benchmarks.market import THESIS_MARKET_GAS
from scripts.benchmarks.cost_model import (TX_ENVELOPE_BYTES, Assumptions, ProjectProfile, centralised_mwh_clp,
                                centralised_project_clp, tx_cost_clp)
from scripts.report.chain_gas import DEPLOYMENT, UNKNOWN, MinedTx
from scripts.report.plots import CostBar, GasComparison

ENERGY_CONTRACTS = frozenset({"InstallationRegistry", "GenerationOracle", "GenerationCertificates", "EnergySales"})
# Not the operator's running cost: deploying once, minting the local test token, funding local accounts with ETH.
NOT_OPERATING = frozenset({f"{DEPLOYMENT}.create", "PaymentToken.mint", f"{UNKNOWN}.transfer"})
DAYS_PER_MONTH = 30

# (operation as shown, contract function, financed?: None = either, THESIS_MARKET_GAS row)
THESIS_ROWS: tuple[tuple[str, str, bool | None, str], ...] = (
    ("post an offer", "Marketplace.postOffer", None, "postOffer"),
    ("post a demand", "Marketplace.postDemand", None, "postDemand"),
    ("match a self-funded project", "Marketplace.matchDemand", False, "matchDemand (self-funded)"),
    ("match a financed project (+ campaign)", "Marketplace.matchDemand", True, "matchDemand (financed: project + campaign)"),
    ("contribute to a campaign", "Crowdfunding.contribute", None, "contribute (repeat contributor)"),
)


def gas_comparisons(txs: Sequence[MinedTx], crowdfunding_address: str) -> list[GasComparison]:
    """Median gas of each operation of THESIS_ROWS that the run did, beside the thesis's figure (its
    lower figure where it gives a range: the conservative side). A match is financed when its
    transaction logged an event of the Crowdfunding contract (the campaign it opened)."""
    crowdfunding = crowdfunding_address.lower()
    rows = []
    for operation, label, financed, thesis_row in THESIS_ROWS:
        gas = [tx.gas_used for tx in txs if tx.status == 1 and tx.label == label
               and (financed is None or (crowdfunding in tx.log_addresses) == financed)]
        if gas:
            rows.append(GasComparison(operation, int(statistics.median(gas)), THESIS_MARKET_GAS[thesis_row]))
    return rows


@dataclass(frozen=True)
class RunActivity:
    """What the run did, for the centralised side's staff time and fixed costs."""

    financed_projects: int
    self_funded_projects: int
    contributors_per_financed_project: float
    certified_mwh: float
    days: int


def operating_txs(txs: Sequence[MinedTx]) -> list[MinedTx]:
    """The transactions an operator of the platform pays for (all but NOT_OPERATING)."""
    return [tx for tx in txs if tx.label not in NOT_OPERATING]


def operator_cost_bars(txs: Sequence[MinedTx], activity: RunActivity, assumptions: Assumptions = Assumptions()) -> list[CostBar]:
    """Per chain of `assumptions`: the run's operating transactions priced on it (gas and calldata,
    plus the oracle's hosting for the run's days); and the centralised registry's cost of the same
    projects and MWh."""
    bars = []
    parts = {"market": [tx for tx in operating_txs(txs) if tx.contract not in ENERGY_CONTRACTS],
             "certification": [tx for tx in operating_txs(txs) if tx.contract in ENERGY_CONTRACTS]}
    hosting_clp = assumptions.onchain.oracle_hosting_clp_per_month * activity.days / DAYS_PER_MONTH
    for chain in assumptions.chains:
        market, certification = (tx_cost_clp(sum(tx.gas_used for tx in part),
                                             sum(tx.calldata_bytes + TX_ENVELOPE_BYTES for tx in part), chain)
                                 for part in parts.values())
        bars.append(CostBar(f"{chain.name}, on chain", market, certification + hosting_clp))
    profile = ProjectProfile(contributors=round(activity.contributors_per_financed_project))
    central = assumptions.centralised
    market = (activity.financed_projects * centralised_project_clp(central, profile, True)
              + activity.self_funded_projects * centralised_project_clp(central, profile, False))
    bars.append(CostBar("centralised registry and escrow", market,
                        activity.certified_mwh * centralised_mwh_clp(central, assumptions.energy)))
    return bars
