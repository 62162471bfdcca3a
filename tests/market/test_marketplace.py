"""Marketplace: offers and demands (post, update, withdraw, pages), fee, and on-chain verified matching."""

import brownie
import pytest
from brownie import chain

from market_helpers import PRICES, SIZE_KWP, SUBTOTAL, UNAUTHORIZED, err, later, match_demand, now, total_for
from oracle.market_codes import KIND_INSTALLER, KIND_MANAGER, KIND_PROVIDER, ROLE_INSTALLER



# --- offers --------------------------------------------------------------------------------------

def test_post_offer_stores_it_and_emits(marketplace, registered):
    expires = later()
    tx = marketplace.postOffer(KIND_PROVIDER, 600_000, 20, expires, {"from": registered.provider})
    assert tx.return_value == 1
    assert marketplace.offerCount() == 1
    offer = marketplace.offer(1)
    assert offer["id"] == 1
    assert offer["seller"] == registered.provider
    assert offer["kind"] == KIND_PROVIDER
    assert offer["priceClpPerKwp"] == 600_000
    assert offer["availableKwp"] == 20
    assert offer["createdAt"] == tx.timestamp
    assert offer["expiresAt"] == expires
    assert offer["open"]
    ev = tx.events["OfferPosted"]
    assert ev["offerId"] == 1
    assert ev["capacityKwp"] == 20


@pytest.mark.parametrize("kind", [KIND_PROVIDER, KIND_INSTALLER, KIND_MANAGER])
def test_post_offer_requires_matching_role(marketplace, registered, kind):
    # the owner is registered, but only as owner
    with brownie.reverts(revert_pattern=err("MarketplaceMissingRole")):
        marketplace.postOffer(kind, 1, 1, later(), {"from": registered.owner})


def test_post_offer_wrong_role_for_kind_reverts(marketplace, registered):
    with brownie.reverts(revert_pattern=err("MarketplaceMissingRole")):
        marketplace.postOffer(KIND_MANAGER, 1, 1, later(), {"from": registered.provider})


def test_post_offer_unknown_kind_reverts(marketplace, registered):
    with brownie.reverts(revert_pattern=err("MarketplaceUnknownOfferKind")):
        marketplace.postOffer(3, 1, 1, later(), {"from": registered.provider})


def test_post_offer_zero_price_reverts(marketplace, registered):
    with brownie.reverts(revert_pattern=err("MarketplaceZeroPrice")):
        marketplace.postOffer(KIND_PROVIDER, 0, 1, later(), {"from": registered.provider})


def test_post_offer_zero_capacity_reverts(marketplace, registered):
    with brownie.reverts(revert_pattern=err("MarketplaceZeroSize")):
        marketplace.postOffer(KIND_PROVIDER, 1, 0, later(), {"from": registered.provider})


def test_post_offer_expiry_in_past_reverts(marketplace, registered):
    with brownie.reverts(revert_pattern=err("MarketplaceExpiryInPast")):
        marketplace.postOffer(KIND_PROVIDER, 1, 1, now() - 1, {"from": registered.provider})


def test_update_offer_changes_terms(marketplace, post_offers, registered):
    offer_id = post_offers()[0]
    expires = later(60 * 86400)
    tx = marketplace.updateOffer(offer_id, 550_000, 7, expires, {"from": registered.provider})
    offer = marketplace.offer(offer_id)
    assert offer["priceClpPerKwp"] == 550_000
    assert offer["availableKwp"] == 7
    assert offer["expiresAt"] == expires
    assert tx.events["OfferUpdated"]["offerId"] == offer_id


def test_update_offer_checks_terms(marketplace, post_offers, registered):
    offer_id = post_offers()[0]
    with brownie.reverts(revert_pattern=err("MarketplaceZeroSize")):
        marketplace.updateOffer(offer_id, 1, 0, later(), {"from": registered.provider})


def test_update_offer_by_other_account_reverts(marketplace, post_offers, mallory):
    offer_id = post_offers()[0]
    with brownie.reverts(revert_pattern=err("MarketplaceNotOfferSeller")):
        marketplace.updateOffer(offer_id, 1, 1, later(), {"from": mallory})


