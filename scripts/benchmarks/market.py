"""Gas of the marketplace operations (ParticipantRegistry, Marketplace, Projects, Crowdfunding), beside
the thesis DApp's figures (shared/design/THESIS_BASELINE.md, "measured (current rules)" column: the
thesis contracts compiled as published and run on anvil 1.7.1).

``bench_market()`` deploys a fresh market on the connected local chain and returns {operation: gas}.
Token-side storage costs are kept out of the comparison where they would blur it: payers keep a
balance and (for revenue) an allowance, as a settlement contract that approves once would.
"""

from __future__ import annotations

from typing import Any

from brownie import PesoToken, accounts, chain
from eth_utils import keccak

from oracle.market_codes import ROLE_INSTALLER, ROLE_MANAGER, ROLE_OWNER, ROLE_PROVIDER
from scripts.deployment.market import deploy_market

DAY = 24 * 3600

THESIS_MARKET: dict[str, str] = {
    "register participant": "- (the thesis had one contract per role)",
    "postOffer": "~98,000 (new offer)",
    "postDemand": "100,897 - 120,809 (new demand)",
    "updateOffer (price)": "35,376 (update price)",
    "updateDemand (max price)": "37,832 (update max price)",
    "withdrawDemand": "37,624 - 47,129 (delete demand)",
    "matchDemand (self-funded)": "910,635 first, 606,235 again (Matching)",
    "matchDemand (financed: project + campaign)": "910,635 (Matching) + 232,036 (start crowdsale)",
    "contribute (new contributor)": "227,043 (contribute, first)",
    "contribute (repeat contributor)": "141,543 (contribute, later)",
    "finalize (2 funders)": "~99,000 (safeWithdrawal, ~49,500 per funder)",
    "finalize (8 funders)": "~396,000 (safeWithdrawal, ~49,500 per funder)",
    "depositRevenue (2 funders)": "~18,000 (Coops.Generate, ~9,000 per funder)",
    "depositRevenue (8 funders)": "~72,000 (Coops.Generate, ~9,000 per funder)",
    "claimRevenue (2 funders)": "- (pushed inside Generate)",
    "claimRevenue (8 funders)": "- (pushed inside Generate)",
}

# One number per row for the ratio thesis / PV Ledger: the lower figure where the thesis gives a
# range or a first and a later call, so ratios are conservative; "~" figures per funder times the
# funders; none where the thesis had no such operation.
THESIS_MARKET_GAS: dict[str, int] = {
    "postOffer": 98_000,
    "postDemand": 100_897,
    "updateOffer (price)": 35_376,
    "updateDemand (max price)": 37_832,
    "withdrawDemand": 37_624,
    "matchDemand (self-funded)": 606_235,
    "matchDemand (financed: project + campaign)": 606_235 + 232_036,
    "contribute (new contributor)": 227_043,
    "contribute (repeat contributor)": 141_543,
    "finalize (2 funders)": 2 * 49_500,
    "finalize (8 funders)": 8 * 49_500,
    "depositRevenue (2 funders)": 2 * 9_000,
    "depositRevenue (8 funders)": 8 * 9_000,
}


def _later(seconds: int = 60 * DAY) -> int:
    return chain[-1].timestamp + seconds


