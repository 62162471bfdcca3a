"""Many transactions in one JSON-RPC batch request, for the simulation's bulk steps on a local chain.

brownie sends a transaction in about six round trips (gas estimate, gas price, nonce, send, then a
confirmation thread reading the nonce and the receipt, which sleeps a whole second when anvil has
not mined the transaction yet): 40 to 400 ms each on this 2-core machine, so the simulation's ~650
transactions would take minutes. Here the transactions of one step are built locally (brownie's
``encode_input``, nonces counted from the node's pending nonce, a fixed gas limit), signed with
the sender's key (or sent with ``eth_sendTransaction`` for a node-unlocked account such as
accounts[0]) and sent in one batch. On anvil, automine is switched off meanwhile and the batch is
mined in as few blocks as the block gas limit allows (``evm_mine``), then automine is restored; on
other nodes each transaction is mined as it arrives. Receipts are then read in batches.

A batch's transactions may be mined in any order across senders (the node takes a batch
concurrently); one sender's are mined in nonce order. A step whose transactions depend on another
sender's (a mint before the owner's payment) sends two batches; ``ordered=True`` sends one request
after the other, so the order holds across senders too. Every transaction must succeed: the first
one that reverted raises BatchError with what replaying it now says (its custom error).

On a live network the senders are the journaled accounts of scripts/common/live.py: there each
transaction goes through brownie and its sender's journal, one after the other (signed and
recorded before it is broadcast, awaited before the next; replayed, not sent again, on a resumed
run), and the receipts are read back in a batch as above. One by one keeps the order across
senders too, so ``ordered`` holds trivially.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from brownie import web3
from brownie.exceptions import VirtualMachineError
from eth_account import Account

from scripts.common.live import JournaledAccount

GAS_LIMIT = 1_000_000  # above any single call of the suite (matchDemand of a financed project: ~230k)
RECEIPT_POLL_S = 0.05
RECEIPT_TIMEOUT_S = 60.0

_SIGNERS: dict[str, Any] = {}  # eth_account accounts by address: deriving the public key costs as much as a signature


class BatchError(Exception):
    """A batched transaction was refused or reverted; the message names it and why."""


@dataclass(frozen=True)
class Tx:
    """One transaction: a brownie contract method (``registry.register``), its arguments and the
    sender (a brownie LocalAccount, whose key signs, or a node-unlocked account)."""

    sender: Any
    method: Any
    args: tuple[Any, ...] = ()

    def describe(self) -> str:
        return f"{self.method._name} from {str(self.sender)[:10]}..."


def _rpc_batch(requests: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
    return list(web3.provider.make_batch_request(requests)) if requests else []


def _next_nonces(senders: Sequence[str]) -> dict[str, int]:
    answers = _rpc_batch([("eth_getTransactionCount", [s, "pending"]) for s in senders])
    return {s: int(a["result"], 16) for s, a in zip(senders, answers)}


def _request(tx: Tx, nonce: int, chain_id: int, gas_price: int) -> tuple[str, list[Any]]:
    fields = {"to": tx.method._address, "data": tx.method.encode_input(*tx.args), "gas": GAS_LIMIT,
              "gasPrice": gas_price, "nonce": nonce, "chainId": chain_id, "value": 0}
    key = getattr(tx.sender, "private_key", None)
    if key is None:
        return "eth_sendTransaction", [{**{k: hex(v) if isinstance(v, int) else v for k, v in fields.items()},
                                        "from": str(tx.sender)}]
    address = str(tx.sender)
    if address not in _SIGNERS:
        _SIGNERS[address] = Account.from_key(key)
    raw = _SIGNERS[address].sign_transaction(fields).raw_transaction
    return "eth_sendRawTransaction", ["0x" + raw.hex()]


def _node_answer(method: str, params: list[Any]) -> Any:
    """The node's result, or None when it does not know the method (not anvil)."""
    answer = web3.provider.make_request(method, params)
    return None if "error" in answer else answer.get("result")


@contextmanager
def _manual_mining() -> Iterator[bool]:
    """On anvil, automine off for the block (restored after, whatever happens); yields whether the
    caller must mine (``_mine_pending``). Elsewhere yields False: the node mines as it receives."""
    automine = _node_answer("anvil_getAutomine", [])
    if automine is None:
        yield False
        return
    if automine:
        web3.provider.make_request("evm_setAutomine", [False])
    try:
        yield True
    finally:
        if automine:
            web3.provider.make_request("evm_setAutomine", [True])


