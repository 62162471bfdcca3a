"""Resumable runs on live networks: a journal of every transaction a script sends, so that a run
that was interrupted (Ctrl-C, a dropped connection, a crash) picks up where it stopped when started
again, without sending anything twice.

How it works. On a live network the script's accounts are :class:`JournaledAccount` objects
(brownie LocalAccounts from keys in the environment). Every transaction they send, in order, gets
the next index in a :class:`TxJournal` (a JSON file, no secrets in it). Before a transaction is
broadcast, it is signed and recorded (sender, target, selector, nonce, hash and the signed bytes);
after it is mined, its block is recorded. Run again, the script goes through the same steps:

- a transaction the journal has as mined is not sent again; its receipt is read back from the chain;
- one it has as signed but not known to be mined is broadcast again, byte for byte (same nonce,
  same hash: the node either mines it once or already has it), then awaited;
- past the journal's end, transactions are sent as usual.

While the journal is replayed, every contract read (``eth_call``, balances) is pinned to the block
just before the next recorded transaction (``web3.eth.default_block``), so the script sees the state
it saw the first time and takes the same branches. If it asks for a different transaction than the
journal recorded at that index (another sender, target or function), the run stops with a
:class:`JournalMismatch` that says so, rather than guess. Pinned reads need the node to serve past
state (anvil does; a non-archive testnet node serves about the last 128 blocks): if it cannot, the
error says so. ``fresh`` starts a new journal.

``DEMO_STOP_AT`` (for tests, like the oracle's ORACLE_CRASH_AT) stops the run on purpose:
``signed:N`` after the N-th transaction (1-based) is recorded and before it is broadcast,
``sent:N`` after it is broadcast and before it is known to be mined, ``mined:N`` after it is mined.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from collections.abc import Iterator
from typing import Any

from brownie.network.account import LocalAccount
from brownie.network.transaction import TransactionReceipt
from brownie.network.web3 import web3

STOP_AT_ENV = "DEMO_STOP_AT"
CONFIRMATIONS_ENV = "DEMO_CONFIRMATIONS"
RECEIPT_TIMEOUT_S = 600


class JournalError(RuntimeError):
    """The journal cannot be used as it is; the message says why and what to do."""


class JournalMismatch(JournalError):
    """The script asked for another transaction than the one the journal recorded at that index."""


class DemoStopped(RuntimeError):
    """Raised on purpose by DEMO_STOP_AT."""


@dataclass
class JournalEntry:
    """One transaction: who sent what to where; its nonce, hash and signed bytes once signed; its
    block once mined."""

    index: int
    sender: str
    to: str | None
    selector: str
    nonce: int | None = None
    tx_hash: str | None = None
    raw: str | None = None
    block: int | None = None

    def same_call(self, other: "JournalEntry") -> bool:
        return (self.sender, self.to, self.selector) == (other.sender, other.to, other.selector)

    def describe(self) -> str:
        return f"{self.selector} from {self.sender[:10]}... to {(self.to or 'a new contract')[:10]}..."


def _selector(to: str | None, data: Any) -> str:
    text = data.hex() if isinstance(data, (bytes, bytearray)) else str(data or "")
    text = text if text.startswith("0x") else "0x" + text
    return "create" if to is None else (text[:10] if len(text) >= 10 else "transfer")


def stop_point() -> tuple[str, int] | None:
    """(stage, n) from DEMO_STOP_AT ("signed:3"), or None."""
    value = os.environ.get(STOP_AT_ENV, "").strip()
    if not value:
        return None
    stage, _, number = value.partition(":")
    if stage not in ("signed", "sent", "mined") or not number.isdigit():
        raise JournalError(f"{STOP_AT_ENV}={value!r}: expected signed:N, sent:N or mined:N")
    return stage, int(number)


def confirmations() -> int:
    """Blocks to wait for after a transaction is mined: $DEMO_CONFIRMATIONS, default 1."""
    value = os.environ.get(CONFIRMATIONS_ENV, "1").strip()
    if not value.isdigit() or int(value) < 1:
        raise JournalError(f"{CONFIRMATIONS_ENV}={value!r}: expected a whole number of blocks, at least 1")
    return int(value)


class TxJournal:
    """The transactions of one run on one chain, in the order they were sent (see the module docstring)."""

    def __init__(self, path: Path, chain_id: int, fresh: bool = False) -> None:
        self.path = path
        self.chain_id = chain_id
        self.entries: list[JournalEntry] = []
        self.started_s = int(time.time())
        self.cursor = 0
        if path.exists() and not fresh:
            self._load()
        self.replayed = 0
        self._pin()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text())
            if data["chainId"] != self.chain_id:
                raise JournalError(f"{self.path} is a journal of chain {data['chainId']}, not {self.chain_id}")
            self.entries = [JournalEntry(**entry) for entry in data["transactions"]]
            self.started_s = int(data["startedAt"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise JournalError(f"{self.path} cannot be read ({error}); move it away or start with 'fresh'") from None

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"chainId": self.chain_id, "startedAt": self.started_s,
                                         "transactions": [asdict(e) for e in self.entries]}, indent=1) + "\n")
        os.replace(temporary, self.path)

    @property
    def replaying(self) -> bool:
        return self.cursor < len(self.entries)

    def _pin(self) -> None:
        """Pin reads to the state just before the next recorded transaction, or unpin past the end."""
        if not self.replaying:
            web3.eth.default_block = "latest"
            return
        entry = self.entries[self.cursor]
        if entry.block is None and entry.tx_hash:
            entry.block = self._mined_block(entry.tx_hash)
        web3.eth.default_block = entry.block - 1 if entry.block is not None else "latest"

    @staticmethod
    def _mined_block(tx_hash: str) -> int | None:
        try:
            receipt = web3.eth.get_transaction_receipt(tx_hash)
        except Exception:  # noqa: BLE001 - web3 raises TransactionNotFound or a provider error
            return None
        return None if receipt is None else int(receipt["blockNumber"])

    def next_call(self, sender: str, to: str | None, data: Any) -> JournalEntry:
        """The entry for the transaction the script asks for now: the recorded one when replaying
        (checked against the request), else a new one."""
        request = JournalEntry(self.cursor, sender, to, _selector(to, data))
        if not self.replaying:
            self.entries.append(request)
            return request
        recorded = self.entries[self.cursor]
        if not recorded.same_call(request):
            raise JournalMismatch(
                f"transaction {self.cursor + 1} of this run is {request.describe()}, but {self.path} recorded "
                f"{recorded.describe()}: the script changed since the run stopped. Start again with 'fresh' "
                "(on a new deployment) or run the version that started it.")
        return recorded

    def advance(self) -> None:
        self.cursor += 1
        self._pin()

    @staticmethod
    def stop_if(stage: str, index: int) -> None:
        point = stop_point()
        if point == (stage, index + 1):
            raise DemoStopped(f"stopped on purpose ({STOP_AT_ENV}={stage}:{index + 1})")


def _receipt(tx_hash: str) -> dict:
    try:
        return web3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT_S)
    except Exception as error:  # noqa: BLE001 - a timeout or a provider error
        raise JournalError(f"transaction {tx_hash} was not mined within {RECEIPT_TIMEOUT_S} s ({error}); run again "
                           "to keep waiting for it") from None


def _wait_for_confirmations(block: int) -> None:
    needed = confirmations()
    while web3.eth.block_number < block + needed - 1:
        time.sleep(1)


class JournaledAccount(LocalAccount):
    """A brownie LocalAccount whose every transaction (contract calls, transfers, deployments) goes
    through a TxJournal."""

    journal: TxJournal
    _last_receipt: TransactionReceipt | None = None

    @classmethod
    def from_key(cls, private_key: str, journal: TxJournal) -> "JournaledAccount":
        w3account = web3.eth.account.from_key(private_key)
        account = cls(w3account.address, w3account, w3account.key)
        account.journal = journal
        return account

    def _make_transaction(self, to: Any, amount: int, gas_limit: Any, gas_buffer: Any, gas_price: Any, max_fee: Any,
                          priority_fee: Any, data: str, nonce: Any, fn_name: str, required_confs: int,
                          allow_revert: Any, silent: Any) -> tuple[TransactionReceipt, Exception | None]:
        target = str(to) if to else None
        entry = self.journal.next_call(self.address, target, data)
        if entry.tx_hash is not None:
            return self._replay(entry, fn_name), None
        try:
            receipt, error = super()._make_transaction(to, amount, gas_limit, gas_buffer, gas_price, max_fee,
                                                       priority_fee, data, nonce, fn_name,
                                                       max(required_confs, confirmations()), allow_revert, silent)
        except Exception:
            if entry.tx_hash is None:  # refused before it was signed (a revert in gas estimation): nothing to resume
                self.journal.entries.pop()
            raise
        entry.block = receipt.block_number
        self.journal.save()
        self._last_receipt = receipt
        self.journal.stop_if("mined", entry.index)
        self.journal.advance()
        return receipt, error

    def deploy(self, contract: Any, *args: Any, **kwargs: Any) -> Any:
        """brownie's deploy; a replayed deployment's contract gets its receipt too (brownie builds
        the returned object without it), so the manifest records its deploy transaction and block."""
        self._last_receipt = None
        deployed = super().deploy(contract, *args, **kwargs)
        if getattr(deployed, "tx", None) is None and self._last_receipt is not None:
            deployed.tx = self._last_receipt
        return deployed

    def _transact(self, tx: dict, allow_revert: bool) -> Any:
        """Sign, record, then broadcast (brownie calls this once per new transaction)."""
        if allow_revert is None:
            allow_revert = False
        if not allow_revert:
            self._check_for_revert(tx)
        tx["chainId"] = web3.chain_id
        signed = self._acct.sign_transaction(tx)
        entry = self.journal.entries[self.journal.cursor]
        entry.nonce, entry.tx_hash, entry.raw = int(tx["nonce"]), "0x" + signed.hash.hex().removeprefix("0x"), \
            "0x" + signed.raw_transaction.hex().removeprefix("0x")
        self.journal.save()
        self.journal.stop_if("signed", entry.index)
        sent = web3.eth.send_raw_transaction(signed.raw_transaction)
        self.journal.stop_if("sent", entry.index)
        return sent

    def _replay(self, entry: JournalEntry, fn_name: str) -> TransactionReceipt:
        """A recorded transaction: broadcast it again if it may not have reached the chain, wait for
        it, and return its receipt."""
        if self.journal._mined_block(entry.tx_hash) is None:
            try:
                web3.eth.send_raw_transaction(entry.raw)
            except Exception:  # noqa: BLE001 - "already known" / "nonce too low": the node has it
                pass
        mined = _receipt(entry.tx_hash)
        if int(mined["status"]) != 1:
            raise JournalError(f"transaction {entry.index + 1} ({entry.tx_hash}) reverted on chain; start again with 'fresh'")
        entry.block = int(mined["blockNumber"])
        _wait_for_confirmations(entry.block)
        self.journal.save()
        self.journal.replayed += 1
        self.journal.advance()
        self._last_receipt = TransactionReceipt(entry.tx_hash, self, silent=True, required_confs=1, is_blocking=True,
                                                name=fn_name)
        return self._last_receipt


def derived_key(deployer_key: str, label: str) -> str:
    """A key for the demo's actor `label` on a live network, derived from the deployer's key (so a
    resumed run has the same actors, and nothing else needs to be kept secret)."""
    from eth_utils import keccak

    return "0x" + keccak(b"pv-ledger demo actor\x00" + bytes.fromhex(deployer_key.removeprefix("0x")) + label.encode()).hex()


class LiveActors:
    """The demo's accounts on a live network, indexed like brownie's ``accounts``: 0 is the deployer
    (its key from the environment), n > 0 a key derived from it. All of them journal what they send."""

    def __init__(self, deployer_key: str, journal: TxJournal) -> None:
        self._deployer_key = deployer_key
        self._journal = journal
        self._accounts: dict[int, JournaledAccount] = {}
        self._added: list[JournaledAccount] = []

    def __getitem__(self, number: int) -> JournaledAccount:
        if number < 0:
            raise IndexError("live actors are numbered from 0")
        if number not in self._accounts:
            key = self._deployer_key if number == 0 else self.key_for(f"actor {number}")
            self._accounts[number] = self.add(key)
        return self._accounts[number]

    def key_for(self, label: str) -> str:
        """The key of the actor named `label` (e.g. "oracle signer"): the same on every run."""
        return derived_key(self._deployer_key, label)

    def add(self, private_key: str) -> JournaledAccount:
        """A journaled account for `private_key` (brownie's ``accounts.add`` for this set)."""
        account = JournaledAccount.from_key(private_key, self._journal)
        self._added = [a for a in self._added if a.address != account.address] + [account]
        return account

    def __iter__(self) -> Iterator[JournaledAccount]:
        return iter(self._added)

    def fund(self, count: int, minimum_wei: int) -> int:
        """Top up actors 1..count-1 to `minimum_wei` from the deployer; returns how many were topped up."""
        return sum(self._top_up(self[number], minimum_wei) for number in range(1, count))

    def funded(self, label: str, minimum_wei: int) -> JournaledAccount:
        """The actor named `label` (its key from :meth:`key_for`), topped up to `minimum_wei` from the
        deployer (e.g. the simulation's users)."""
        account = self.add(self.key_for(label))
        self._top_up(account, minimum_wei)
        return account

    def _top_up(self, account: JournaledAccount, minimum_wei: int) -> bool:
        """Send `account` what it lacks of `minimum_wei` from the deployer; True if it lacked any.
        The balance is read at the journal's pinned block, so a resumed run decides the same way."""
        shortfall = minimum_wei - account.balance()
        if shortfall > 0:
            self[0].transfer(account, shortfall, silent=True)
        return shortfall > 0