def test_withdraw_offer_closes_it(marketplace, post_offers, registered):
    offer_id = post_offers()[0]
    tx = marketplace.withdrawOffer(offer_id, {"from": registered.provider})
    assert not marketplace.offer(offer_id)["open"]
    assert tx.events["OfferWithdrawn"]["offerId"] == offer_id
    with brownie.reverts(revert_pattern=err("MarketplaceOfferClosed")):
        marketplace.updateOffer(offer_id, 1, 1, later(), {"from": registered.provider})
    with brownie.reverts(revert_pattern=err("MarketplaceOfferClosed")):
        marketplace.withdrawOffer(offer_id, {"from": registered.provider})


def test_withdraw_offer_by_other_account_reverts(marketplace, post_offers, mallory):
    offer_id = post_offers()[0]
    with brownie.reverts(revert_pattern=err("MarketplaceNotOfferSeller")):
        marketplace.withdrawOffer(offer_id, {"from": mallory})
    assert marketplace.offer(offer_id)["open"]


def test_unknown_offer_reverts(marketplace, registered):
    with brownie.reverts(revert_pattern=err("MarketplaceUnknownOffer")):
        marketplace.offer(1)
    with brownie.reverts(revert_pattern=err("MarketplaceUnknownOffer")):
        marketplace.withdrawOffer(1, {"from": registered.provider})


# --- demands -------------------------------------------------------------------------------------

def test_post_demand_stores_it_and_emits(marketplace, registered):
    expires = later()
    tx = marketplace.postDemand(5, 9_000_000, True, expires, {"from": registered.owner})
    assert tx.return_value == 1
    assert marketplace.demandCount() == 1
    demand = marketplace.demand(1)
    assert demand["id"] == 1
    assert demand["owner"] == registered.owner
    assert demand["sizeKwp"] == 5
    assert demand["maxTotalClp"] == 9_000_000
    assert demand["needsFinancing"]
    assert demand["createdAt"] == tx.timestamp
    assert demand["expiresAt"] == expires
    assert demand["open"]
    assert tx.events["DemandPosted"]["owner"] == registered.owner


def test_post_demand_requires_owner_role(marketplace, registered):
    with brownie.reverts(revert_pattern=err("MarketplaceMissingRole")):
        marketplace.postDemand(5, 1, False, later(), {"from": registered.provider})


def test_post_demand_checks_terms(marketplace, registered):
    with brownie.reverts(revert_pattern=err("MarketplaceZeroSize")):
        marketplace.postDemand(0, 1, False, later(), {"from": registered.owner})
    with brownie.reverts(revert_pattern=err("MarketplaceZeroPrice")):
        marketplace.postDemand(1, 0, False, later(), {"from": registered.owner})
    with brownie.reverts(revert_pattern=err("MarketplaceExpiryInPast")):
        marketplace.postDemand(1, 1, False, now() - 1, {"from": registered.owner})


def test_update_demand_changes_terms(marketplace, post_demand, registered):
    demand_id = post_demand(False)
    expires = later(10 * 86400)
    tx = marketplace.updateDemand(demand_id, 8, 12_000_000, True, expires, {"from": registered.owner})
    demand = marketplace.demand(demand_id)
    assert demand["sizeKwp"] == 8
    assert demand["maxTotalClp"] == 12_000_000
    assert demand["needsFinancing"]
    assert demand["expiresAt"] == expires
    assert tx.events["DemandUpdated"]["demandId"] == demand_id


def test_update_demand_by_other_account_reverts(marketplace, post_demand, mallory):
    demand_id = post_demand(False)
    with brownie.reverts(revert_pattern=err("MarketplaceNotDemandOwner")):
        marketplace.updateDemand(demand_id, 1, 1, False, later(), {"from": mallory})


def test_withdraw_demand_by_other_account_reverts(marketplace, post_demand, mallory):
    demand_id = post_demand(False)
    with brownie.reverts(revert_pattern=err("MarketplaceNotDemandOwner")):
        marketplace.withdrawDemand(demand_id, {"from": mallory})
    assert marketplace.demand(demand_id)["open"]


