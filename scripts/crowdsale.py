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

    from scripts.market.crowdsale import read_campaigns, contribute_from, finalize_ready, refund_failed, travel_past_deadline

(``contribute``, ``finalize``, ``refund``, ``travel`` and ``campaigns`` are the CLI subcommands:
they take strings and read the manifest.)

Campaign states: 0 Open, 1 Finalized (goal met, funds in the project's escrow), 2 Failed (deadline
passed without the goal: each contributor may take a refund), 3 Cancelled (project cancelled:
contributors share its refund). Amounts are whole CLP; times unix seconds (UTC).
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Sequence

from brownie import accounts

from oracle.market_codes import CAMPAIGN_OPEN
from scripts.common.accounts import AccountError, account_from_env, is_local_chain
from scripts.common.paging import latest_block_timestamp
from scripts.deployment import DeploymentError
from scripts.deployment.manifest import deployed_contracts
from scripts.market.crowdsale import (
    CrowdsaleError,
    contribute_from,
    describe_campaign,
    finalize_ready,
    read_campaigns,
    refund_failed,
    travel_past_deadline,
)


def _contracts() -> dict[str, Any]:
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
        print(f"{len(found)} campaign(s), {sum(c.state == CAMPAIGN_OPEN for c in found)} open")

    _run(action)


def contribute(campaign_id: str, amount_clp: str, *account_indices: str) -> None:
    """``contribute <campaignId> <amountClp> <accountIndex>...``."""

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

    def action() -> None:
        try:
            sender = account_from_env("CROWDSALE")
        except AccountError as exc:
            raise CrowdsaleError(str(exc)) from None
        finalize_ready(_contracts()["Crowdfunding"], sender)

    _run(action)


def travel(campaign_id: str) -> None:
    """``travel <campaignId>``: local chains, move past the campaign's deadline."""
    _run(lambda: print(f"chain time now {travel_past_deadline(_contracts()['Crowdfunding'], _int(campaign_id, 'campaign id'))}"))


def refund(campaign_id: str, *account_indices: str) -> None:
    """``refund <campaignId> [accountIndex...]``: default every local account brownie knows."""

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
