"""oracle/market_codes.py mirrors the contracts' codes."""

from oracle import market_codes as codes


def test_role_bits_match_participant_registry(participant_registry):
    assert participant_registry.OWNER() == codes.ROLE_OWNER
    assert participant_registry.PROVIDER() == codes.ROLE_PROVIDER
    assert participant_registry.INSTALLER() == codes.ROLE_INSTALLER
    assert participant_registry.MANAGER() == codes.ROLE_MANAGER
    assert participant_registry.INVESTOR() == codes.ROLE_INVESTOR


def test_every_offer_kind_maps_to_the_role_allowed_to_post_it():
    assert set(codes.ROLE_OF_KIND) == set(codes.KIND_NAMES) == {0, 1, 2}
    assert len(set(codes.ROLE_OF_KIND.values())) == 3
    assert codes.ROLE_OWNER not in codes.ROLE_OF_KIND.values()


def test_state_names_cover_every_state():
    assert codes.PROJECT_STATE_NAMES[codes.PROJECT_CANCELLED] == "Cancelled"
    assert len(codes.PROJECT_STATE_NAMES) == codes.PROJECT_CANCELLED + 1
    assert sorted(codes.CAMPAIGN_STATE_NAMES) == list(range(codes.CAMPAIGN_CANCELLED + 1))
