"""Crowdfunding campaigns from the command line: list, contribute, finalize, refund, time travel.

Usage (``<id>`` the network; accounts are brownie account indices on local chains)::

    brownie run scripts/crowdsale.py --network <id>                             # every campaign (main)
    brownie run scripts/crowdsale.py campaigns --network <id>                   # the same
    brownie run scripts/crowdsale.py contribute 3 250000 1 2 --network <id>     # campaign 3: 250,000 CLP
                                                                                #   from accounts[1] and [2]
    brownie run scripts/crowdsale.py finalize --network <id>                    # every campaign whose goal is met
    brownie run scripts/crowdsale.py travel 3 --network <id>                    # local chains: past campaign 3's deadline
    brownie run scripts/crowdsale.py refund 3 --network <id>                    # refund every local account that
                                                                                #   contributed to failed campaign 3
    brownie run scripts/crowdsale.py refund 3 1 2 --network <id>                # ... only accounts[1] and [2]

On local chains, ``contribute`` mints the payment token (PesoToken, accounts[0] is its minter) to a
contributor short of funds. The contracts come from the chain's deployment manifest. A local chain
started by brownie itself ends with the command: keep an anvil running on the network's port to
work on campaigns across commands.

From ``brownie console``::

    from scripts.crowdsale import read_campaigns, contribute_from, finalize_ready, refund_failed, travel_past_deadline

(``contribute``, ``finalize``, ``refund``, ``travel`` and ``campaigns`` are the CLI subcommands:
they take strings and read the manifest.)

Campaign states: 0 Open, 1 Finalized (goal met, funds in the project's escrow), 2 Failed (deadline
passed without the goal: each contributor may take a refund), 3 Cancelled (project cancelled:
contributors share its refund). Amounts are whole CLP; times unix seconds (UTC).
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from oracle.timeutil import iso_utc_minute
from scripts.market_codes import CAMPAIGN_CANCELLED as CANCELLED
from scripts.market_codes import CAMPAIGN_FAILED as FAILED
from scripts.market_codes import CAMPAIGN_OPEN as OPEN
from scripts.market_codes import CAMPAIGN_STATE_NAMES as STATE_NAMES
from scripts.match import CallCounter, latest_block_timestamp, read_paged

DEFAULT_PAGE_SIZE = 200


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
        return STATE_NAMES.get(self.state, f"unknown ({self.state})")

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
    if campaign.state != OPEN:
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
        if c.state == OPEN and c.raised_clp == c.goal_clp:
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
    if campaign.state not in (FAILED, CANCELLED):
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

    from scripts.deployment import is_local_chain

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


# --- brownie entry points -----------------------------------------------------------------------


def _contracts() -> dict[str, Any]:
    from scripts.deploy import deployed_contracts
    from scripts.deployment import DeploymentError

    try:
        return deployed_contracts(["Crowdfunding"])
    except DeploymentError as exc:
        raise CrowdsaleError(str(exc)) from None


def _int(value: str, what: str) -> int:
    try:
        return int(value.replace(",", "").replace("_", ""))
    except ValueError:
        raise CrowdsaleError(f"{what} must be a whole number, got {value!r}") from None


def _local_accounts(indices: Sequence[str]) -> list[Any]:
    from brownie import accounts

    from scripts.deployment import is_local_chain

    if not is_local_chain():
        raise CrowdsaleError("accounts by index work on local chains only; use brownie console with your keystore account")
    chosen = []
    for raw in indices:
        n = _int(raw, "account index")
        if not 0 <= n < len(accounts):
            raise CrowdsaleError(f"account index {n} out of range: there are {len(accounts)} accounts (0..{len(accounts) - 1})")
        chosen.append(accounts[n])
    return chosen


def _run(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except CrowdsaleError as exc:
        raise SystemExit(f"crowdsale: {exc}") from None


def campaigns(*_: str) -> None:
    """``campaigns``: print every campaign."""

    def action() -> None:
        found = read_campaigns(_contracts()["Crowdfunding"])
        for c in found:
            print(describe_campaign(c, latest_block_timestamp()))
        print(f"{len(found)} campaign(s), {sum(c.state == OPEN for c in found)} open")

    _run(action)


def contribute(campaign_id: str, amount_clp: str, *account_indices: str) -> None:
    """``contribute <campaignId> <amountClp> <accountIndex>...``."""
    from brownie import accounts

    def action() -> None:
        if not account_indices:
            raise CrowdsaleError("name at least one account index to contribute from")
        contracts = _contracts()
        amount = _int(amount_clp, "amount")
        contribute_from(contracts["Crowdfunding"], contracts["PaymentToken"], _int(campaign_id, "campaign id"),
                   [(a, amount) for a in _local_accounts(account_indices)], minter=accounts[0])

    _run(action)


def finalize(*_: str) -> None:
    """``finalize``: finalize every campaign whose goal is met (sent by accounts[0] on local chains,
    elsewhere by $CROWDSALE_KEYSTORE_ID or $CROWDSALE_PRIVATE_KEY)."""
    from scripts.deployment import DeploymentError, account_from_env

    def action() -> None:
        try:
            sender = account_from_env("CROWDSALE")
        except DeploymentError as exc:
            raise CrowdsaleError(str(exc)) from None
        finalize_ready(_contracts()["Crowdfunding"], sender)

    _run(action)


def travel(campaign_id: str) -> None:
    """``travel <campaignId>``: local chains, move past the campaign's deadline."""
    _run(lambda: print(f"chain time now {travel_past_deadline(_contracts()['Crowdfunding'], _int(campaign_id, 'campaign id'))}"))


def refund(campaign_id: str, *account_indices: str) -> None:
    """``refund <campaignId> [accountIndex...]``: default every local account brownie knows."""
    from brownie import accounts

    def action() -> None:
        chosen = _local_accounts(account_indices) if account_indices else _local_accounts([str(n) for n in range(len(accounts))])
        refund_failed(_contracts()["Crowdfunding"], _int(campaign_id, "campaign id"), chosen)

    _run(action)


def main(command: str = "campaigns", *args: str) -> None:
    """``brownie run scripts/crowdsale.py main <command> [args]``, same as ``... <command> [args]``."""
    commands: dict[str, Callable[..., None]] = {
        "campaigns": campaigns, "contribute": contribute, "finalize": finalize, "travel": travel, "refund": refund,
    }
    if command not in commands:
        raise SystemExit(f"crowdsale: unknown command {command!r}; one of {sorted(commands)}")
    try:
        inspect.signature(commands[command]).bind(*args)
    except TypeError as exc:  # only the arguments are checked here: a TypeError inside a command is a bug, shown as one
        raise SystemExit(f"crowdsale: wrong arguments for {command}: {exc}; see the module docstring") from None
    commands[command](*args)
