"""ParticipantRegistry: self-registration, profiles, cooperatives, reputation from completed projects."""

import brownie
import pytest
from brownie import chain

from market_helpers import COMMISSIONED, INSTALLER, INVESTOR, MANAGER, OWNER, PROVIDER, UNAUTHORIZED, err, ints


# --- registration -------------------------------------------------------------------------------

def test_register_records_roles_and_emits_uri(registry, alice):
    tx = registry.register(OWNER | INVESTOR, "ipfs://alice", {"from": alice})
    assert registry.rolesOf(alice) == OWNER | INVESTOR
    assert registry.hasRoles(alice, OWNER)
    assert not registry.hasRoles(alice, PROVIDER)
    ev = tx.events["ParticipantRegistered"]
    assert ev["account"] == alice
    assert ev["rolesAdded"] == OWNER | INVESTOR
    assert ev["roles"] == OWNER | INVESTOR
    assert ev["metadataUri"] == "ipfs://alice"
    assert registry.participant(alice)["registeredAt"] == tx.timestamp


def test_register_again_adds_roles_and_keeps_first_registration_time(registry, alice):
    first = registry.register(OWNER, "ipfs://a", {"from": alice})
    chain.sleep(100)
    registry.register(MANAGER, "ipfs://b", {"from": alice})
    assert registry.rolesOf(alice) == OWNER | MANAGER
    assert registry.participant(alice)["registeredAt"] == first.timestamp


@pytest.mark.parametrize("roles", [0, 32, 255])
def test_register_rejects_invalid_roles(registry, alice, roles):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryInvalidRoles")):
        registry.register(roles, "ipfs://x", {"from": alice})


def test_unregistered_account_has_no_roles(registry, mallory):
    assert registry.rolesOf(mallory) == 0
    assert ints(registry.reputationOf(mallory)) == [0, 0]


def test_update_profile_emits_new_uri(registry, alice):
    registry.register(OWNER, "ipfs://old", {"from": alice})
    tx = registry.updateProfile("ipfs://new", {"from": alice})
    assert tx.events["ProfileUpdated"]["account"] == alice
    assert tx.events["ProfileUpdated"]["metadataUri"] == "ipfs://new"


def test_update_profile_requires_registration(registry, mallory):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryNotRegistered")):
        registry.updateProfile("ipfs://x", {"from": mallory})


# --- projects contract ---------------------------------------------------------------------------

def test_set_projects_contract_only_once(registry, projects, operator):
    assert registry.projectsContract() == projects
    with brownie.reverts(revert_pattern=err("ParticipantRegistryProjectsAlreadySet")):
        registry.setProjectsContract(projects, {"from": operator})


def test_set_projects_contract_by_non_admin_reverts(ParticipantRegistry, operator, mallory):
    fresh = ParticipantRegistry.deploy(operator, {"from": operator})
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        fresh.setProjectsContract(mallory, {"from": mallory})


def test_rate_before_projects_contract_set_reverts(ParticipantRegistry, operator, alice, bob):
    fresh = ParticipantRegistry.deploy(operator, {"from": operator})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryProjectsNotSet")):
        fresh.rate(1, bob, 1, {"from": alice})


# --- reputation ----------------------------------------------------------------------------------

@pytest.fixture
def completed(make_project, projects, fund_owner, total, registered):
    """A self-funded project taken to Commissioned."""
    project_id = make_project(False)
    fund_owner(total)
    projects.fund(project_id, {"from": registered.owner})
    projects.confirmDelivery(project_id, {"from": registered.owner})
    projects.confirmInstallation(project_id, {"from": registered.owner})
    projects.confirmCommissioning(project_id, {"from": registered.manager})
    assert projects.project(project_id)["state"] == COMMISSIONED
    return project_id


