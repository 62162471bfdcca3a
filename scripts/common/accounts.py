"""Which account sends: brownie's unlocked accounts on local chains, a keystore or a key elsewhere."""

from __future__ import annotations

import os
from typing import Any

LOCAL_CHAIN_IDS = (31337, 1337)  # anvil, ganache


class AccountError(Exception):
    """No usable sending account; the message says which variables to set (never a key)."""


def is_local_chain() -> bool:
    """True on a chain brownie starts itself (a network with a ``cmd``: anvil, ganache, forks) or
    on one with a development chain id (anvil 31337, ganache 1337): unlocked accounts, time travel."""
    from brownie import chain, network
    from brownie._config import CONFIG

    settings = CONFIG.networks.get(network.show_active(), {})
    return "cmd" in settings or chain.id in LOCAL_CHAIN_IDS


def account_from_env(prefix: str, role: str = "a sender") -> Any:
    """accounts[0] on local chains; elsewhere the brownie keystore account named by
    ``$<prefix>_KEYSTORE_ID`` or the key in ``$<prefix>_PRIVATE_KEY`` (environment or .env).
    The key is never printed; a missing one is an AccountError naming both variables."""
    from brownie import accounts, network

    if is_local_chain():
        return accounts[0]
    keystore_id = os.environ.get(f"{prefix}_KEYSTORE_ID", "").strip()
    if keystore_id:
        try:
            return accounts.load(keystore_id)  # asks for the keystore password on the terminal
        except FileNotFoundError:
            raise AccountError(f"{prefix}_KEYSTORE_ID: no brownie keystore account {keystore_id!r}") from None
    key = os.environ.get(f"{prefix}_PRIVATE_KEY", "").strip()
    if key:
        try:
            return accounts.add(key)
        except Exception:  # the message could quote the key: replaced, never shown
            raise AccountError(f"{prefix}_PRIVATE_KEY is not a valid private key (value not shown)") from None
    raise AccountError(
        f"network {network.show_active()} needs {role}: set {prefix}_KEYSTORE_ID (a brownie keystore "
        f"account) or {prefix}_PRIVATE_KEY in the environment or .env"
    )
