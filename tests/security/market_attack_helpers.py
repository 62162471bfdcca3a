"""Helpers for the marketplace findings of issue 9 (not fixtures): posting a book, matching it with
scripts/match.py as the operator runs it, funding a campaign, and certifying an installation's
generation through a real signed round (oracle/merkle.py + oracle/signing.py), as
scripts/demo_energy.py does.

Named apart from tests/market/market_helpers.py: pytest keeps one sys.modules entry per module name.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Sequence

from brownie import chain
from eth_account import Account

from oracle.merkle import StandardMerkleTree, generation_leaf_types, reading_leaf_types
from oracle.signing import round_as_tuple, round_from_generation_tree, sign_round
from scripts.issue_round import leaf_arg
from scripts.market_codes import KIND_INSTALLER, KIND_MANAGER, KIND_PROVIDER
from scripts.market_codes import ROLE_INSTALLER, ROLE_INVESTOR, ROLE_MANAGER, ROLE_OWNER, ROLE_PROVIDER
from scripts.match import plan_matches, read_book, submit_plan

DAY_S = 86_400
INTERVAL_S = 900
SIZE_KWP = 5
HONEST_PRICES = (600_000, 300_000, 100_000)  # provider, installer, manager, CLP per kWp
KINDS = (KIND_PROVIDER, KIND_INSTALLER, KIND_MANAGER)
SELLER_ROLES = (ROLE_PROVIDER, ROLE_INSTALLER, ROLE_MANAGER)
EVERY_ROLE = ROLE_OWNER | ROLE_PROVIDER | ROLE_INSTALLER | ROLE_MANAGER | ROLE_INVESTOR


def err(name: str) -> str:
    """revert_pattern of a custom error as brownie decodes it ("Name: args")."""
    return rf"{name}:.*"


def later(seconds: int = 60 * DAY_S) -> int:
    return chain[-1].timestamp + seconds


def register(registry: Any, account: Any, roles: int) -> None:
    if registry.rolesOf(account) & roles != roles:
        registry.register(roles, "ipfs://party", {"from": account})


def post_offers(marketplace: Any, registry: Any, sellers: Sequence[Any], prices: Sequence[int],
                capacity_kwp: int = 20) -> list[int]:
    """One offer per kind (provider, installer, manager) from `sellers` at `prices`; their ids."""
    ids = []
    for kind, role, seller, price in zip(KINDS, SELLER_ROLES, sellers, prices):
        register(registry, seller, role)
        ids.append(marketplace.postOffer(kind, price, capacity_kwp, later(), {"from": seller}).return_value)
    return ids


def post_demand(marketplace: Any, registry: Any, owner: Any, needs_financing: bool,
                max_total_clp: int = 10_000_000, size_kwp: int = SIZE_KWP) -> int:
    register(registry, owner, ROLE_OWNER)
    return marketplace.postDemand(size_kwp, max_total_clp, needs_financing, later(), {"from": owner}).return_value


def run_matcher(suite: dict, operator: Any):
    """What the operator's cron job does: read the book, plan (scripts/match.py), submit. (plan, receipts)."""
    book = read_book(suite["Marketplace"], suite["ParticipantRegistry"])
    plan = plan_matches(book, now=book.read_at + 60)
    return plan, submit_plan(suite["Marketplace"], plan, operator, quiet=True)


def fill_campaign(suite: dict, operator: Any, project_id: int, investors: Sequence[Any]) -> dict[Any, int]:
    """`investors` fill the project's campaign in (nearly) equal parts and it is finalized; their contributions."""
    token, crowdfunding, projects = suite["PaymentToken"], suite["Crowdfunding"], suite["Projects"]
    campaign_id = projects.project(project_id)["campaignId"]
    goal = int(crowdfunding.campaign(campaign_id)["goalClp"])
    part = goal // len(investors)
    paid: dict[Any, int] = {}
    for i, investor in enumerate(investors):
        amount = goal - part * (len(investors) - 1) if i == 0 else part
        token.mint(investor, amount, {"from": operator})
        token.approve(crowdfunding, amount, {"from": investor})
        crowdfunding.contribute(campaign_id, amount, {"from": investor})
        paid[investor] = amount
    crowdfunding.finalize(campaign_id, {"from": operator})
    return paid


def register_installation(suite: dict, operator: Any, project_id: int, beneficiary: Any,
                          commissioned_at: int) -> int:
    """The registrar (operator) registers the project's plant, linked to the project; its id."""
    params = (beneficiary, 5_000, -33_448_900, -70_669_300, 13101, commissioned_at, project_id,
              "PV rooftop, monocrystalline", "blue'Log X-1000", f"BL-P{project_id}", "marketplace")
    return suite["InstallationRegistry"].registerInstallation(params, {"from": operator}).return_value


def certify_day(suite: dict, operator: Any, installation_id: int, day_start: int) -> int:
    """A real certificate of one day of `installation_id`: 96 synthetic readings in a reading tree, a
    generation leaf, a round signed (EIP-712, oracle/signing.py) by a signer with a known test key
    added by the admin (quorum 1), submitted, and the leaf issued with its Merkle proof. Token id."""
    registry, oracle, certificates = suite["InstallationRegistry"], suite["GenerationOracle"], suite["GenerationCertificates"]
    tx = {"from": operator}
    year = datetime.fromtimestamp(day_start, timezone.utc).year
    if registry.emissionFactor(year)[0] == 0:
        registry.setEmissionFactor(year, 350, "test factor", tx)
    readings = [max(0, 1_500 - abs(i - 52) * 1_500 // 24) if 28 <= i <= 76 else 0 for i in range(96)]
    reading_tree = StandardMerkleTree.of(
        [(installation_id, day_start + i * INTERVAL_S, wh) for i, wh in enumerate(readings)], reading_leaf_types
    )
    leaf = (installation_id, day_start, day_start + DAY_S, sum(readings), reading_tree.root)
    generation = StandardMerkleTree.of([leaf], generation_leaf_types)
    round_ = round_from_generation_tree(int(oracle.lastRoundId()) + 1, day_start, day_start + DAY_S, generation)
    signer = Account.create()
    oracle.addSigner(signer.address, tx)
    signature = "0x" + sign_round(round_, chain.id, oracle.address, signer.key).hex()
    oracle.submitRound(round_as_tuple(round_), [signature], tx)
    proof = ["0x" + node.hex() for node in generation.proof(leaf)]
    return certificates.issue(round_.round_id, leaf_arg(leaf), proof, tx).return_value


def certify_project(suite: dict, operator: Any, project_id: int, beneficiary: Any) -> int:
    """Register the project's installation (commissioned at the start of yesterday, UTC) and certify
    yesterday's generation, its first leaf (leaves start at the watermark); the installation id
    (installationOfProject then reports certified)."""
    yesterday = (chain.time() // DAY_S - 1) * DAY_S
    installation_id = register_installation(suite, operator, project_id, beneficiary, yesterday)
    certify_day(suite, operator, installation_id, yesterday)
    return installation_id
