"""`make demo`, market part: participants register, offers and demands are posted, one self-funded and
one crowdfunded project are matched and funded; the self-funded one is built and commissioned by its
owner and manager (milestones paid out), the crowdfunded one is attested delivered and installed by the
platform's inspector and waits for certified generation before its last tranche (installer, manager,
fee) is released; both earn revenue. ``completion_walkthrough`` runs after the energy walkthrough:
the crowdfunded project's installation then has a certificate, so its manager commissions it and the
last tranche is paid out.

One function per printed step (``register_participants`` ... ``share_revenue``), composed by
``market_walkthrough``. The matching step runs the off-chain matcher of scripts/market/matcher.py
(read the book in a few calls, plan FIFO with the cheapest feasible offers, submit ``matchDemand``),
as a cron job would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from brownie import Contract, chain

from oracle.market_codes import (
    KIND_NAMES,
    PROJECT_INSTALLED,
    PROJECT_STATE_NAMES,
    ROLE_INSTALLER,
    ROLE_INVESTOR,
    ROLE_MANAGER,
    ROLE_OWNER,
    ROLE_PROVIDER,
)
from oracle.timeutil import utc_date
from scripts.common.format import clp
from scripts.market.book import read_book
from scripts.market.matcher import describe_plan, plan_matches, submit_plan

DAY = 24 * 3600


@dataclass(frozen=True)
class Cast:
    """The demo's people: accounts[0] is the operator (treasury and inspector), then two owners, one
    seller of each kind and three investors."""

    operator: Any
    ana: Any
    bruno: Any
    provider: Any
    installer: Any
    manager: Any
    investors: tuple[Any, ...]


def demo_cast(accounts: Any) -> Cast:
    return Cast(accounts[0], accounts[1], accounts[2], accounts[3], accounts[4], accounts[5],
                (accounts[6], accounts[7], accounts[8]))


def participant_names(accounts: Any) -> dict[Any, str]:
    """The demo's name for each account it uses (accounts[0] is the operator: treasury and inspector)."""
    names = {accounts[0]: "platform treasury", accounts[1]: "Ana (owner)", accounts[2]: "Bruno (owner)",
             accounts[3]: "SolarAndes (provider)", accounts[4]: "Instala Sur (installer)",
             accounts[5]: "Gestiona PV (manager)"}
    names.update({accounts[6 + i]: f"investor {i + 1}" for i in range(3)})
    return names


def register_participants(contracts: dict[str, Contract], cast: Cast, names: dict[Any, str]) -> None:
    """Step 1: everyone registers its roles; Ana creates a cooperative and adds Bruno."""
    participant_registry = contracts["ParticipantRegistry"]
    print("1. Participants register themselves (roles bitmask + profile URI)")
    for account, roles, uri in ((cast.ana, ROLE_OWNER, "ipfs://ana"),
                                (cast.bruno, ROLE_OWNER | ROLE_INVESTOR, "ipfs://bruno"),
                                (cast.provider, ROLE_PROVIDER, "ipfs://solarandes"),
                                (cast.installer, ROLE_INSTALLER, "ipfs://instalasur"),
                                (cast.manager, ROLE_MANAGER, "ipfs://gestionapv")):
        tx = participant_registry.register(roles, uri, {"from": account}, silent=True)
        print(f"   {names[account]:<26} roles={participant_registry.rolesOf(account):>2}  gas {tx.gas_used:,}")
    for inv in cast.investors:
        participant_registry.register(ROLE_INVESTOR, "ipfs://investor", {"from": inv}, silent=True)
    tx = participant_registry.createCooperative("Cooperativa Techos de Valparaíso", {"from": cast.ana}, silent=True)
    coop = tx.events["CooperativeCreated"]["cooperativeId"]  # events, not return_value: live nodes may not trace
    participant_registry.addMember(coop, cast.bruno, {"from": cast.ana}, silent=True)
    members = participant_registry.cooperative(coop)["memberCount"]
    print(f"   Ana creates cooperative #{coop} and adds Bruno: {members} members")


