"""Work-arounds for two brownie 1.22.2 problems.

1. A race with anvil: brownie may call a mined transaction "dropped".

brownie's confirmation thread reads the sender's nonce, then the receipt. anvil can report the
advanced nonce a moment before the receipt is readable; brownie then marks the transaction dropped
(status -2) and raises ``TransactionError: Tx dropped without known replacement`` although the
node mined it (seen about once in 600 transactions of `make test`). :func:`install` wraps the one
place that raises it: before giving up, the receipt is read again for a few seconds, and a mined
transaction is confirmed normally. A transaction that really was dropped still raises.

2. On a live network, every deployment prints a traceback from a thread: brownie's compiled
``state._add_deployment`` (its own store of live deployments, build/deployments) is typed for a
dict of sources and gets a ``Sources`` object (``TypeError: dict object expected; got
brownie.project.sources.Sources``). The deployment itself is fine. PV Ledger records its
deployments in its own manifest (deployments/<chain id>.json, scripts/deploy.py), so
:func:`install` turns brownie's copy off.
"""

from __future__ import annotations

import time
from typing import Any

RECHECK_S = 5.0
_DROPPED = "dropped without known replacement"


def confirm_if_mined(receipt: Any, required_confs: int, recheck_s: float = RECHECK_S) -> bool:
    """True (and `receipt` confirmed by brownie's own code) if the node has a receipt for it within
    `recheck_s` seconds; False if it has none."""
    from brownie import web3
    from brownie.network.transaction import Status
    from web3.exceptions import TransactionNotFound

    deadline = time.monotonic() + recheck_s
    while True:
        try:
            mined = web3.eth.get_transaction_receipt(receipt.txid)
        except TransactionNotFound:
            mined = None
        if mined is not None and mined["blockHash"] is not None:
            receipt.status = Status(-1)
            receipt._confirmed.clear()
            receipt._await_confirmation(mined["blockNumber"], max(required_confs, 1))
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def _skip_brownie_deployment_store(contract: Any, alias: Any = None) -> None:
    """Stands in for brownie's live-deployment store (see the module docstring, 2)."""


def install() -> None:
    """Wrap brownie's account-side confirmation and turn off its live-deployment store, once
    (idempotent)."""
    import brownie.network.contract as brownie_contract
    from brownie.exceptions import TransactionError
    from brownie.network.account import _PrivateKeyAccount

    brownie_contract._add_deployment = _skip_brownie_deployment_store  # type: ignore[assignment]

    original = _PrivateKeyAccount._await_confirmation
    if getattr(original, "_pvledger_fixed", False):
        return

    def _await_confirmation(self: Any, receipt: Any, required_confs: int, *args: Any) -> Any:
        try:
            return original(self, receipt, required_confs, *args)
        except TransactionError as exc:
            if _DROPPED in str(exc) and confirm_if_mined(receipt, required_confs):
                return receipt
            raise

    _await_confirmation._pvledger_fixed = True  # type: ignore[attr-defined]
    _PrivateKeyAccount._await_confirmation = _await_confirmation  # type: ignore[method-assign]
