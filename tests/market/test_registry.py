"""ParticipantRegistry: self-registration, profiles, cooperatives, reputation from completed projects."""

import brownie
import pytest
from brownie import chain

from market_helpers import UNAUTHORIZED, err, ints
from oracle.market_codes import (
    PROJECT_COMMISSIONED,
    ROLE_INSTALLER,
    ROLE_INVESTOR,
    ROLE_MANAGER,
    ROLE_OWNER,
    ROLE_PROVIDER,
)


# --- registration -------------------------------------------------------------------------------

def test_register_records_roles_and_emits_uri(participant_registry, alice):
    tx = participant_registry.register(ROLE_OWNER | ROLE_INVESTOR, "ipfs://alice", {"from": alice})
    assert participant_registry.rolesOf(alice) == ROLE_OWNER | ROLE_INVESTOR
    assert participant_registry.hasRoles(alice, ROLE_OWNER)
    assert not participant_registry.hasRoles(alice, ROLE_PROVIDER)
    ev = tx.events["ParticipantRegistered"]
    assert ev["account"] == alice
    assert ev["rolesAdded"] == ROLE_OWNER | ROLE_INVESTOR
    assert ev["roles"] == ROLE_OWNER | ROLE_INVESTOR
    assert ev["metadataUri"] == "ipfs://alice"
    assert participant_registry.participant(alice)["registeredAt"] == tx.timestamp


def test_register_again_adds_roles_and_keeps_first_registration_time(participant_registry, alice):
    first = participant_registry.register(ROLE_OWNER, "ipfs://a", {"from": alice})
    chain.sleep(100)
    participant_registry.register(ROLE_MANAGER, "ipfs://b", {"from": alice})
    assert participant_registry.rolesOf(alice) == ROLE_OWNER | ROLE_MANAGER
    assert participant_registry.participant(alice)["registeredAt"] == first.timestamp


@pytest.mark.parametrize("roles", [0, 32, 255])
def test_register_rejects_invalid_roles(participant_registry, alice, roles):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryInvalidRoles")):
        participant_registry.register(roles, "ipfs://x", {"from": alice})


def test_unregistered_account_has_no_roles(participant_registry, mallory):
    assert participant_registry.rolesOf(mallory) == 0
    assert ints(participant_registry.reputationOf(mallory)) == [0, 0]


def test_update_profile_emits_new_uri(participant_registry, alice):
    participant_registry.register(ROLE_OWNER, "ipfs://old", {"from": alice})
    tx = participant_registry.updateProfile("ipfs://new", {"from": alice})
    assert tx.events["ProfileUpdated"]["account"] == alice
    assert tx.events["ProfileUpdated"]["metadataUri"] == "ipfs://new"


def test_update_profile_requires_registration(participant_registry, mallory):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryNotRegistered")):
        participant_registry.updateProfile("ipfs://x", {"from": mallory})


# --- projects contract ---------------------------------------------------------------------------

def test_set_projects_contract_only_once(participant_registry, projects, operator):
    assert participant_registry.projectsContract() == projects
    with brownie.reverts(revert_pattern=err("ParticipantRegistryProjectsAlreadySet")):
        participant_registry.setProjectsContract(projects, {"from": operator})


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
    assert projects.project(project_id)["state"] == PROJECT_COMMISSIONED
    return project_id


def test_party_rates_other_party_once(participant_registry, completed, registered):
    tx = participant_registry.rate(completed, registered.provider, 1, {"from": registered.owner})
    assert ints(participant_registry.reputationOf(registered.provider)) == [1, 1]
    assert participant_registry.hasRated(completed, registered.owner, registered.provider)
    ev = tx.events["ParticipantRated"]
    assert ev["projectId"] == completed
    assert ev["rater"] == registered.owner
    assert ev["ratee"] == registered.provider
    assert ev["score"] == 1


