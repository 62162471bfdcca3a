"""Crowdfunding campaigns off-chain: read them in pages, contribute, finalize, refund, time travel
(local chains) or real waiting for a deadline (live networks).

The functions take brownie Contract objects and accounts; scripts/crowdsale.py is the command line
on the chain's deployment. Campaign states: oracle/market_codes.py CAMPAIGN_*. Amounts are whole
CLP; times unix seconds (UTC).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from oracle.market_codes import CAMPAIGN_CANCELLED, CAMPAIGN_FAILED, CAMPAIGN_OPEN, CAMPAIGN_STATE_NAMES
from oracle.timeutil import iso_utc_minute
from scripts.common.accounts import is_local_chain
from scripts.common.paging import DEFAULT_PAGE_SIZE, CallCounter, latest_block_timestamp, read_paged


class CrowdsaleError(Exception):
    """A crowdsale command cannot proceed; the message says what to fix."""


@dataclass(frozen=True)
class Campaign:
    """A campaign as ``Crowdfunding.campaignsPage`` returns it, with its id."""

    id: int
    project_id: int
    owner: str
    goal_clp: int
    raised_clp: int
    min_contribution_clp: int
    deadline: int
    state: int

    @property
    def state_name(self) -> str:
        return CAMPAIGN_STATE_NAMES.get(self.state, f"unknown ({self.state})")

    @property
    def missing_clp(self) -> int:
        return self.goal_clp - self.raised_clp


def _campaign_from_tuple(campaign_id: int, raw: Sequence[Any]) -> Campaign:
    return Campaign(campaign_id, int(raw[0]), str(raw[1]), int(raw[2]), int(raw[3]), int(raw[4]), int(raw[5]), int(raw[6]))


def read_campaigns(crowdfunding: Any, page_size: int = DEFAULT_PAGE_SIZE, counter: CallCounter | None = None) -> list[Campaign]:
    """Every campaign (ids 1..campaignCount), read in pages."""
    counter = counter or CallCounter()
    count = int(counter.call(crowdfunding.campaignCount))
    raw = read_paged(count, crowdfunding.campaignsPage, page_size, counter)
    return [_campaign_from_tuple(n, item) for n, item in enumerate(raw, start=1)]


def describe_campaign(c: Campaign, now: int) -> str:
    deadline = iso_utc_minute(c.deadline)
    left = f"{(c.deadline - now) / 86_400:.1f} days left" if c.deadline > now else "deadline passed"
    return (f"campaign {c.id} (project {c.project_id}, owner {c.owner}): {c.state_name}, raised "
            f"{c.raised_clp:,} of {c.goal_clp:,} CLP, min contribution {c.min_contribution_clp:,}, "
            f"deadline {deadline} ({left})")


def campaign_by_id(crowdfunding: Any, campaign_id: int) -> Campaign:
    count = int(crowdfunding.campaignCount())
    if not 1 <= campaign_id <= count:
        raise CrowdsaleError(f"no campaign {campaign_id}: there are {count} (ids 1..{count})")
    return _campaign_from_tuple(campaign_id, crowdfunding.campaign(campaign_id))


def ensure_balance(token: Any, account: Any, amount_clp: int, minter: Any) -> None:
    """Local chains: mint `account` what it lacks of `amount_clp` (``minter`` needs MINTER_ROLE)."""
    balance = int(token.balanceOf(account))
    if balance < amount_clp:
        token.mint(account, amount_clp - balance, {"from": minter}, silent=True)


def contribute_from(
    crowdfunding: Any,
    token: Any,
    campaign_id: int,
    contributions: Iterable[tuple[Any, int]],
    minter: Any | None = None,
    say: Callable[[str], None] = print,
) -> dict[str, int]:
    """Contribute ``amount_clp`` from each (account, amount_clp) to campaign `campaign_id`; the contract
    takes at most what is still missing. With a `minter`, short balances are minted first.

    Returns the CLP each account actually contributed in this call (from the Contributed events)."""
    campaign = campaign_by_id(crowdfunding, campaign_id)
    if campaign.state != CAMPAIGN_OPEN:
        raise CrowdsaleError(f"campaign {campaign_id} is {campaign.state_name}: it takes no contributions")
    accepted: dict[str, int] = {}
    for account, amount_clp in contributions:
        if amount_clp <= 0:
            raise CrowdsaleError(f"contribution of {account} must be a positive number of CLP, got {amount_clp}")
        if minter is not None:
            ensure_balance(token, account, amount_clp, minter)
        if int(token.balanceOf(account)) < amount_clp:
            raise CrowdsaleError(f"{account} holds {int(token.balanceOf(account))} CLP, less than {amount_clp}")
        token.approve(crowdfunding, amount_clp, {"from": account}, silent=True)
        tx = crowdfunding.contribute(campaign_id, amount_clp, {"from": account}, silent=True)
        event = tx.events["Contributed"]
        accepted[str(account)] = accepted.get(str(account), 0) + int(event["amountClp"])
        say(f"campaign {campaign_id}: {account} contributed {int(event['amountClp']):,} CLP, "
            f"raised {int(event['raisedClp']):,} of {campaign.goal_clp:,}")
    return accepted


def finalize_ready(crowdfunding: Any, sender: Any, say: Callable[[str], None] = print) -> list[int]:
    """Finalize every open campaign that raised its whole goal; returns their ids."""
    finalized = []
    for c in read_campaigns(crowdfunding):
        if c.state == CAMPAIGN_OPEN and c.raised_clp == c.goal_clp:
            crowdfunding.finalize(c.id, {"from": sender}, silent=True)
            finalized.append(c.id)
            say(f"campaign {c.id}: finalized, {c.goal_clp:,} CLP sent to project {c.project_id}'s escrow")
    if not finalized:
        say("no open campaign has met its goal")
    return finalized


def refund_failed(
    crowdfunding: Any, campaign_id: int, contributors: Iterable[Any], say: Callable[[str], None] = print
) -> dict[str, int]:
    """Refund each of `contributors` that contributed to failed or cancelled campaign `campaign_id`
    and has not been refunded yet (each refund is sent by the contributor itself).

    Returns the CLP each account got back."""
    campaign = campaign_by_id(crowdfunding, campaign_id)
    if campaign.state not in (CAMPAIGN_FAILED, CAMPAIGN_CANCELLED):
        raise CrowdsaleError(
            f"campaign {campaign_id} is {campaign.state_name}: refunds open once it fails (deadline "
            f"{campaign.deadline} passed without the goal) or its project is cancelled"
        )
    refunds: dict[str, int] = {}
    for account in contributors:
        if int(crowdfunding.contributionOf(campaign_id, account)) == 0 or crowdfunding.refunded(campaign_id, account):
            continue
        tx = crowdfunding.refund(campaign_id, {"from": account}, silent=True)
        refunds[str(account)] = int(tx.events["Refunded"]["amountClp"])
        say(f"campaign {campaign_id}: refunded {refunds[str(account)]:,} CLP to {account}")
    if not refunds:
        say(f"campaign {campaign_id}: none of the given accounts has a refund due")
    return refunds


def travel_to(timestamp: int) -> int:
    """Local chains only: move the chain's clock to at least `timestamp` (unix s) with chain.sleep
    and mine a block there. Returns the new latest block's timestamp.

    The distance is measured from the latest block, not from brownie's chain.time(), whose offset
    lives in one brownie process and is lost when a command ends."""
    from brownie import chain

    if not is_local_chain():
        raise CrowdsaleError("time travel works on local chains only")
    delta = timestamp - latest_block_timestamp()
    with warnings.catch_warnings():
        # brownie 1.22.2's chain.sleep/mine call its own deprecated rpc.sleep/mine and warn about it
        warnings.filterwarnings("ignore", message=r"rpc\.(sleep|mine) should not be called", category=FutureWarning)
        if delta > 0:
            chain.sleep(delta)
        chain.mine()
    return latest_block_timestamp()


def travel_past_deadline(crowdfunding: Any, campaign_id: int) -> int:
    """Local chains only: move the clock one second past campaign `campaign_id`'s deadline."""
    return travel_to(campaign_by_id(crowdfunding, campaign_id).deadline + 1)


DEADLINE_POLL_S = 2.0


def wait_past_deadline(crowdfunding: Any, campaign_id: int, say: Callable[[str], None] = print,
                       sleep: Callable[[float], None] = time.sleep) -> int:
    """Live networks: wait, in real time, until the chain's latest block is at or past campaign
    `campaign_id`'s deadline (from then on the contract treats an unfilled campaign as failed, and
    a transaction mined later sees it so). Says one line when there is something to wait for.
    Returns the latest block's timestamp. The node must produce blocks meanwhile (a public chain
    does; anvil does with ``--block-time``, not with automine alone); `sleep` waits between polls."""
    deadline = campaign_by_id(crowdfunding, campaign_id).deadline
    now = latest_block_timestamp()
    if now < deadline:
        say(f"   waiting {deadline - now} s for campaign deadlines (the last, campaign {campaign_id}'s, at "
            f"{iso_utc_minute(deadline)})")
    while now < deadline:
        sleep(DEADLINE_POLL_S)
        now = latest_block_timestamp()
    return now
