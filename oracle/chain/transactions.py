"""Sending transactions that are never sent twice: a journal of what was signed, and a Sender.

Each transaction has an idempotency key ("submit:round:5", "claim:round:5:batch:3-1767830400").
:class:`Sender` signs locally, RECORDS the signed transaction (hash, nonce, raw bytes) in the
journal BEFORE broadcasting it, then waits for its receipt and records that (block, status, gas).
Asked again for a key the journal knows, it looks the transaction up first: mined -> its receipt;
pending -> wait for it; unknown to the node (dropped) -> broadcast the same signed transaction again
while its nonce is still free, else sign anew. So a process killed at any point and run again sends
each transaction at most once.

Fees are EIP-1559 (maxPriorityFeePerGas from the node, or DEFAULT_TIP_WEI; maxFeePerGas = 2 x base
fee + tip), or a legacy gasPrice when the node's blocks have no base fee. Connection errors are
retried with exponential backoff (through the injected ``sleep``), then a ChainError (exit code 3).
A revert at gas estimation or in a mined receipt is a ChainError naming the contract's custom
error when its selector is in the ABI.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Protocol, TypeVar

import requests
from eth_abi import decode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, TransactionNotFound, Web3RPCError
from web3.types import TxReceipt

from oracle.chain.manifest import Chain
from oracle.errors import ChainError
from oracle.faults import crash_point

DEFAULT_TIP_WEI = 1_000_000_000  # 1 gwei when the node does not suggest a priority fee
GAS_MARGIN = 1.2  # gas limit = estimate x margin: state may move between estimation and mining
FIRST_RETRY_S = 1.0
FIRST_POLL_S = 0.1
MAX_POLL_S = 2.0
CONNECTION_ERRORS = (requests.ConnectionError, requests.Timeout, ConnectionError, TimeoutError)

T = TypeVar("T")


@dataclass(frozen=True)
class TxRecord:
    """One journaled transaction: sent (hash, nonce, raw signed bytes as 0x hex) and, once mined,
    its receipt's block number, status (1 ok, 0 reverted) and gas used."""

    key: str
    tx_hash: str
    nonce: int
    raw_tx: str
    block: int | None = None
    status: int | None = None
    gas_used: int | None = None


class TxJournal(Protocol):
    """Where the Sender records its transactions (oracle/store.py keeps them in SQLite)."""

    def lookup(self, key: str) -> TxRecord | None:
        """The latest transaction recorded for `key`, or None."""

    def record_sent(self, key: str, tx_hash: str, nonce: int, raw_tx: str) -> None:
        """Record a signed transaction for `key` (called BEFORE broadcasting; replaces an earlier
        one for the key, whose receipt is then forgotten)."""

    def record_receipt(self, key: str, block: int, status: int, gas_used: int) -> None:
        """Record the receipt of the transaction last recorded for `key`."""


class MemoryJournal:
    """A TxJournal in memory, for tests and one-shot runs (the demo)."""

    def __init__(self) -> None:
        self.records: dict[str, TxRecord] = {}

    def lookup(self, key: str) -> TxRecord | None:
        return self.records.get(key)

    def record_sent(self, key: str, tx_hash: str, nonce: int, raw_tx: str) -> None:
        self.records[key] = TxRecord(key, tx_hash, nonce, raw_tx)

    def record_receipt(self, key: str, block: int, status: int, gas_used: int) -> None:
        sent = self.records[key]
        self.records[key] = TxRecord(key, sent.tx_hash, sent.nonce, sent.raw_tx, block, status, gas_used)


def custom_error_name(data: Any, abi: Any) -> str | None:
    """``Name(arg, ...)`` of the custom error whose 4-byte selector starts the revert `data`
    (0x hex or bytes), looked up in `abi`; None when it is not one of the ABI's errors."""
    raw = bytes(HexBytes(data)) if data else b""
    if len(raw) < 4:
        return None
    for item in abi or ():
        if item.get("type") != "error":
            continue
        types = [_abi_type(arg) for arg in item.get("inputs", [])]
        if keccak(text=f"{item['name']}({','.join(types)})")[:4] != raw[:4]:
            continue
        try:
            values = decode(types, raw[4:])
        except Exception:
            return str(item["name"])
        return f"{item['name']}({', '.join(_shown(type_, v) for type_, v in zip(types, values))})"
    return None


def _shown(type_: str, value: Any) -> str:
    if type_ == "address":
        return to_checksum_address(value)
    return "0x" + value.hex() if isinstance(value, bytes) else str(value)


def _abi_type(arg: dict[str, Any]) -> str:
    type_ = str(arg["type"])
    if type_.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in arg["components"]) + ")" + type_[len("tuple"):]
    return type_


def revert_reason(exc: Exception, abi: Any) -> str:
    """What a revert says: the custom error by name, a require string, or the node's message."""
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        name = custom_error_name(data, abi)
        if name:
            return name
    message = getattr(exc, "message", None) or str(exc)
    return message.splitlines()[0][:300] if message else type(exc).__name__


