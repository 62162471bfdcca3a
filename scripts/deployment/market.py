"""The marketplace: ParticipantRegistry, Projects, Crowdfunding and Marketplace, wired together.

Wiring between the contracts:
  Projects.MARKETPLACE_ROLE   -> Marketplace   (matches create projects)
  Projects.setCrowdfunding    -> Crowdfunding  (the only caller of onCampaignFinalized; Crowdfunding is
                                                deployed with Projects as the only caller of its
                                                openCampaign, recordSelfFunding, cancelCampaign,
                                                closeRevenue: peer contracts, not grantable roles)
  Projects.INSPECTOR_ROLE     -> deployer      (the platform operator inspects financed projects on site)
  Marketplace.MATCHER_ROLE    -> deployer      (the matcher, scripts/market/matcher.py)
and ParticipantRegistry reads Projects to allow ratings of completed projects. The deployer is
admin of every contract and the platform treasury. Projects.setInstallationRegistry (certified
generation releases a financed project's last tranche) is wired by the energy component, which
deploys the InstallationRegistry.
"""

from __future__ import annotations

from brownie import Contract, Crowdfunding, Marketplace, ParticipantRegistry, Projects
from brownie.network.account import LocalAccount

from scripts.deployment import DeploymentError

PLATFORM_FEE_BPS = 200  # 2 % of the subtotal
CAMPAIGN_DURATION_S = 30 * 24 * 3600  # 30 days
MIN_CONTRIBUTION_CLP = 1_000
COMPLETION_PERIOD_S = 180 * 24 * 3600  # 180 days from funding to a commissioned plant


def deploy_market(deployer: LocalAccount, deployed: dict[str, Contract]) -> dict[str, Contract]:
    """Deploy and wire the marketplace contracts; ``deployed["PaymentToken"]`` is the payment token.

    Returns them by manifest name: ParticipantRegistry, Marketplace, Projects, Crowdfunding.
    """
    token = deployed.get("PaymentToken")
    if token is None:
        raise DeploymentError("the market component needs PaymentToken: deploy the token component first")
    tx = {"from": deployer}
    registry = ParticipantRegistry.deploy(deployer, tx)
    projects = Projects.deploy(deployer, token, deployer, COMPLETION_PERIOD_S, tx)
    crowdfunding = Crowdfunding.deploy(deployer, token, projects, CAMPAIGN_DURATION_S, MIN_CONTRIBUTION_CLP, tx)
    marketplace = Marketplace.deploy(deployer, registry, projects, PLATFORM_FEE_BPS, tx)

    projects.setCrowdfunding(crowdfunding, tx)
    projects.grantRole(projects.MARKETPLACE_ROLE(), marketplace, tx)
    projects.grantRole(projects.INSPECTOR_ROLE(), deployer, tx)
    marketplace.grantRole(marketplace.MATCHER_ROLE(), deployer, tx)
    registry.setProjectsContract(projects, tx)
    return {
        "ParticipantRegistry": registry,
        "Marketplace": marketplace,
        "Projects": projects,
        "Crowdfunding": crowdfunding,
    }


def deploy_projects(admin: LocalAccount, token: Contract) -> Contract:
    """For benchmarks and tests of the energy contracts: the market deployed as above, returning its
    Projects with `admin` also allowed to create projects directly (MARKETPLACE_ROLE), so that
    installations have live projects to link to without a marketplace match."""
    projects = deploy_market(admin, {"PaymentToken": token})["Projects"]
    projects.grantRole(projects.MARKETPLACE_ROLE(), admin, {"from": admin})
    return projects


def create_live_project(projects: Contract, owner: LocalAccount, sender: LocalAccount) -> int:
    """A new self-funded project (state Matched) owned by `owner`, created by `sender` (who needs
    MARKETPLACE_ROLE, see :func:`deploy_projects`); returns its id."""
    terms = (owner, owner, owner, owner, 30, 1_000, 1_000, 1_000, 0, False)
    return int(projects.createProject(terms, {"from": sender}).events["ProjectCreated"]["projectId"])