def post_offers(contracts: dict[str, Contract], cast: Cast, names: dict[Any, str], expires: int) -> list[int]:
    """Step 2: one offer of each kind, 20 kWp each; returns their ids (provider, installer, manager)."""
    marketplace = contracts["Marketplace"]
    print("2. Providers, installers and managers post offers (CLP per kWp, capacity kWp)")
    offers = []
    sellers_and_prices = ((cast.provider, 600_000), (cast.installer, 300_000), (cast.manager, 100_000))
    for kind, (seller, price) in enumerate(sellers_and_prices):
        tx = marketplace.postOffer(kind, price, 20, expires, {"from": seller}, silent=True)
        offers.append(tx.events["OfferPosted"]["offerId"])
        print(f"   offer #{offers[-1]}: {KIND_NAMES[kind]:<9} {names[seller]:<26} {clp(price)}/kWp, 20 kWp")
    return offers


def post_demands(contracts: dict[str, Contract], cast: Cast, expires: int) -> tuple[int, int]:
    """Step 3: Ana's self-funded demand and Bruno's financed one; returns their ids."""
    marketplace = contracts["Marketplace"]
    print("3. Owners post demands (size, maximum total price, financing?)")
    demand_ana, demand_bruno = (
        marketplace.postDemand(size_kwp, max_total_clp, financed, expires, {"from": owner}, silent=True).events["DemandPosted"]["demandId"]
        for owner, size_kwp, max_total_clp, financed in ((cast.ana, 5, 6_000_000, False), (cast.bruno, 4, 5_000_000, True)))
    print(f"   demand #{demand_ana}: Ana, 5 kWp, at most {clp(6_000_000)}, self-funded")
    print(f"   demand #{demand_bruno}: Bruno, 4 kWp, at most {clp(5_000_000)}, needs crowdfunding")
    return demand_ana, demand_bruno


def match_demands(contracts: dict[str, Contract], cast: Cast, offers: list[int]) -> dict[int, int]:
    """Step 4: the off-chain matcher plans and submits; returns project id by demand id."""
    marketplace, projects = contracts["Marketplace"], contracts["Projects"]
    print(f"4. The matcher reads the book, plans off-chain, and the contract verifies each match "
          f"(platform fee {marketplace.platformFeeBps()} bps)")
    book = read_book(marketplace, contracts["ParticipantRegistry"])
    plan = plan_matches(book)
    for line in describe_plan(plan, book):
        print(f"   plan: {line}")
    matched = {}
    for tx in submit_plan(marketplace, plan, cast.operator, quiet=True):
        demand_id = tx.events["DemandMatched"]["demandId"]
        project_id = tx.events["DemandMatched"]["projectId"]
        matched[demand_id] = project_id
        p = projects.project(project_id)
        campaign = f", campaign #{p['campaignId']} opened" if p["campaignId"] else ""
        print(f"   demand #{demand_id} -> project #{project_id}: total {clp(p['totalClp'])} "
              f"(fee {clp(p['feeClp'])}){campaign}; gas {tx.gas_used:,}")
    left = [marketplace.offer(o)["availableKwp"] for o in offers]
    print(f"   capacity left on the offers: {left} kWp")
    return matched