def test_ratings_aggregate_per_participant(participant_registry, completed, registered):
    participant_registry.rate(completed, registered.installer, -1, {"from": registered.owner})
    participant_registry.rate(completed, registered.installer, -1, {"from": registered.manager})
    participant_registry.rate(completed, registered.installer, 0, {"from": registered.provider})
    assert ints(participant_registry.reputationOf(registered.installer)) == [-2, 3]
    scores = participant_registry.reputationsOf([registered.installer, registered.owner, registered.provider])
    assert ints(scores) == [-2, 0, 0]


def test_rating_twice_reverts(participant_registry, completed, registered):
    participant_registry.rate(completed, registered.manager, 1, {"from": registered.owner})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryAlreadyRated")):
        participant_registry.rate(completed, registered.manager, -1, {"from": registered.owner})


@pytest.mark.parametrize("score", [-2, 2, 100])
def test_rating_out_of_range_reverts(participant_registry, completed, registered, score):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryInvalidScore")):
        participant_registry.rate(completed, registered.manager, score, {"from": registered.owner})


def test_outsider_cannot_rate(participant_registry, completed, registered, mallory):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryNotProjectParty")):
        participant_registry.rate(completed, registered.provider, -1, {"from": mallory})


def test_cannot_rate_outsider(participant_registry, completed, registered, mallory):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryNotProjectParty")):
        participant_registry.rate(completed, mallory, 1, {"from": registered.owner})


def test_cannot_rate_self(participant_registry, completed, registered):
    with brownie.reverts(revert_pattern=err("ParticipantRegistrySelfRating")):
        participant_registry.rate(completed, registered.owner, 1, {"from": registered.owner})


def test_cannot_rate_before_project_completes(participant_registry, make_project, registered):
    project_id = make_project(False)
    with brownie.reverts(revert_pattern=err("ParticipantRegistryProjectNotCompleted")):
        participant_registry.rate(project_id, registered.provider, 1, {"from": registered.owner})


def test_cannot_rate_unknown_project(participant_registry, registered):
    with brownie.reverts(revert_pattern=err("ProjectsUnknownProject")):
        participant_registry.rate(99, registered.provider, 1, {"from": registered.owner})


# --- cooperatives --------------------------------------------------------------------------------

@pytest.fixture
def coop(participant_registry, alice):
    return participant_registry.createCooperative("Coop Solar Valparaíso", {"from": alice}).return_value


def test_create_cooperative_makes_creator_admin_and_member(participant_registry, coop, alice):
    assert participant_registry.cooperativeCount() == 1
    record = participant_registry.cooperative(coop)
    assert record["name"] == "Coop Solar Valparaíso"
    assert record["adminCount"] == 1
    assert record["memberCount"] == 1
    assert participant_registry.isCooperativeAdmin(coop, alice)
    assert participant_registry.isCooperativeMember(coop, alice)


def test_create_cooperative_rejects_empty_name(participant_registry, alice):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryEmptyName")):
        participant_registry.createCooperative("", {"from": alice})


def test_unknown_cooperative_reverts(participant_registry, alice, bob):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryUnknownCooperative")):
        participant_registry.cooperative(5)
    with brownie.reverts(revert_pattern=err("ParticipantRegistryUnknownCooperative")):
        participant_registry.addMember(5, bob, {"from": alice})


def test_admin_adds_and_removes_member(participant_registry, coop, alice, bob):
    tx = participant_registry.addMember(coop, bob, {"from": alice})
    assert tx.events["CooperativeMemberAdded"]["account"] == bob
    assert participant_registry.isCooperativeMember(coop, bob)
    assert participant_registry.cooperative(coop)["memberCount"] == 2
    tx = participant_registry.removeMember(coop, bob, {"from": alice})
    assert tx.events["CooperativeMemberRemoved"]["account"] == bob
    assert not participant_registry.isCooperativeMember(coop, bob)
    assert participant_registry.cooperative(coop)["memberCount"] == 1


def test_add_existing_member_reverts(participant_registry, coop, alice, bob):
    participant_registry.addMember(coop, bob, {"from": alice})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryAlreadyMember")):
        participant_registry.addMember(coop, bob, {"from": alice})


def test_remove_non_member_reverts(participant_registry, coop, alice, bob):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryNotMember")):
        participant_registry.removeMember(coop, bob, {"from": alice})


