"""Fixtures for oracle/chain on the deployed suite: the oracle's own web3 Chain (from the manifest
file and the RPC URL, as the cron job connects), a Sender with an in-memory journal, two registered
installations with the 2026 emission factor, and rounds signed by the two oracle keys.

Setup that is not the oracle's job (registering installations, setting factors, revoking) goes
through brownie as the operator; everything under test goes through oracle/chain on web3.
"""

from __future__ import annotations

import pytest
from eth_account import Account

from generation_helpers import installation_params
from oracle.chain.manifest import connect, load_manifest
from oracle.chain.transactions import MemoryJournal, Sender
from oracle.signing import Round, sign_round

FACTOR_2026_G_PER_KWH = 350


class RecordingSleep:
    """A `sleep` for the Sender that waits for nothing and remembers each wait (s)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture(scope="module")
def contracts(deployment):
    from scripts.deployment.manifest import contracts_from_manifest

    return contracts_from_manifest(deployment)


@pytest.fixture(scope="module")
def chain_(manifest_file, rpc_url, oracle_keys):
    """The oracle's connection to the suite (oracle_keys: the two signers and the funded sender)."""
    return connect(rpc_url, load_manifest(manifest_file))


@pytest.fixture
def sender_account(oracle_keys):
    return Account.from_key(oracle_keys.sender)


@pytest.fixture
def journal():
    return MemoryJournal()


@pytest.fixture
def sleep():
    return RecordingSleep()


@pytest.fixture
def sender(chain_, sender_account, journal, sleep):
    return Sender(chain_, sender_account, journal, sleep=sleep, receipt_timeout_s=30)


@pytest.fixture(scope="module")
def installation_ids(contracts, operator, alice, bob):
    """Installations 1 (alice) and 2 (bob), commissioned at day 10 of 2026; factor 2026 set."""
    registry = contracts["InstallationRegistry"]
    tx = {"from": operator}
    registry.setEmissionFactor(2026, FACTOR_2026_G_PER_KWH, "test factor 2026", tx)
    ids = [registry.registerInstallation(installation_params(owner, 0, f"BL-000{n}"), tx).return_value
           for n, owner in ((1, alice), (2, bob))]
    assert ids == [1, 2]
    return ids


@pytest.fixture(scope="module")
def sign(chain_, oracle_keys):
    """sign(round_, *keys) -> 0x signatures (both oracle signers by default)."""
    address = chain_.manifest.entry("GenerationOracle").address

    def signatures(round_: Round, *keys: str) -> list[str]:
        chosen = keys or (oracle_keys.operator_signer, oracle_keys.verifier_signer)
        return ["0x" + sign_round(round_, chain_.chain_id, address, key).hex() for key in chosen]

    return signatures
