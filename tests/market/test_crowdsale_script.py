"""scripts/market/crowdsale.py against the deployed contracts: list, contribute, finalize, time travel,\nwaiting for a deadline, refund."""

import pytest
from brownie import chain
from oracle.market_codes import CAMPAIGN_FAILED, CAMPAIGN_FINALIZED, CAMPAIGN_OPEN

from scripts.market.crowdsale import (
    CrowdsaleError,
    contribute_from,
    finalize_ready,
    read_campaigns,
    refund_failed,
    travel_past_deadline,
    travel_to,
    wait_past_deadline,
)


def quiet(_: str) -> None:
    """A `say` that prints nothing."""


@pytest.fixture(scope="module")
def campaign_ids(make_project, projects):
    """Two financed projects, each with its campaign (ids in project order)."""
    return [int(projects.project(make_project(True))["campaignId"]) for _ in range(2)]


@pytest.fixture(scope="module")
def goal(campaign_ids, total):
    return total


def test_read_campaigns_lists_every_campaign_open_with_goal_and_deadline(campaign_ids, crowdfunding, total):
    campaigns = read_campaigns(crowdfunding)
    assert [c.id for c in campaigns] == campaign_ids
    for c in campaigns:
        assert c.state == CAMPAIGN_OPEN and c.goal_clp == total and c.raised_clp == 0
        assert c.deadline > chain[-1].timestamp


def test_contribute_from_mints_short_balances_and_caps_at_what_is_missing(
    campaign_ids, crowdfunding, token, operator, investors, goal
):
    accepted = contribute_from(
        crowdfunding, token, campaign_ids[0], [(investors[0], goal - 10_000), (investors[1], 50_000)],
        minter=operator, say=quiet,
    )
    assert accepted == {str(investors[0]): goal - 10_000, str(investors[1]): 10_000}
    assert crowdfunding.campaign(campaign_ids[0])["raisedClp"] == goal
    assert token.balanceOf(investors[1]) == 40_000


def test_contribute_from_without_minter_rejects_short_balance(campaign_ids, crowdfunding, token, investors):
    with pytest.raises(CrowdsaleError, match="less than 5000"):
        contribute_from(crowdfunding, token, campaign_ids[0], [(investors[2], 5_000)], say=quiet)


def test_finalize_ready_finalizes_only_campaigns_whose_goal_is_met(
    campaign_ids, crowdfunding, token, operator, investors, goal
):
    contribute_from(crowdfunding, token, campaign_ids[0], [(investors[0], goal)], minter=operator, say=quiet)
    contribute_from(crowdfunding, token, campaign_ids[1], [(investors[1], goal // 2)], minter=operator, say=quiet)
    assert finalize_ready(crowdfunding, operator, say=quiet) == [campaign_ids[0]]
    assert crowdfunding.campaign(campaign_ids[0])["state"] == CAMPAIGN_FINALIZED
    assert crowdfunding.campaign(campaign_ids[1])["state"] == CAMPAIGN_OPEN


def test_contribute_from_rejects_a_finalized_campaign(campaign_ids, crowdfunding, token, operator, investors, goal):
    contribute_from(crowdfunding, token, campaign_ids[0], [(investors[0], goal)], minter=operator, say=quiet)
    finalize_ready(crowdfunding, operator, say=quiet)
    with pytest.raises(CrowdsaleError, match="is finalized"):
        contribute_from(crowdfunding, token, campaign_ids[0], [(investors[1], 1_000)], minter=operator, say=quiet)


def test_travel_past_deadline_makes_an_unfilled_campaign_failed(campaign_ids, crowdfunding):
    deadline = crowdfunding.campaign(campaign_ids[1])["deadline"]
    assert travel_past_deadline(crowdfunding, campaign_ids[1]) > deadline
    assert crowdfunding.campaign(campaign_ids[1])["state"] == CAMPAIGN_FAILED


def test_wait_past_deadline_polls_new_blocks_until_the_deadline_and_says_so_once(campaign_ids, crowdfunding):
    deadline = int(crowdfunding.campaign(campaign_ids[1])["deadline"])
    blocks_to_wait = -(-(deadline - chain[-1].timestamp) // (10 * 86_400))
    polls, lines = [], []

    def a_block_arrives(poll_s: float) -> None:  # a live chain's next block, ten days later (no real waiting)
        polls.append(poll_s)
        travel_to(chain[-1].timestamp + 10 * 86_400)

    assert wait_past_deadline(crowdfunding, campaign_ids[1], lines.append, a_block_arrives) >= deadline
    assert int(crowdfunding.campaign(campaign_ids[1])["state"]) == CAMPAIGN_FAILED
    assert len(polls) == blocks_to_wait >= 1
    assert len(lines) == 1 and lines[0].startswith("   waiting ") and "s for campaign deadlines" in lines[0]
    assert wait_past_deadline(crowdfunding, campaign_ids[1], lines.append, a_block_arrives) >= deadline
    assert len(lines) == 1 and len(polls) == blocks_to_wait  # past the deadline: no wait, nothing said


def test_refund_failed_makes_every_contributor_whole(campaign_ids, crowdfunding, token, operator, investors):
    for investor in investors[:3]:
        token.mint(investor, 7_000, {"from": operator})
    before = {str(i): int(token.balanceOf(i)) for i in investors}
    contribute_from(crowdfunding, token, campaign_ids[1],
                    [(investors[0], 7_000), (investors[1], 2_000), (investors[2], 3_500)], say=quiet)
    travel_past_deadline(crowdfunding, campaign_ids[1])
    refunds = refund_failed(crowdfunding, campaign_ids[1], investors, say=quiet)
    assert refunds == {str(investors[0]): 7_000, str(investors[1]): 2_000, str(investors[2]): 3_500}
    assert {str(i): int(token.balanceOf(i)) for i in investors} == before
    assert token.balanceOf(crowdfunding) == 0


def test_refund_failed_twice_pays_nothing_more(campaign_ids, crowdfunding, token, operator, investors):
    contribute_from(crowdfunding, token, campaign_ids[1], [(investors[0], 4_000)], minter=operator, say=quiet)
    travel_past_deadline(crowdfunding, campaign_ids[1])
    refund_failed(crowdfunding, campaign_ids[1], investors, say=quiet)
    assert refund_failed(crowdfunding, campaign_ids[1], investors, say=quiet) == {}


def test_refund_failed_rejects_an_open_campaign(campaign_ids, crowdfunding, investors):
    with pytest.raises(CrowdsaleError, match="is open: refunds open once it fails"):
        refund_failed(crowdfunding, campaign_ids[1], investors, say=quiet)


def test_unknown_campaign_is_a_clear_error(campaign_ids, crowdfunding, investors):
    with pytest.raises(CrowdsaleError, match="no campaign 99: there are 2"):
        refund_failed(crowdfunding, 99, investors, say=quiet)