def test_added_admin_can_manage_and_counts_as_member(participant_registry, coop, alice, bob, carol):
    participant_registry.addCooperativeAdmin(coop, bob, {"from": alice})
    assert participant_registry.isCooperativeAdmin(coop, bob)
    assert participant_registry.isCooperativeMember(coop, bob)
    participant_registry.addMember(coop, carol, {"from": bob})
    record = participant_registry.cooperative(coop)
    assert record["adminCount"] == 2
    assert record["memberCount"] == 3


def test_add_existing_admin_reverts(participant_registry, coop, alice):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryAlreadyAdmin")):
        participant_registry.addCooperativeAdmin(coop, alice, {"from": alice})


def test_remove_admin_keeps_membership(participant_registry, coop, alice, bob):
    participant_registry.addCooperativeAdmin(coop, bob, {"from": alice})
    tx = participant_registry.removeCooperativeAdmin(coop, bob, {"from": alice})
    assert tx.events["CooperativeAdminRemoved"]["account"] == bob
    assert not participant_registry.isCooperativeAdmin(coop, bob)
    assert participant_registry.isCooperativeMember(coop, bob)


def test_remove_non_admin_as_admin_reverts(participant_registry, coop, alice, bob):
    participant_registry.addMember(coop, bob, {"from": alice})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryNotCooperativeAdmin")):
        participant_registry.removeCooperativeAdmin(coop, bob, {"from": alice})


def test_last_admin_cannot_be_removed(participant_registry, coop, alice):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryLastAdmin")):
        participant_registry.removeCooperativeAdmin(coop, alice, {"from": alice})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryLastAdmin")):
        participant_registry.removeMember(coop, alice, {"from": alice})


def test_zero_address_cannot_become_admin_or_member(participant_registry, coop, alice):
    """Attack: adding address(0) as a second admin would let the real admin leave, locking the
    cooperative with an admin nobody controls."""
    zero = "0x" + "00" * 20
    with brownie.reverts(revert_pattern=err("ParticipantRegistryZeroAddress")):
        participant_registry.addCooperativeAdmin(coop, zero, {"from": alice})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryZeroAddress")):
        participant_registry.addMember(coop, zero, {"from": alice})
    assert participant_registry.cooperative(coop)["adminCount"] == 1
    with brownie.reverts(revert_pattern=err("ParticipantRegistryLastAdmin")):
        participant_registry.removeCooperativeAdmin(coop, alice, {"from": alice})


def test_removing_admin_member_drops_admin_rights(participant_registry, coop, alice, bob):
    participant_registry.addCooperativeAdmin(coop, bob, {"from": alice})
    participant_registry.removeMember(coop, bob, {"from": alice})
    assert not participant_registry.isCooperativeAdmin(coop, bob)
    assert participant_registry.cooperative(coop)["adminCount"] == 1


@pytest.mark.parametrize("action", ["addMember", "removeMember", "addCooperativeAdmin", "removeCooperativeAdmin"])
def test_non_admin_cannot_manage_cooperative(participant_registry, coop, alice, mallory, action):
    with brownie.reverts(revert_pattern=err("ParticipantRegistryNotCooperativeAdmin")):
        getattr(participant_registry, action)(coop, alice, {"from": mallory})


def test_registry_roles_and_constants(participant_registry):
    roles = [participant_registry.OWNER(), participant_registry.PROVIDER(), participant_registry.INSTALLER(), participant_registry.MANAGER(), participant_registry.INVESTOR()]
    assert ints(roles) == [ROLE_OWNER, ROLE_PROVIDER, ROLE_INSTALLER, ROLE_MANAGER, ROLE_INVESTOR]


def test_set_projects_contract_rejects_zero_address(ParticipantRegistry, operator):
    fresh = ParticipantRegistry.deploy(operator, {"from": operator})
    with brownie.reverts(revert_pattern=err("ParticipantRegistryZeroAddress")):
        fresh.setProjectsContract("0x" + "00" * 20, {"from": operator})