def fund_projects(contracts: dict[str, Contract], cast: Cast, names: dict[Any, str], own: int, crowd: int) -> None:
    """Step 5: Ana pays her project's escrow; the investors fill Bruno's campaign, which is finalized."""
    token, projects, crowdfunding = contracts["PaymentToken"], contracts["Projects"], contracts["Crowdfunding"]
    print("5. Funding")
    total_own = projects.project(own)["totalClp"]
    token.mint(cast.ana, total_own, {"from": cast.operator}, silent=True)
    token.approve(projects, total_own, {"from": cast.ana}, silent=True)
    projects.fund(own, {"from": cast.ana}, silent=True)
    print(f"   Ana pays {clp(total_own)} into escrow; she holds all {crowdfunding.totalShares(own):,} shares")
    campaign_id = projects.project(crowd)["campaignId"]
    goal = crowdfunding.campaign(campaign_id)["goalClp"]
    for inv, amount in zip(cast.investors, (goal // 2, goal // 3, goal)):
        token.mint(inv, amount, {"from": cast.operator}, silent=True)
        token.approve(crowdfunding, amount, {"from": inv}, silent=True)
        tx = crowdfunding.contribute(campaign_id, amount, {"from": inv}, silent=True)
        accepted = tx.events["Contributed"]["amountClp"]
        capped = f" (offered {clp(amount)}, capped at what was missing)" if accepted != amount else ""
        print(f"   {names[inv]} contributes {clp(accepted)}{capped}")
    c = crowdfunding.campaign(campaign_id)
    print(f"   campaign #{campaign_id}: raised {clp(c['raisedClp'])} of {clp(c['goalClp'])}")
    crowdfunding.finalize(campaign_id, {"from": cast.operator}, silent=True)
    state = PROJECT_STATE_NAMES[projects.project(crowd)["state"]]
    print(f"   finalized: escrow of project #{crowd} funded; state {state}")


def confirm_milestones(contracts: dict[str, Contract], cast: Cast, names: dict[Any, str], own: int, crowd: int) -> None:
    """Step 6: milestones confirmed and paid out; the financed project waits in Installed; Ana rates."""
    token, projects = contracts["PaymentToken"], contracts["Projects"]
    participant_registry = contracts["ParticipantRegistry"]
    print("6. Milestones. Self-funded: the owner confirms delivery and installation, the manager commissioning.")
    print("   Financed (the investors' money): the platform's inspector attests delivery and installation on site;")
    print("   installer, manager and fee are paid at commissioning, once the plant's generation is certified")
    projects.confirmDelivery(own, {"from": cast.ana}, silent=True)
    projects.confirmInstallation(own, {"from": cast.ana}, silent=True)
    projects.confirmCommissioning(own, {"from": cast.manager}, silent=True)
    print(f"   project #{own}: {PROJECT_STATE_NAMES[projects.project(own)['state']]}")
    projects.confirmDelivery(crowd, {"from": cast.operator}, silent=True)
    projects.confirmInstallation(crowd, {"from": cast.operator}, silent=True)
    deadline = projects.project(crowd)["completionDeadline"]
    print(f"   project #{crowd}: {PROJECT_STATE_NAMES[projects.project(crowd)['state']]} (inspector attested); "
          f"commissioning waits for certified generation, due by {utc_date(deadline)}, else investors are refunded")
    for account in (cast.provider, cast.installer, cast.manager, cast.operator):
        before = token.balanceOf(account)
        projects.withdraw({"from": account}, silent=True)
        print(f"   {names[account]:<26} withdraws {clp(token.balanceOf(account) - before)}")
    print(f"   escrow left in Projects (the financed project's last tranche): {clp(token.balanceOf(projects))}")
    participant_registry.rate(own, cast.provider, 1, {"from": cast.ana}, silent=True)
    participant_registry.rate(own, cast.ana, 1, {"from": cast.provider}, silent=True)
    score, count = participant_registry.reputationOf(cast.provider)
    print(f"   Ana rates SolarAndes +1 (reputation {score} from {count} rating)")


def share_revenue(contracts: dict[str, Contract], cast: Cast, names: dict[Any, str], own: int, crowd: int) -> None:
    """Step 7: revenue deposited for both projects; each shareholder claims its share."""
    token, crowdfunding = contracts["PaymentToken"], contracts["Crowdfunding"]
    operator = cast.operator
    print("7. Energy revenue is deposited and each shareholder claims its share")
    token.mint(operator, 2_000_000, {"from": operator}, silent=True)
    token.approve(crowdfunding, 2_000_000, {"from": operator}, silent=True)
    for project_id, amount in ((own, 400_000), (crowd, 1_000_001)):
        tx = crowdfunding.depositRevenue(project_id, amount, {"from": operator}, silent=True)
        print(f"   {clp(amount)} deposited for project #{project_id} (gas {tx.gas_used:,})")
    for project_id, holders in ((own, [cast.ana]), (crowd, cast.investors)):
        for holder in holders:
            shares = crowdfunding.sharesOf(project_id, holder)
            tx = crowdfunding.claimRevenue(project_id, {"from": holder}, silent=True)
            print(f"   project #{project_id}: {names[holder]:<14} {shares:>10,} shares claims "
                  f"{clp(tx.events['RevenueClaimed']['amountClp'])} (gas {tx.gas_used:,})")
    print(f"   rounding remainder kept in Crowdfunding (paid as later deposits lift the floors): "
          f"{clp(token.balanceOf(crowdfunding))}")


def market_walkthrough(contracts: dict[str, Contract], accounts: Any) -> None:
    """Run the market walkthrough on deployed contracts (manifest names), printing every step."""
    cast, names = demo_cast(accounts), participant_names(accounts)
    register_participants(contracts, cast, names)
    expires = chain[-1].timestamp + 60 * DAY
    offers = post_offers(contracts, cast, names, expires)
    demand_ana, demand_bruno = post_demands(contracts, cast, expires)
    matched = match_demands(contracts, cast, offers)
    own, crowd = matched[demand_ana], matched[demand_bruno]
    fund_projects(contracts, cast, names, own, crowd)
    confirm_milestones(contracts, cast, names, own, crowd)
    share_revenue(contracts, cast, names, own, crowd)


def completion_walkthrough(contracts: dict[str, Contract], accounts: Any) -> None:
    """After the energy walkthrough: a financed project waiting in Installed whose installation now
    has a certificate is commissioned by its manager, and its last tranche (installer, manager,
    platform fee) is paid out; one still without a certificate keeps waiting (printed)."""
    token, projects = contracts["PaymentToken"], contracts["Projects"]
    installations = contracts["InstallationRegistry"]
    names = participant_names(accounts)
    by_address = {str(account): account for account in accounts}
    ours = {str(account) for account in names}  # the walkthrough's own projects (the simulation settles its own)
    waiting = [project_id for project_id in range(1, int(projects.projectCount()) + 1)
               if projects.project(project_id)["needsFinancing"]
               and projects.project(project_id)["state"] == PROJECT_INSTALLED
               and str(projects.project(project_id)["owner"]) in ours]
    print("1. Financed projects waiting for certified generation before their last tranche")
    if not waiting:
        print("   none")
    paid = set()
    for project_id in waiting:
        installation_id, certified = installations.installationOfProject(project_id)
        if not certified:
            where = f"installation {installation_id}" if installation_id else "no installation linked yet"
            print(f"   project #{project_id}: {where}, no certificate yet: still waiting")
            continue
        p = projects.project(project_id)
        manager = by_address[str(p["manager"])]
        tx = projects.confirmCommissioning(project_id, {"from": manager}, silent=True)
        ev = tx.events["CommissioningConfirmed"]
        print(f"   project #{project_id}: installation {installation_id} has certificates, so {names[manager]} "
              f"commissions it: installer {clp(ev['installerClp'])}, manager {clp(ev['managerClp'])}, "
              f"fee {clp(ev['feeClp'])} released (gas {tx.gas_used:,}); state "
              f"{PROJECT_STATE_NAMES[projects.project(project_id)['state']]}")
        paid.update(str(a) for a in (p["installer"], p["manager"], projects.treasury()))
    for address in sorted(paid):
        account = by_address[address]
        owed = projects.owedTo(account)
        if owed:
            projects.withdraw({"from": account}, silent=True)
            print(f"   {names.get(account, address):<26} withdraws {clp(owed)}")
    print(f"   escrow left in Projects: {clp(token.balanceOf(projects))}")