def test_party_rates_other_party_once(registry, completed, registered):
    tx = registry.rate(completed, registered.provider, 1, {"from": registered.owner})
    assert ints(registry.reputationOf(registered.provider)) == [1, 1]
    assert registry.hasRated(completed, registered.owner, registered.provider)
    ev = tx.events["ParticipantRated"]
    assert ev["projectId"] == completed
    assert ev["rater"] == registered.owner
    assert ev["ratee"] == registered.provider
    assert ev["score"] == 1


def test_ratings_aggregate_per_participant(registry, completed, registered):
    registry.rate(completed, registered.installer, -1, {"from": registered.owner})
    registry.rate(completed, registered.installer, -1, {"from": registered.manager})
    registry.rate(completed, registered.installer, 0, {"from": registered.provider})
    assert ints(registry.reputationOf(registered.installer)) == [-2, 3]
    scores = registry.reputationsOf([registered.installer, registered.owner, registered.provider])
    assert ints(scores) == [-2, 0, 0]


def test_rating_twice_reverts(registry, completed, registered):
    registry.rate(completed, registered.manager, 1, {"from": registered.owner})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryAlreadyRated")):
        registry.rate(completed, registered.manager, -1, {"from": registered.owner})


@pytest.mark.parametrize("score", [-2, 2, 100])
def test_rating_out_of_range_reverts(registry, completed, registered, score):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryInvalidScore")):
        registry.rate(completed, registered.manager, score, {"from": registered.owner})


def test_outsider_cannot_rate(registry, completed, registered, mallory):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryNotProjectParty")):
        registry.rate(completed, registered.provider, -1, {"from": mallory})


def test_cannot_rate_outsider(registry, completed, registered, mallory):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryNotProjectParty")):
        registry.rate(completed, mallory, 1, {"from": registered.owner})


def test_cannot_rate_self(registry, completed, registered):
    with brownie.reverts(revert_pattern=err("ParticipantRegistrySelfRating")):
        registry.rate(completed, registered.owner, 1, {"from": registered.owner})


def test_cannot_rate_before_project_completes(registry, make_project, registered):
    project_id = make_project(False)
    with brownie.reverts(revert_pattern=err("ParticipantRegistryProjectNotCompleted")):
        registry.rate(project_id, registered.provider, 1, {"from": registered.owner})


def test_cannot_rate_unknown_project(registry, registered):
    with brownie.reverts(revert_pattern=err("ProjectsUnknownProject")):
        registry.rate(99, registered.provider, 1, {"from": registered.owner})


# --- cooperatives --------------------------------------------------------------------------------

@pytest.fixture
def coop(registry, alice):
    return registry.createCooperative("Coop Solar Valparaíso", {"from": alice}).return_value


def test_create_cooperative_makes_creator_admin_and_member(registry, coop, alice):
    assert registry.cooperativeCount() == 1
    record = registry.cooperative(coop)
    assert record["name"] == "Coop Solar Valparaíso"
    assert record["adminCount"] == 1
    assert record["memberCount"] == 1
    assert registry.isCooperativeAdmin(coop, alice)
    assert registry.isCooperativeMember(coop, alice)


def test_create_cooperative_rejects_empty_name(registry, alice):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryEmptyName")):
        registry.createCooperative("", {"from": alice})


def test_unknown_cooperative_reverts(registry, alice, bob):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryUnknownCooperative")):
        registry.cooperative(5)
    with brownie.reverts(revert_pattern=err("ParticipantRegistryUnknownCooperative")):
        registry.addMember(5, bob, {"from": alice})


def test_admin_adds_and_removes_member(registry, coop, alice, bob):
    tx = registry.addMember(coop, bob, {"from": alice})
    assert tx.events["CooperativeMemberAdded"]["account"] == bob
    assert registry.isCooperativeMember(coop, bob)
    assert registry.cooperative(coop)["memberCount"] == 2
    tx = registry.removeMember(coop, bob, {"from": alice})
    assert tx.events["CooperativeMemberRemoved"]["account"] == bob
    assert not registry.isCooperativeMember(coop, bob)
    assert registry.cooperative(coop)["memberCount"] == 1