def _mine_pending(limit_blocks: int) -> None:
    """Mine blocks until the node's pool has no pending transaction (at most `limit_blocks`)."""
    for _ in range(limit_blocks):
        status = _node_answer("txpool_status", [])
        if status is not None and int(status["pending"], 16) == 0:
            return
        web3.provider.make_request("evm_mine", [])


def _wait_mined(txs: Sequence[Tx], hashes: list[str]) -> list[dict[str, Any]]:
    """Poll until every hash has a receipt and return them (JSON-RPC form: hex numbers); BatchError
    when one is still missing after the timeout."""
    deadline = time.monotonic() + RECEIPT_TIMEOUT_S
    receipts: list[Any] = [None] * len(hashes)
    pending = list(range(len(hashes)))
    while pending:
        answers = _rpc_batch([("eth_getTransactionReceipt", [hashes[i]]) for i in pending])
        for i, answer in zip(pending, answers):
            receipts[i] = answer.get("result")
        pending = [i for i in pending if not receipts[i]]
        if pending and time.monotonic() > deadline:
            raise BatchError(f"{len(pending)} transaction(s) not mined after {RECEIPT_TIMEOUT_S:.0f} s, "
                             f"the first {txs[pending[0]].describe()}")
        if pending:
            time.sleep(RECEIPT_POLL_S)
    return receipts


def _revert_reason(tx: Tx) -> str:
    try:
        tx.method.call(*tx.args, {"from": tx.sender})
    except Exception as exc:  # noqa: BLE001 - brownie raises VirtualMachineError with the decoded custom error
        return str(exc).splitlines()[0]
    return "it succeeds when replayed now (it depended on state that has changed)"


def send_all(txs: Sequence[Tx], ordered: bool = False) -> list[Any]:
    """Send `txs` in one batch, wait until all are mined and return their receipts in order
    (JSON-RPC form: ``status`` "0x1", logs for scripts/simulation/reads.py ``events_of``).

    ordered: send them one request after the other instead, so that they are mined in this order
    across senders too (ids a contract hands out follow it; still no wait for each receipt).

    Raises BatchError when the node refuses one (named, with the node's message) or one reverted
    (named, with its replayed revert reason)."""
    if not txs:
        return []
    if any(isinstance(tx.sender, JournaledAccount) for tx in txs):
        return _send_journaled(txs)
    senders = sorted({str(tx.sender) for tx in txs})
    nonces = _next_nonces(senders)
    chain_id, gas_price = web3.eth.chain_id, web3.eth.gas_price
    requests = []
    for tx in txs:
        requests.append(_request(tx, nonces[str(tx.sender)], chain_id, gas_price))
        nonces[str(tx.sender)] += 1
    with _manual_mining() as manual:
        answers = [_rpc_batch([r])[0] for r in requests] if ordered else _rpc_batch(requests)
        if manual:
            _mine_pending(limit_blocks=len(requests) + 1)
    refused = [(tx, a["error"]) for tx, a in zip(txs, answers) if "error" in a]
    if refused:
        tx, error = refused[0]
        raise BatchError(f"the node refused {tx.describe()}: {error.get('message', error)}")
    hashes = [a["result"] for a in answers]
    receipts = _wait_mined(txs, hashes)
    for tx, receipt in zip(txs, receipts):
        if int(receipt["status"], 16) != 1:
            raise BatchError(f"{tx.describe()} reverted (block {int(receipt['blockNumber'], 16)}): {_revert_reason(tx)}")
    return receipts



def _send_journaled(txs: Sequence[Tx]) -> list[Any]:
    """Live networks: each transaction through its sender's journal, in order (see the module
    docstring); the receipts in JSON-RPC form, as send_all returns them."""
    hashes = []
    for tx in txs:
        if not isinstance(tx.sender, JournaledAccount):
            raise BatchError(f"{tx.describe()}: on a live network every sender must be a journaled account")
        try:
            receipt = tx.method(*tx.args, {"from": tx.sender}, silent=True)
        except VirtualMachineError as exc:  # refused before signing (the gas estimate reverted): nothing was sent
            raise BatchError(f"{tx.describe()} would revert: {str(exc).splitlines()[0]}") from None
        hashes.append(receipt.txid)
    return _wait_mined(txs, hashes)
