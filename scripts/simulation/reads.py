"""Chain reads for the simulation in a few round trips, pinned at one block: view calls batched per
JSON-RPC request (brownie's own encode_input / decode_output, so a struct reads by field name as
with a brownie call), and events by eth_getLogs decoded with eth_event (brownie's decoder).

Why not web3's contract objects (as oracle/registry/reader.py's ChainReader does): web3 7 resolves
the ABI element on every call and decodes events through its formatters, about 10 ms per call
or event on this 2-core machine when it is busy; the simulation reads a few thousand.
"""

from __future__ import annotations

from typing import Any, Sequence

import eth_event
from brownie import web3

from scripts.common.paging import read_block_number

PAGE_SIZE = 200  # view calls per JSON-RPC batch request
LOG_PAGE_BLOCKS = 10_000  # blocks per eth_getLogs request

_TOPIC_MAPS: dict[int, Any] = {}


class ReadError(Exception):
    """The node refused a read; the message names it."""


class PinnedReader:
    """Reads at one block: a consistent snapshot. By default the block reads go to when it is
    created (scripts/common/paging.py read_block_number: the latest, or the journal's pinned block
    while a resumed live run replays), so a resumed run sees what the stopped one saw."""

    def __init__(self, block_number: int | None = None) -> None:
        self.block_number = read_block_number() if block_number is None else block_number

    def call_many(self, contract: Any, function: str, args_list: Sequence[tuple[Any, ...]]) -> list[Any]:
        """``contract.function(*args)`` for each args, in order, as brownie would return them."""
        method = getattr(contract, function)
        requests = [("eth_call", [{"to": str(contract.address), "data": method.encode_input(*args)}, hex(self.block_number)])
                    for args in args_list]
        results: list[Any] = []
        for first in range(0, len(requests), PAGE_SIZE):
            for args, answer in zip(args_list[first:first + PAGE_SIZE],
                                    web3.provider.make_batch_request(requests[first:first + PAGE_SIZE])):
                if "error" in answer:
                    raise ReadError(f"{method._name}{tuple(args)} failed: {answer['error'].get('message')}")
                results.append(method.decode_output(answer["result"]))
        return results

    def call(self, contract: Any, function: str, *args: Any) -> Any:
        return self.call_many(contract, function, [args])[0]

    def events(self, contract: Any, event: str, from_block: int) -> list[dict[str, Any]]:
        """Every `event` of `contract` from `from_block` to the pinned block, as dicts of their
        arguments (addresses checksummed, numbers as int)."""
        topic = contract.topics[event]
        logs: list[Any] = []
        for first in range(from_block, self.block_number + 1, LOG_PAGE_BLOCKS):
            last = min(first + LOG_PAGE_BLOCKS - 1, self.block_number)
            logs += web3.provider.make_request("eth_getLogs", [{"address": str(contract.address), "topics": [topic],
                                                                 "fromBlock": hex(first), "toBlock": hex(last)}])["result"]
        return decoded_events(contract, logs)


def call_many(contract: Any, function: str, args_list: Sequence[tuple[Any, ...]], reader: PinnedReader | None = None) -> list[Any]:
    """``contract.function(*args)`` for each args, batched, at `reader`'s block (default: latest)."""
    return (reader or PinnedReader()).call_many(contract, function, list(args_list))


def decoded_events(contract: Any, logs: Sequence[Any]) -> list[dict[str, Any]]:
    """`logs` (all of `contract` and one event) as dicts of their arguments (eth_event leaves
    addresses in lower case: they are checksummed here, as brownie and the records write them)."""
    if id(contract.abi) not in _TOPIC_MAPS:
        _TOPIC_MAPS[id(contract.abi)] = eth_event.get_topic_map(contract.abi)
    decoded = eth_event.decode_logs(list(logs), _TOPIC_MAPS[id(contract.abi)])
    return [{item["name"]: web3.to_checksum_address(item["value"]) if item["type"] == "address" else item["value"]
             for item in log["data"]} for log in decoded]


def events_of(contract: Any, event: str, receipts: Sequence[Any]) -> list[dict[str, Any]]:
    """The arguments of every `event` of brownie `contract` in `receipts` (JSON-RPC receipts, as
    scripts/simulation/batch.py send_all returns them), in order."""
    topic, address = contract.topics[event].lower(), str(contract.address).lower()
    logs = [log for receipt in receipts for log in receipt["logs"]
            if log["address"].lower() == address and log["topics"] and log["topics"][0].lower() == topic]
    return decoded_events(contract, logs)
