"""Reading a contract's numbered records in pages, counting the calls, and the chain's clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

DEFAULT_PAGE_SIZE = 200  # records per page call: well within a node's eth_call gas and response limits


@dataclass
class CallCounter:
    """Counts the contract calls (RPC round trips) made through :meth:`call`."""

    calls: int = 0

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        self.calls += 1
        return fn(*args)


def read_paged(count: int, page: Callable[[int, int], Sequence[Any]], page_size: int, counter: CallCounter) -> list[Any]:
    """Every item of ids 1..count, read ``page_size`` at a time (``page(from_id, page_size)``).

    Raises ValueError for a page size below 1."""
    if page_size < 1:
        raise ValueError(f"page size must be at least 1, got {page_size}")
    items: list[Any] = []
    for from_id in range(1, count + 1, page_size):
        items.extend(counter.call(page, from_id, page_size))
    return items


def latest_block_timestamp() -> int:
    """Timestamp (unix s) of the connected chain's latest block."""
    from brownie import web3

    return int(web3.eth.get_block("latest")["timestamp"])



def read_block_number() -> int:
    """Number of the block that reads go to: the latest one, except while a resumed live run replays
    its journal (scripts/common/live.py pins ``web3.eth.default_block`` to the block before the next
    recorded transaction), so that a resumed run reads what the stopped one read."""
    from brownie import web3

    pinned = web3.eth.default_block
    return pinned if isinstance(pinned, int) else int(web3.eth.block_number)


def read_block_timestamp() -> int:
    """Timestamp (unix s) of the block that reads go to (read_block_number), so that a resumed live
    run computes the same times as the stopped one."""
    from brownie import web3

    return int(web3.eth.get_block(read_block_number())["timestamp"])
