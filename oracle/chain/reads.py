"""What the oracle reads on chain, on web3 alone: installations' issuance state, rounds, the signer
set and emission-factor years.

Times are unix seconds UTC, capacity in W. A node that cannot be reached, or a call that fails, is a
ChainError (exit code 3); the oracle's cron job simply runs again later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, NamedTuple, TypeVar

from web3.contract.contract import ContractFunction

from oracle.chain.manifest import Chain
from oracle.errors import ChainError

ACTIVE = 0  # IInstallationRegistry.InstallationStatus.Active
BATCH_CALLS = 300  # calls per JSON-RPC batch request
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

T = TypeVar("T")


@dataclass(frozen=True)
class InstallationState:
    """What issuance checks for one installation: its watermark ``certifiedUntil`` (unix s UTC; the
    commissioning time before its first certificate) and whether it is Active, plus its capacity (W),
    commissioning time (unix s UTC) and beneficiary address."""

    certified_until_s: int
    active: bool
    capacity_w: int = 0
    commissioned_at_s: int = 0
    beneficiary: str = ZERO_ADDRESS


class RoundOnChain(NamedTuple):
    """A submitted round as GenerationOracle.roundForIssuance returns it (times unix s UTC, Wh)."""

    root: bytes
    period_start: int
    period_end: int
    leaf_count: int
    total_energy_wh: int
    revoked: bool


def chain_call(what: str, call: Callable[[], T]) -> T:
    """Run one read; any failure (node unreachable, call reverted) becomes a one-line ChainError."""
    try:
        return call()
    except ChainError:
        raise
    except Exception as exc:  # requests', web3's and the node's errors have no common base
        raise ChainError(f"cannot read {what} on chain: {type(exc).__name__}: {_first_line(exc)}") from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""


def batched_calls(chain: Chain, what: str, calls: list[ContractFunction]) -> list[Any]:
    """The results of `calls` (contract view calls), in order, BATCH_CALLS per JSON-RPC batch."""
    results: list[Any] = []
    for first in range(0, len(calls), BATCH_CALLS):
        chunk = calls[first:first + BATCH_CALLS]

        def run(chunk: list[ContractFunction] = chunk) -> list[Any]:
            with chain.web3.batch_requests() as batch:
                for call in chunk:
                    batch.add(call)
                return list(batch.execute())

        results.extend(chain_call(what, run))
    return results


def installation_states(chain: Chain, installation_ids: Iterable[int]) -> dict[int, InstallationState]:
    """The issuance state of each registered installation among `installation_ids` (unknown ids are
    left out of the result)."""
    registry = chain.contract("InstallationRegistry")
    certificates = chain.contract("GenerationCertificates")
    count = int(chain_call("InstallationRegistry.installationCount", registry.functions.installationCount().call))
    ids = sorted({int(i) for i in installation_ids if 1 <= int(i) <= count})
    if not ids:
        return {}
    calls = [registry.functions.installation(i) for i in ids] + [certificates.functions.certifiedUntil(i) for i in ids]
    results = batched_calls(chain, "the installations' state", calls)
    states = {}
    for installation_id, record, until_s in zip(ids, results[:len(ids)], results[len(ids):]):
        states[installation_id] = InstallationState(
            certified_until_s=int(until_s),
            active=int(record.status) == ACTIVE,
            capacity_w=int(record.capacityW),
            commissioned_at_s=int(record.commissionedAt),
            beneficiary=str(record.beneficiary),
        )
    return states


def last_round_id(chain: Chain) -> int:
    """The id of the last round submitted (0 before the first)."""
    oracle = chain.contract("GenerationOracle")
    return int(chain_call("GenerationOracle.lastRoundId", oracle.functions.lastRoundId().call))


def round_on_chain(chain: Chain, round_id: int) -> RoundOnChain | None:
    """Round `round_id` as submitted, or None when no such round is on chain."""
    if round_id < 1 or round_id > last_round_id(chain):
        return None
    oracle = chain.contract("GenerationOracle")
    root, start_s, end_s, leaf_count, energy_wh, revoked = chain_call(
        f"round {round_id}", oracle.functions.roundForIssuance(round_id).call
    )
    if bytes(root) == bytes(32):
        return None
    return RoundOnChain(bytes(root), int(start_s), int(end_s), int(leaf_count), int(energy_wh), bool(revoked))


def signer_set(chain: Chain) -> tuple[list[str], int]:
    """(the oracle's current signer addresses, checksummed; the quorum of signatures a round needs)."""
    oracle = chain.contract("GenerationOracle")
    signers, quorum = batched_calls(chain, "the oracle's signers", [oracle.functions.signers(), oracle.functions.quorum()])
    return [str(s) for s in signers], int(quorum)


def factor_years(chain: Chain, years: Iterable[int]) -> set[int]:
    """The years among `years` that have an emission factor on chain (certificates need one)."""
    registry = chain.contract("InstallationRegistry")
    wanted = sorted(set(years))
    results = batched_calls(chain, "emission factors", [registry.functions.emissionFactor(y) for y in wanted])
    return {year for year, factor in zip(wanted, results) if int(factor[0]) != 0}