def bench_market() -> dict[str, int]:
    """Deploy the market on the connected chain and return the gas of each operation."""
    operator = accounts[0]
    owner, provider, installer, manager = accounts[1], accounts[4], accounts[5], accounts[6]
    funders = [accounts[2], accounts[3], accounts[7], accounts[8]]
    # fixed throwaway keys: accounts.add() without a key would print a fresh mnemonic
    funders += [accounts.add(keccak(text=f"pv-ledger bench funder {n}").hex()) for n in range(4)]
    for funder in funders[4:]:
        operator.transfer(funder, "1 ether", silent=True)
    tx = {"from": operator}
    token = PesoToken.deploy(operator, tx)
    market = deploy_market(operator, {"PaymentToken": token})
    participant_registry, marketplace = market["ParticipantRegistry"], market["Marketplace"]
    projects, crowdfunding = market["Projects"], market["Crowdfunding"]
    gas: dict[str, int] = {}

    gas["register participant"] = participant_registry.register(ROLE_OWNER, "ipfs://owner-profile", {"from": owner}).gas_used
    participant_registry.register(ROLE_PROVIDER, "ipfs://provider", {"from": provider})
    participant_registry.register(ROLE_INSTALLER, "ipfs://installer", {"from": installer})
    participant_registry.register(ROLE_MANAGER, "ipfs://manager", {"from": manager})

    sellers = (provider, installer, manager)
    prices = (600_000, 300_000, 100_000)
    offer_ids = []
    for kind, (seller, price) in enumerate(zip(sellers, prices)):
        posted = marketplace.postOffer(kind, price, 100, _later(), {"from": seller})
        offer_ids.append(posted.return_value)
    gas["postOffer"] = posted.gas_used
    gas["updateOffer (price)"] = marketplace.updateOffer(offer_ids[2], 110_000, 100, _later(), {"from": manager}).gas_used

    def match(demand_id: int) -> Any:
        """matchDemand at the total quoted now (as scripts/market/matcher.py submits it)."""
        return marketplace.matchDemand(demand_id, *offer_ids, marketplace.quote(demand_id, *offer_ids)[2], tx)

    def demand(needs_financing: bool) -> int:
        posted = marketplace.postDemand(5, 10_000_000, needs_financing, _later(), {"from": owner})
        gas["postDemand"] = posted.gas_used
        return posted.return_value

    spare = demand(False)
    gas["updateDemand (max price)"] = marketplace.updateDemand(spare, 5, 9_000_000, False, _later(), {"from": owner}).gas_used
    gas["withdrawDemand"] = marketplace.withdrawDemand(spare, {"from": owner}).gas_used

    matched = match(demand(False))
    gas["matchDemand (self-funded)"] = matched.gas_used
    self_funded = matched.return_value
    total = projects.project(self_funded)["totalClp"]
    token.mint(owner, total, tx)
    token.approve(projects, total, {"from": owner})
    gas["fund (owner pays escrow)"] = projects.fund(self_funded, {"from": owner}).gas_used
    gas["confirmDelivery"] = projects.confirmDelivery(self_funded, {"from": owner}).gas_used
    gas["confirmInstallation"] = projects.confirmInstallation(self_funded, {"from": owner}).gas_used
    gas["confirmCommissioning"] = projects.confirmCommissioning(self_funded, {"from": manager}).gas_used
    gas["withdraw (milestone payout)"] = projects.withdraw({"from": provider}).gas_used

    for funder in funders:
        token.mint(funder, 100_000_000, tx)
        token.approve(crowdfunding, 100_000_000, {"from": funder})
    token.mint(operator, 100_000_000, tx)
    token.approve(crowdfunding, 2**256 - 1, tx)

    def campaign_of(investors: list) -> int:
        """A financed project whose campaign `investors` fill in equal parts; returns the project id."""
        matched = match(demand(True))
        gas["matchDemand (financed: project + campaign)"] = matched.gas_used
        project_id = matched.return_value
        campaign_id = projects.project(project_id)["campaignId"]
        part = total // len(investors)
        for i, investor in enumerate(investors):
            contributed = crowdfunding.contribute(campaign_id, part if i else total - part * (len(investors) - 1),
                                                  {"from": investor})
            if i == 1:
                gas["contribute (new contributor)"] = contributed.gas_used
        gas[f"finalize ({len(investors)} funders)"] = crowdfunding.finalize(campaign_id, tx).gas_used
        crowdfunding.depositRevenue(project_id, 1_000_000, tx)
        gas[f"depositRevenue ({len(investors)} funders)"] = crowdfunding.depositRevenue(project_id, 1_000_000, tx).gas_used
        gas[f"claimRevenue ({len(investors)} funders)"] = crowdfunding.claimRevenue(project_id, {"from": investors[1]}).gas_used
        return project_id

    # a revenue balance already sits in Crowdfunding so finalize compares like with like
    crowdfunding.depositRevenue(self_funded, 1_000, tx)
    campaign_of(funders[:2])
    campaign_of(funders)

    project_id = match(demand(True)).return_value
    campaign_id = projects.project(project_id)["campaignId"]
    crowdfunding.contribute(campaign_id, 10_000, {"from": funders[0]})
    gas["contribute (repeat contributor)"] = crowdfunding.contribute(campaign_id, 10_000, {"from": funders[0]}).gas_used
    chain.sleep(crowdfunding.campaignDurationS() + 1)
    chain.mine()
    gas["refund (failed campaign)"] = crowdfunding.refund(campaign_id, {"from": funders[0]}).gas_used
    return gas