def test_add_existing_member_reverts(registry, coop, alice, bob):
    registry.addMember(coop, bob, {"from": alice})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryAlreadyMember")):
        registry.addMember(coop, bob, {"from": alice})


def test_remove_non_member_reverts(registry, coop, alice, bob):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryNotMember")):
        registry.removeMember(coop, bob, {"from": alice})


def test_added_admin_can_manage_and_counts_as_member(registry, coop, alice, bob, carol):
    registry.addCooperativeAdmin(coop, bob, {"from": alice})
    assert registry.isCooperativeAdmin(coop, bob)
    assert registry.isCooperativeMember(coop, bob)
    registry.addMember(coop, carol, {"from": bob})
    record = registry.cooperative(coop)
    assert record["adminCount"] == 2
    assert record["memberCount"] == 3


def test_add_existing_admin_reverts(registry, coop, alice):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryAlreadyAdmin")):
        registry.addCooperativeAdmin(coop, alice, {"from": alice})


def test_remove_admin_keeps_membership(registry, coop, alice, bob):
    registry.addCooperativeAdmin(coop, bob, {"from": alice})
    tx = registry.removeCooperativeAdmin(coop, bob, {"from": alice})
    assert tx.events["CooperativeAdminRemoved"]["account"] == bob
    assert not registry.isCooperativeAdmin(coop, bob)
    assert registry.isCooperativeMember(coop, bob)


def test_remove_non_admin_as_admin_reverts(registry, coop, alice, bob):
    registry.addMember(coop, bob, {"from": alice})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryNotCooperativeAdmin")):
        registry.removeCooperativeAdmin(coop, bob, {"from": alice})


def test_last_admin_cannot_be_removed(registry, coop, alice):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryLastAdmin")):
        registry.removeCooperativeAdmin(coop, alice, {"from": alice})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryLastAdmin")):
        registry.removeMember(coop, alice, {"from": alice})


def test_zero_address_cannot_become_admin_or_member(registry, coop, alice):
    """Attack: adding address(0) as a second admin would let the real admin leave, locking the
    cooperative with an admin nobody controls."""
    zero = "0x" + "00" * 20
    with brownie.reverts(revert_pattern=err("ParticipantRegistryZeroAddress")):
        registry.addCooperativeAdmin(coop, zero, {"from": alice})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryZeroAddress")):
        registry.addMember(coop, zero, {"from": alice})
    assert registry.cooperative(coop)["adminCount"] == 1
    with brownie.reverts(revert_pattern=err("ParticipantRegistryLastAdmin")):
        registry.removeCooperativeAdmin(coop, alice, {"from": alice})


def test_removing_admin_member_drops_admin_rights(registry, coop, alice, bob):
    registry.addCooperativeAdmin(coop, bob, {"from": alice})
    registry.removeMember(coop, bob, {"from": alice})
    assert not registry.isCooperativeAdmin(coop, bob)
    assert registry.cooperative(coop)["adminCount"] == 1


@pytest.mark.parametrize("action", ["addMember", "removeMember", "addCooperativeAdmin", "removeCooperativeAdmin"])
def test_non_admin_cannot_manage_cooperative(registry, coop, alice, mallory, action):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryNotCooperativeAdmin")):
        getattr(registry, action)(coop, alice, {"from": mallory})


def test_registry_roles_and_constants(registry):
    roles = [registry.OWNER(), registry.PROVIDER(), registry.INSTALLER(), registry.MANAGER(), registry.INVESTOR()]
    assert ints(roles) == [OWNER, PROVIDER, INSTALLER, MANAGER, INVESTOR]


def test_set_projects_contract_rejects_zero_address(ParticipantRegistry, operator):
    fresh = ParticipantRegistry.deploy(operator, {"from": operator})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryZeroAddress")):
        fresh.setProjectsContract("0x" + "00" * 20, {"from": operator})