def test_withdraw_demand_closes_it(marketplace, post_demand, registered):
    demand_id = post_demand(False)
    tx = marketplace.withdrawDemand(demand_id, {"from": registered.owner})
    assert not marketplace.demand(demand_id)["open"]
    assert tx.events["DemandWithdrawn"]["demandId"] == demand_id
    with brownie.reverts(revert_pattern=err("MarketplaceDemandClosed")):
        marketplace.updateDemand(demand_id, 1, 1, False, later(), {"from": registered.owner})


def test_unknown_demand_reverts(marketplace, registered):
    with brownie.reverts(revert_pattern=err("MarketplaceUnknownDemand")):
        marketplace.demand(3)
    with brownie.reverts(revert_pattern=err("MarketplaceUnknownDemand")):
        marketplace.withdrawDemand(3, {"from": registered.owner})


# --- pages ---------------------------------------------------------------------------------------

def test_offers_page_reads_every_offer_in_id_order(marketplace, post_offers, registered):
    post_offers()
    post_offers()
    marketplace.withdrawOffer(2, {"from": registered.installer})
    page = marketplace.offersPage(1, 100)
    assert [o["id"] for o in page] == [1, 2, 3, 4, 5, 6]
    assert [o["kind"] for o in page] == [0, 1, 2, 0, 1, 2]
    assert [o["open"] for o in page] == [True, False, True, True, True, True]
    assert [o["id"] for o in marketplace.offersPage(2, 3)] == [2, 3, 4]
    assert [o["id"] for o in marketplace.offersPage(0, 2)] == [1, 2]
    assert len(marketplace.offersPage(7, 5)) == 0
    assert len(marketplace.offersPage(1, 0)) == 0


def test_demands_page_reads_every_demand(marketplace, post_demand):
    for _ in range(3):
        post_demand(False)
    assert [d["id"] for d in marketplace.demandsPage(1, 10)] == [1, 2, 3]
    assert [d["id"] for d in marketplace.demandsPage(3, 10)] == [3]
    assert len(marketplace.demandsPage(4, 10)) == 0


# --- fee -----------------------------------------------------------------------------------------

def test_admin_sets_fee_up_to_cap(marketplace, operator):
    cap = marketplace.MAX_PLATFORM_FEE_BPS()
    tx = marketplace.setPlatformFeeBps(cap, {"from": operator})
    assert marketplace.platformFeeBps() == cap
    assert tx.events["PlatformFeeSet"]["feeBps"] == cap


def test_fee_above_cap_reverts(marketplace, operator):
    with brownie.reverts(revert_pattern=err("MarketplaceFeeAboveCap")):
        marketplace.setPlatformFeeBps(marketplace.MAX_PLATFORM_FEE_BPS() + 1, {"from": operator})


def test_fee_above_cap_in_constructor_reverts(Marketplace, marketplace, operator):
    with brownie.reverts(revert_pattern=err("MarketplaceFeeAboveCap")):
        Marketplace.deploy(operator, marketplace.registry(), marketplace.projects(), 1_001, {"from": operator})


def test_set_fee_by_non_admin_reverts(marketplace, mallory):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        marketplace.setPlatformFeeBps(0, {"from": mallory})


# --- match ---------------------------------------------------------------------------------------

def test_quote_follows_the_pricing_rule(marketplace, post_offers, post_demand, fee_bps):
    offer_ids = post_offers()
    demand_id = post_demand(False)
    subtotal, fee, total = marketplace.quote(demand_id, *offer_ids)
    assert subtotal == SUBTOTAL
    assert fee == SUBTOTAL * fee_bps // 10_000
    assert total == total_for(SIZE_KWP, list(PRICES.values()), fee_bps)


