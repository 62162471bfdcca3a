"""The market contracts' numeric codes, for Python: one table for the brownie scripts, the tests and
the dashboard (it lives in oracle/ because oracle/ never imports scripts/, and scripts/ may import oracle/).

Mirrors ParticipantRegistry's role bits (public constants OWNER..INVESTOR, checked against the
contract in tests/market/test_market_codes.py), Marketplace's offer kinds, and the states that
Projects.project(id).state and Crowdfunding.campaign(id).state report (interfaces/IProjects.sol,
interfaces/ICrowdfunding.sol).
"""

# ParticipantRegistry roles (a bitmask; one account may hold several)
ROLE_OWNER, ROLE_PROVIDER, ROLE_INSTALLER, ROLE_MANAGER, ROLE_INVESTOR = 1, 2, 4, 8, 16
ROLE_NAMES = {ROLE_OWNER: "owner", ROLE_PROVIDER: "provider", ROLE_INSTALLER: "installer", ROLE_MANAGER: "manager",
              ROLE_INVESTOR: "investor"}

# Marketplace offer kinds
KIND_PROVIDER, KIND_INSTALLER, KIND_MANAGER = 0, 1, 2
KINDS = (KIND_PROVIDER, KIND_INSTALLER, KIND_MANAGER)  # the order matchDemand takes their offers in
KIND_NAMES = {KIND_PROVIDER: "provider", KIND_INSTALLER: "installer", KIND_MANAGER: "manager"}
ROLE_OF_KIND = {KIND_PROVIDER: ROLE_PROVIDER, KIND_INSTALLER: ROLE_INSTALLER, KIND_MANAGER: ROLE_MANAGER}

# Projects lifecycle
PROJECT_MATCHED, PROJECT_FUNDED, PROJECT_INSTALLED, PROJECT_COMMISSIONED, PROJECT_CANCELLED = 0, 1, 2, 3, 4
PROJECT_STATE_NAMES = ("Matched", "Funded", "Installed", "Commissioned", "Cancelled")

# Crowdfunding campaign states (Failed is derived: deadline passed without the goal)
CAMPAIGN_OPEN, CAMPAIGN_FINALIZED, CAMPAIGN_FAILED, CAMPAIGN_CANCELLED = 0, 1, 2, 3
CAMPAIGN_STATE_NAMES = {
    CAMPAIGN_OPEN: "open",
    CAMPAIGN_FINALIZED: "finalized",
    CAMPAIGN_FAILED: "failed",
    CAMPAIGN_CANCELLED: "cancelled",
}
