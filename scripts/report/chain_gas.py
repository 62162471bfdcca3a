"""Every transaction mined in a block range, with its contract, function and gas, read from the
chain itself (so the oracle's web3 transactions count as much as brownie's).

Blocks and receipts are read with batched JSON-RPC calls (``eth_getBlockByNumber`` with full
transactions, then ``eth_getTransactionReceipt``), a few hundred per HTTP request, so a demo of a
few thousand transactions takes a second or two.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import requests

BATCH_SIZE = 200
DEPLOYMENT = "(deployment)"
UNKNOWN = "(unknown)"


class ChainReadError(RuntimeError):
    """The node did not answer a batched read; the message says which."""


@dataclass(frozen=True)
class ContractFunctions:
    """A deployed contract by name, and its function names by 4-byte selector ("0xa9059cbb")."""

    name: str
    functions: Mapping[str, str]


@dataclass(frozen=True)
class MinedTx:
    """One mined transaction. contract/function: names from the deployment ("(deployment)" for a
    contract creation, "(unknown)" for a call to an address that is not in it, "transfer" for a
    plain ETH transfer); calldata_bytes: the length of its input."""

    block: int
    sender: str
    contract: str
    function: str
    gas_used: int
    calldata_bytes: int
    status: int
    log_addresses: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.contract}.{self.function}"


def _batch(rpc_url: str, calls: Sequence[tuple[str, list]], timeout_s: float) -> list:
    payload = [{"jsonrpc": "2.0", "id": n, "method": method, "params": params} for n, (method, params) in enumerate(calls)]
    try:
        response = requests.post(rpc_url, json=payload, timeout=timeout_s)
        response.raise_for_status()
        answers = sorted(response.json(), key=lambda answer: answer["id"])
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        raise ChainReadError(f"batched read from {rpc_url} failed: {error}") from None
    failed = [answer for answer in answers if "error" in answer]
    if failed:
        raise ChainReadError(f"{calls[failed[0]['id']][0]} failed: {failed[0]['error'].get('message', failed[0]['error'])}")
    return [answer["result"] for answer in answers]


def _describe(tx: dict, contracts: Mapping[str, ContractFunctions]) -> tuple[str, str]:
    if tx.get("to") is None:
        return DEPLOYMENT, "create"
    data = tx.get("input") or "0x"
    target = contracts.get(tx["to"].lower())
    if target is None:
        return UNKNOWN, "transfer" if data == "0x" else data[:10]
    if data == "0x":
        return target.name, "transfer"
    return target.name, target.functions.get(data[:10].lower(), data[:10])


def mined_transactions(rpc_url: str, first_block: int, last_block: int, contracts: Mapping[str, ContractFunctions],
                       timeout_s: float = 60.0) -> list[MinedTx]:
    """Every transaction of blocks first_block..last_block (inclusive), in order. `contracts` maps
    lower-case addresses to their names and selectors."""
    mined: list[MinedTx] = []
    for start in range(first_block, last_block + 1, BATCH_SIZE):
        numbers = [hex(n) for n in range(start, min(start + BATCH_SIZE, last_block + 1))]
        blocks = _batch(rpc_url, [("eth_getBlockByNumber", [n, True]) for n in numbers], timeout_s)
        txs = [(block, tx) for block in blocks for tx in block["transactions"]]
        receipts: list[dict] = []
        for first in range(0, len(txs), BATCH_SIZE):
            receipts += _batch(rpc_url, [("eth_getTransactionReceipt", [tx["hash"]]) for _, tx in txs[first:first + BATCH_SIZE]],
                               timeout_s)
        for (block, tx), receipt in zip(txs, receipts):
            contract, function = _describe(tx, contracts)
            mined.append(MinedTx(int(block["number"], 16), tx["from"].lower(), contract, function,
                                 int(receipt["gasUsed"], 16), (len(tx.get("input") or "0x") - 2) // 2,
                                 int(receipt.get("status", "0x1"), 16),
                                 tuple(log["address"].lower() for log in receipt.get("logs", []))))
    return mined


@dataclass(frozen=True)
class FunctionGas:
    """Gas of one contract function over a run."""

    label: str
    calls: int
    median_gas: int
    max_gas: int
    total_gas: int


def gas_by_function(txs: Sequence[MinedTx]) -> list[FunctionGas]:
    """Per contract function (successful transactions only), by total gas, largest first."""
    groups: dict[str, list[int]] = {}
    for tx in txs:
        if tx.status == 1:
            groups.setdefault(tx.label, []).append(tx.gas_used)
    rows = [FunctionGas(label, len(gas), int(statistics.median(gas)), max(gas), sum(gas)) for label, gas in groups.items()]
    return sorted(rows, key=lambda row: row.total_gas, reverse=True)