def test_match_creates_project_consumes_capacity_and_closes_demand(marketplace, projects, operator, post_offers,
                                                                   post_demand, registered, total, fee_bps):
    offer_ids = post_offers(capacity_kwp=12)
    demand_id = post_demand(False)
    tx = match_demand(marketplace, demand_id, offer_ids, operator)
    project_id = tx.return_value
    assert project_id == 1
    assert not marketplace.demand(demand_id)["open"]
    for offer_id in offer_ids:
        assert marketplace.offer(offer_id)["availableKwp"] == 12 - SIZE_KWP
        assert marketplace.offer(offer_id)["open"]
    ev = tx.events["DemandMatched"]
    assert ev["demandId"] == demand_id
    assert ev["projectId"] == project_id
    assert ev["providerOfferId"] == offer_ids[0]
    assert ev["installerOfferId"] == offer_ids[1]
    assert ev["managerOfferId"] == offer_ids[2]
    assert ev["totalClp"] == total
    project = projects.project(project_id)
    assert project["owner"] == registered.owner
    assert project["provider"] == registered.provider
    assert project["installer"] == registered.installer
    assert project["manager"] == registered.manager
    assert project["sizeKwp"] == SIZE_KWP
    assert project["providerClp"] == PRICES[KIND_PROVIDER] * SIZE_KWP
    assert project["feeClp"] == SUBTOTAL * fee_bps // 10_000
    assert project["totalClp"] == total
    assert project["campaignId"] == 0
    assert "CampaignOpened" not in tx.events


def test_match_needing_financing_opens_campaign(marketplace, crowdfunding, projects, operator, post_offers,
                                                post_demand, registered, total):
    offer_ids = post_offers()
    tx = match_demand(marketplace, post_demand(True), offer_ids, operator)
    project_id = tx.return_value
    campaign_id = projects.project(project_id)["campaignId"]
    assert campaign_id == 1
    campaign = crowdfunding.campaign(campaign_id)
    assert campaign["projectId"] == project_id
    assert campaign["owner"] == registered.owner
    assert campaign["goalClp"] == total
    assert campaign["raisedClp"] == 0
    assert campaign["deadline"] == tx.timestamp + crowdfunding.campaignDurationS()
    assert campaign["state"] == 0
    assert tx.events["CampaignOpened"]["campaignId"] == campaign_id


def test_match_at_exactly_max_price_succeeds(marketplace, operator, post_offers, post_demand, total):
    offer_ids = post_offers()
    demand_id = post_demand(False, max_total_clp=total)
    assert match_demand(marketplace, demand_id, offer_ids, operator).return_value == 1


def test_match_one_peso_over_max_price_reverts(marketplace, operator, post_offers, post_demand, total):
    offer_ids = post_offers()
    demand_id = post_demand(False, max_total_clp=total - 1)
    with brownie.reverts(revert_pattern=rf"MarketplaceOverMaxPrice: {demand_id}, {total}, {total - 1}"):
        match_demand(marketplace, demand_id, offer_ids, operator)


def test_match_by_non_matcher_reverts(marketplace, post_offers, post_demand, mallory, registered):
    offer_ids = post_offers()
    demand_id = post_demand(False)
    for account in (mallory, registered.owner):
        with brownie.reverts(revert_pattern=UNAUTHORIZED):
            match_demand(marketplace, demand_id, offer_ids, account)


def test_match_unknown_demand_reverts(marketplace, operator, post_offers):
    offer_ids = post_offers()
    with brownie.reverts(revert_pattern=err("MarketplaceUnknownDemand")):
        match_demand(marketplace, 9, offer_ids, operator)


def test_match_closed_demand_reverts(marketplace, operator, post_offers, post_demand, registered):
    offer_ids = post_offers()
    demand_id = post_demand(False)
    marketplace.withdrawDemand(demand_id, {"from": registered.owner})
    with brownie.reverts(revert_pattern=err("MarketplaceDemandClosed")):
        match_demand(marketplace, demand_id, offer_ids, operator)


def test_match_already_matched_demand_reverts(marketplace, operator, post_offers, post_demand):
    offer_ids = post_offers(capacity_kwp=20)
    demand_id = post_demand(False)
    match_demand(marketplace, demand_id, offer_ids, operator)
    with brownie.reverts(revert_pattern=err("MarketplaceDemandClosed")):
        match_demand(marketplace, demand_id, offer_ids, operator)


def test_match_expired_demand_reverts(marketplace, operator, post_offers, post_demand):
    offer_ids = post_offers(expires_at=later(100 * 86400))
    demand_id = post_demand(False, expires_at=later(3600))
    chain.sleep(3601)
    chain.mine()
    with brownie.reverts(revert_pattern=err("MarketplaceDemandExpired")):
        match_demand(marketplace, demand_id, offer_ids, operator)


