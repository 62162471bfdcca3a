"""Work-arounds for two brownie 1.22.2 problems.

1. A race with anvil: brownie may call a mined transaction "dropped".

brownie's confirmation thread reads the sender's nonce, then the receipt. anvil can report the
advanced nonce a moment before the receipt is readable; brownie then marks the transaction dropped
(status -2) and raises ``TransactionError: Tx dropped without known replacement`` although the
node mined it (seen about once in 600 transactions of `make test`). :func:`install` wraps the one
place that raises it: before giving up, the receipt is read again for a few seconds, and a mined
transaction is confirmed normally. A transaction that really was dropped still raises.

2. brownie keeps its own record of live-network deployments, twice, and both get in the way:
its compiled ``state._add_deployment`` (a sqlite store) is typed for a dict of sources and gets a
``Sources`` object, so every deployment prints a traceback from a thread (``TypeError: dict object
expected; got brownie.project.sources.Sources``); and ``ProjectContract._save_deployment`` writes
build/deployments/<chain id>/, which brownie loads on its next connection to that chain id, failing
(``ContractNotFound``) when it is another chain with the same id (a restarted test node). PV Ledger
records its deployments in its own manifest (deployments/<chain id>.json, scripts/deploy.py), so
:func:`install` turns both of brownie's records off.
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


def _skip_brownie_deployment_file(contract: Any) -> None:
    """Stands in for brownie's build/deployments/ files (see the module docstring, 2)."""


def install() -> None:
    """Wrap brownie's account-side confirmation and turn off its live-deployment store, once
    (idempotent)."""
    import brownie.network.contract as brownie_contract
    from brownie.exceptions import TransactionError
    from brownie.network.account import _PrivateKeyAccount

    brownie_contract._add_deployment = _skip_brownie_deployment_store  # type: ignore[assignment]
    brownie_contract.ProjectContract._save_deployment = _skip_brownie_deployment_file  # type: ignore[method-assign]

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