class Sender:
    """Signs with `account` and sends through `chain`, journaling in `journal` (see the module).

    sleep: the wait function (tests pass one that records); max_retries: connection retries per RPC
    call, waiting FIRST_RETRY_S, 2x, 4x, ... between them; receipt_timeout_s: how long (s, summed
    polling waits) to wait for a receipt before giving up with a ChainError (a rerun waits again)."""

    def __init__(
        self,
        chain: Chain,
        account: LocalAccount,
        journal: TxJournal,
        sleep: Callable[[float], None] = time.sleep,
        max_retries: int = 5,
        receipt_timeout_s: float = 120,
    ) -> None:
        self.chain = chain
        self.account = account
        self.journal = journal
        self.sleep = sleep
        self.max_retries = max_retries
        self.receipt_timeout_s = receipt_timeout_s

    def __repr__(self) -> str:
        return f"Sender({self.account.address})"

    @property
    def web3(self) -> Any:
        return self.chain.web3

    # --- the one entry point ---------------------------------------------------------------------

    def send(
        self,
        key: str,
        call: ContractFunction,
        crash_after_send: str | None = None,
        crash_after_receipt: str | None = None,
    ) -> TxReceipt:
        """Send `call` once for `key` and return its (successful) receipt; ChainError otherwise.

        crash_after_send / crash_after_receipt: oracle.faults crash points hit right after the
        broadcast and right after the receipt arrives (before the journal records it)."""
        record = self.journal.lookup(key)
        if record is not None:
            receipt = self._resume(key, record, call, crash_after_send, crash_after_receipt)
            if receipt is not None:
                return receipt
        tx = self._build(key, call, self._rpc("the next nonce", lambda: self.web3.eth.get_transaction_count(self.account.address, "pending")))
        return self._sign_and_send(key, call, tx, crash_after_send, crash_after_receipt)

    def known_receipt(self, key: str) -> TxReceipt | None:
        """The receipt of the transaction journaled for `key` if the node has it (recording it in the
        journal when it was not yet); None when nothing was journaled or it is not mined."""
        record = self.journal.lookup(key)
        if record is None:
            return None
        receipt = self._receipt(record.tx_hash)
        if receipt is not None and record.status is None:
            self.journal.record_receipt(key, int(receipt["blockNumber"]), int(receipt["status"]), int(receipt["gasUsed"]))
        return receipt

    # --- steps -------------------------------------------------------------------------------------

    def _resume(
        self, key: str, record: TxRecord, call: ContractFunction, crash_after_send: str | None, crash_after_receipt: str | None
    ) -> TxReceipt | None:
        """The receipt of a journaled transaction (waiting if pending, re-sending if dropped), or
        None when it reverted and a new transaction must be built."""
        receipt = self._receipt(record.tx_hash)
        if receipt is None:
            if not self._known_to_node(record.tx_hash):  # dropped: the node knows nothing of it
                return self._resend_dropped(key, record, call, crash_after_send, crash_after_receipt)
            receipt = self._wait_for_receipt(key, record.tx_hash)
            if receipt is None:
                raise self._not_mined(key, record.tx_hash)
        if record.status is None:
            if crash_after_receipt:
                crash_point(crash_after_receipt)
            self.journal.record_receipt(key, int(receipt["blockNumber"]), int(receipt["status"]), int(receipt["gasUsed"]))
        if int(receipt["status"]) == 1:
            return receipt
        return None

    def _resend_dropped(
        self, key: str, record: TxRecord, call: ContractFunction, crash_after_send: str | None, crash_after_receipt: str | None
    ) -> TxReceipt:
        mined_nonce = self._rpc("the sender's nonce", lambda: self.web3.eth.get_transaction_count(self.account.address, "latest"))
        if mined_nonce > record.nonce:  # its nonce went to another transaction: this one can never mine
            tx = self._build(key, call, self._rpc("the next nonce", lambda: self.web3.eth.get_transaction_count(self.account.address, "pending")))
            return self._sign_and_send(key, call, tx, crash_after_send, crash_after_receipt)
        try:  # the very transaction recorded: same hash, same effect
            self._broadcast(record.raw_tx)
        except ChainError:  # e.g. its fees are now below the base fee: sign it anew at the same nonce
            return self._sign_and_send(key, call, self._build(key, call, record.nonce), crash_after_send, crash_after_receipt)
        return self._after_broadcast(key, call, record.tx_hash, crash_after_send, crash_after_receipt)

    def _build(self, key: str, call: ContractFunction, nonce: int) -> dict[str, Any]:
        """The transaction fields of `call` at `nonce`: gas from estimation (x GAS_MARGIN), fees."""
        sender = self.account.address
        try:
            gas = self._rpc("gas", lambda: call.estimate_gas({"from": sender}))
        except (ContractCustomError, ContractLogicError, Web3RPCError) as exc:
            raise ChainError(f"{key}: {call.fn_name} would revert: {revert_reason(exc, call.contract_abi)}") from None
        tx: dict[str, Any] = {
            "from": sender,
            "nonce": int(nonce),
            "chainId": self.chain.chain_id,
            "gas": int(gas * GAS_MARGIN),
            **self._fees(),
        }
        return call.build_transaction(tx)

    def _fees(self) -> dict[str, int]:
        block = self._rpc("the latest block", lambda: self.web3.eth.get_block("latest"))
        base_fee = block.get("baseFeePerGas")
        if base_fee is None:
            return {"gasPrice": int(self._rpc("the gas price", lambda: self.web3.eth.gas_price))}
        try:
            tip = int(self._rpc("the priority fee", lambda: self.web3.eth.max_priority_fee))
        except (Web3RPCError, ValueError):  # the node lacks eth_maxPriorityFeePerGas
            tip = DEFAULT_TIP_WEI
        return {"maxPriorityFeePerGas": tip, "maxFeePerGas": 2 * int(base_fee) + tip}

    def _sign_and_send(
        self, key: str, call: ContractFunction, tx: dict[str, Any], crash_after_send: str | None, crash_after_receipt: str | None
    ) -> TxReceipt:
        signed = self.account.sign_transaction(tx)
        tx_hash = "0x" + bytes(signed.hash).hex()
        raw_tx = "0x" + bytes(signed.raw_transaction).hex()
        self.journal.record_sent(key, tx_hash, int(tx["nonce"]), raw_tx)  # before the node sees it
        self._broadcast(raw_tx)
        return self._after_broadcast(key, call, tx_hash, crash_after_send, crash_after_receipt)

    def _after_broadcast(
        self, key: str, call: ContractFunction, tx_hash: str, crash_after_send: str | None, crash_after_receipt: str | None
    ) -> TxReceipt:
        if crash_after_send:
            crash_point(crash_after_send)
        receipt = self._wait_for_receipt(key, tx_hash)
        if receipt is None:
            raise self._not_mined(key, tx_hash)
        if crash_after_receipt:
            crash_point(crash_after_receipt)
        self.journal.record_receipt(key, int(receipt["blockNumber"]), int(receipt["status"]), int(receipt["gasUsed"]))
        if int(receipt["status"]) != 1:
            raise ChainError(f"{key}: transaction {tx_hash} reverted in block {receipt['blockNumber']}: {self._replay_reason(call, receipt)}")
        return receipt

    def _not_mined(self, key: str, tx_hash: str) -> ChainError:
        return ChainError(
            f"{key}: transaction {tx_hash} not mined within {self.receipt_timeout_s:g} s: run again to wait for it "
            "(it is journaled and will not be sent twice)"
        )

    def _broadcast(self, raw_tx: str) -> None:
        try:
            self._rpc("the transaction", lambda: self.web3.eth.send_raw_transaction(raw_tx))
        except Web3RPCError as exc:
            if self._known_to_node("0x" + keccak(HexBytes(raw_tx)).hex()):
                return  # "already known": an earlier broadcast reached the node
            raise ChainError(f"the node refused the transaction: {revert_reason(exc, ())}") from None

    def _replay_reason(self, call: ContractFunction, receipt: TxReceipt) -> str:
        """Why a mined transaction reverted: the call replayed on the block before it."""
        try:
            call.call({"from": self.account.address}, block_identifier=int(receipt["blockNumber"]) - 1)
        except (ContractCustomError, ContractLogicError, Web3RPCError) as exc:
            return revert_reason(exc, call.contract_abi)
        except Exception:
            pass
        return "no reason given (out of gas, or state changed just before it)"

    # --- node access --------------------------------------------------------------------------------

    def _receipt(self, tx_hash: str) -> TxReceipt | None:
        try:
            return self._rpc("a receipt", lambda: self.web3.eth.get_transaction_receipt(tx_hash))
        except TransactionNotFound:
            return None

    def _known_to_node(self, tx_hash: str) -> bool:
        try:
            self._rpc("a transaction", lambda: self.web3.eth.get_transaction(tx_hash))
        except TransactionNotFound:
            return False
        return True

    def _wait_for_receipt(self, key: str, tx_hash: str) -> TxReceipt | None:
        """Poll for the receipt with backoff (FIRST_POLL_S doubling up to MAX_POLL_S) until
        receipt_timeout_s of waiting; None when it did not come."""
        waited_s, wait_s = 0.0, FIRST_POLL_S
        while True:
            receipt = self._receipt(tx_hash)
            if receipt is not None:
                return receipt
            if waited_s >= self.receipt_timeout_s:
                return None
            self.sleep(wait_s)
            waited_s += wait_s
            wait_s = min(wait_s * 2, MAX_POLL_S)

    def _rpc(self, what: str, request: Callable[[], T]) -> T:
        """`request()`, retried on connection errors after FIRST_RETRY_S, 2x, 4x, ... seconds; a
        ChainError once max_retries retries failed."""
        wait_s = FIRST_RETRY_S
        for attempt in range(self.max_retries + 1):
            try:
                return request()
            except CONNECTION_ERRORS as exc:
                if attempt == self.max_retries:
                    raise ChainError(
                        f"cannot reach the RPC node for {what} after {self.max_retries + 1} attempts "
                        f"({type(exc).__name__}): check the node and run again"
                    ) from None
                self.sleep(wait_s)
                wait_s *= 2
        raise AssertionError("unreachable")