def test_match_unknown_offer_reverts(marketplace, operator, post_offers, post_demand):
    offer_ids = post_offers()
    demand_id = post_demand(False)
    with brownie.reverts(revert_pattern=err("MarketplaceUnknownOffer")):
        match_demand(marketplace, demand_id, [offer_ids[0], 77, offer_ids[2]], operator)


def test_match_wrong_offer_kind_reverts(marketplace, operator, post_offers, post_demand):
    offer_ids = post_offers()
    demand_id = post_demand(False)
    with brownie.reverts(revert_pattern=rf"MarketplaceWrongOfferKind: {offer_ids[1]}, 0, 1"):
        match_demand(marketplace, demand_id, [offer_ids[1], offer_ids[0], offer_ids[2]], operator)


def test_match_closed_offer_reverts(marketplace, operator, post_offers, post_demand, registered):
    offer_ids = post_offers()
    marketplace.withdrawOffer(offer_ids[2], {"from": registered.manager})
    with brownie.reverts(revert_pattern=err("MarketplaceOfferClosed")):
        match_demand(marketplace, post_demand(False), offer_ids, operator)


def test_match_expired_offer_reverts(marketplace, operator, post_offers, post_demand):
    offer_ids = post_offers(expires_at=later(3600))
    demand_id = post_demand(False, expires_at=later(100 * 86400))
    chain.sleep(3601)
    chain.mine()
    with brownie.reverts(revert_pattern=err("MarketplaceOfferExpired")):
        match_demand(marketplace, demand_id, offer_ids, operator)


def test_match_exhausted_offer_reverts(marketplace, operator, post_offers, post_demand):
    offer_ids = post_offers(capacity_kwp=SIZE_KWP + 2)
    match_demand(marketplace, post_demand(False), offer_ids, operator)
    demand_id = post_demand(False)
    with brownie.reverts(revert_pattern=rf"MarketplaceOfferExhausted: {offer_ids[0]}, {SIZE_KWP}, 2"):
        match_demand(marketplace, demand_id, offer_ids, operator)


def test_match_uses_exact_capacity(marketplace, operator, post_offers, post_demand):
    offer_ids = post_offers(capacity_kwp=SIZE_KWP)
    match_demand(marketplace, post_demand(False), offer_ids, operator)
    assert all(marketplace.offer(i)["availableKwp"] == 0 for i in offer_ids)


def test_matcher_role_granted_to_deployer(marketplace, operator, mallory):
    role = marketplace.MATCHER_ROLE()
    assert marketplace.hasRole(role, operator)
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        marketplace.grantRole(role, mallory, {"from": mallory})


def test_match_rejects_a_party_in_two_roles(marketplace, operator, participant_registry, registered, post_demand):
    """The provider also registered as installer and offers both: the match is refused at any price."""
    participant_registry.register(ROLE_INSTALLER, "ipfs://provider", {"from": registered.provider})
    provider_offer = marketplace.postOffer(KIND_PROVIDER, 600_000, 10, later(), {"from": registered.provider}).return_value
    installer_offer = marketplace.postOffer(KIND_INSTALLER, 300_000, 10, later(), {"from": registered.provider}).return_value
    manager_offer = marketplace.postOffer(KIND_MANAGER, 100_000, 10, later(), {"from": registered.manager}).return_value
    demand_id = post_demand(False)
    with brownie.reverts(revert_pattern=err("MarketplacePartiesNotDistinct")):
        match_demand(marketplace, demand_id, [provider_offer, installer_offer, manager_offer], operator)


def test_match_rejects_a_total_other_than_the_expected_one(marketplace, operator, post_offers, post_demand):
    offer_ids = post_offers()
    demand_id = post_demand(False)
    total = marketplace.quote(demand_id, *offer_ids)[2]
    for expected in (total - 1, total + 1):
        with brownie.reverts(revert_pattern=err("MarketplaceTotalChanged")):
            marketplace.matchDemand(demand_id, *offer_ids, expected, {"from": operator})
    assert marketplace.matchDemand(demand_id, *offer_ids, total, {"from": operator}).return_value == 1
