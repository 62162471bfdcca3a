"""Issuing a submitted round's certificates with ``issueBatch``, on web3 (``oracle claim``).

The round's generation tree is a ``standard-v1`` dump (``oracle/merkle.py``
``StandardMerkleTree.dump()`` or ``@openzeppelin/merkle-tree``'s ``tree.dump()``) with leaves
(installationId, periodStart, periodEnd, energyWh, readingsRoot); its root must be the round's root
on chain. Leaves go out in batches of ``batch_size`` (default 100, ~7.6M gas each).

Issuance rule (GenerationCertificates): per installation, a leaf must start EXACTLY at its
watermark ``certifiedUntil`` (the commissioning date before the first certificate); issuing moves
the watermark to the leaf's end. So the plan takes each installation's leaves in period order,
chained from the on-chain watermark. A leaf that starts after the watermark waits ("waits for a
leaf starting at <UTC time>"), and so do the later leaves of that installation: they issue once a
leaf starting at the watermark (from this round or a later one, e.g. one spanning an outage) is
issued. A leaf starting before the watermark is "already certified" when it ends at or before
it, otherwise it overlaps a certified period (or an earlier leaf of this round).

Safe to rerun: already certified leaves are left out, and each batch is sent through the Sender
under a key naming its first leaf, so a crash or a failed batch loses nothing and issues nothing
twice. Leaves that would make a batch revert are reported and left out: zero energy, an empty or
too long period, a period outside the round's, an inactive or unregistered installation, no
emission factor for the year. Every leaf left out is counted under its reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

from web3.contract.contract import Contract
from web3.logs import DISCARD
from web3.types import TxReceipt

from oracle.chain.manifest import Chain
from oracle.chain.reads import (
    InstallationState,
    chain_call,
    factor_years,
    installation_states,
    round_on_chain,
)
from oracle.chain.transactions import Sender
from oracle.errors import ChainError, ConfigError, InputError
from oracle.faults import crash_point
from oracle.merkle import MerkleTreeError, StandardMerkleTree, generation_leaf_types
from oracle.timeutil import iso_utc_minute, utc_year

__all__ = [
    "ALREADY_CERTIFIED",
    "ClaimResult",
    "InstallationState",
    "IssuedCertificate",
    "IssuancePlan",
    "claim_round",
    "leaf_defect",
    "load_round_tree",
    "plan_issuance",
    "reason_counts",
    "round_certificates",
]

DEFAULT_BATCH_SIZE = 100
ALREADY_CERTIFIED = "already certified"
OVERLAPS_CERTIFIED = "overlaps a certified period"
OVERLAPS_ROUND_LEAF = "overlaps an earlier leaf of this round"
WAITS = "waits for a leaf starting at the watermark"
MAX_ENERGY_WH = 2**40 - 1  # GenerationCertificates stores energyWh in 40 bits
MAX_PERIOD_S = 2**32 - 1  # and the period length in 32

Leaf = tuple[int, int, int, int, bytes]  # installationId, periodStart, periodEnd (unix s UTC), energyWh, readingsRoot


@dataclass
class IssuancePlan:
    """Batches to send, in order, and the leaves left out with the reason."""

    batches: list[list[Leaf]] = field(default_factory=list)
    skipped: list[tuple[Leaf, str]] = field(default_factory=list)

    @property
    def leaf_count(self) -> int:
        return sum(len(batch) for batch in self.batches)


@dataclass(frozen=True)
class IssuedCertificate:
    """One certificate from a CertificateIssued log: token id, installation, period (unix s UTC), Wh."""

    token_id: int
    installation_id: int
    period_start: int
    period_end: int
    energy_wh: int
    beneficiary: str


@dataclass
class ClaimResult:
    """What one claim run did: the certificates issued (in order), the leaves left out by reason
    kind (:func:`reason_counts`) and each with its reason, and the batches' receipts."""

    certificates: list[IssuedCertificate] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    skipped_leaves: list[tuple[Leaf, str]] = field(default_factory=list)
    receipts: list[TxReceipt] = field(default_factory=list)

    @property
    def token_ids(self) -> list[int]:
        return [c.token_id for c in self.certificates]


def leaf_defect(leaf: Leaf, round_period_s: tuple[int, int] | None) -> str | None:
    """Why GenerationCertificates would reject `leaf` whatever the chain state (None: it would not):
    the same bounds as its ``_issue``, so one such leaf cannot revert a whole batch on every rerun."""
    start_s, end_s, energy_wh = leaf[1], leaf[2], leaf[3]
    if start_s >= end_s:
        return "empty period"
    if round_period_s is not None and (start_s < round_period_s[0] or end_s > round_period_s[1]):
        return "outside the round's period"
    if end_s - start_s > MAX_PERIOD_S:
        return f"period longer than {MAX_PERIOD_S} s"
    if energy_wh == 0:
        return "zero energy"
    if energy_wh > MAX_ENERGY_WH:
        return f"energy above {MAX_ENERGY_WH} Wh"
    return None


def waits_for(watermark_s: int) -> str:
    """The reason of a leaf that cannot issue before a leaf starting at `watermark_s` is issued."""
    return f"waits for a leaf starting at {iso_utc_minute(watermark_s)}"


def plan_issuance(
    leaves: Sequence[Leaf],
    states: Mapping[int, InstallationState],
    factor_years: set[int],
    batch_size: int = DEFAULT_BATCH_SIZE,
    round_period_s: tuple[int, int] | None = None,
) -> IssuancePlan:
    """Which leaves of a round can be issued now, in batches that will not revert.

    Leaves the contract rejects in any case (:func:`leaf_defect`; the round's period is checked when
    `round_period_s` is given) and leaves of unknown installations are skipped. Per installation,
    the others are taken in period order chained from its ``certifiedUntil``: a leaf must start
    exactly where the previous one (or the on-chain watermark) ends. One starting later waits, as do
    the installation's later leaves (the watermark cannot move past the gap); one starting earlier
    is already certified (it ends at or before the on-chain watermark) or overlaps. A leaf of an
    inactive installation or of a year without emission factor cannot issue, so the installation's
    later leaves wait for it."""
    if batch_size < 1:
        raise ConfigError(f"batch size must be at least 1, got {batch_size}")
    plan = IssuancePlan()
    ready: list[Leaf] = []
    watermark_s: dict[int, int] = {}
    blocked: set[int] = set()
    for leaf in sorted(leaves, key=lambda v: (v[0], v[1], v[2])):
        installation_id, start_s, end_s = leaf[0], leaf[1], leaf[2]
        state = states.get(installation_id)
        defect = leaf_defect(leaf, round_period_s)
        if defect is not None:
            plan.skipped.append((leaf, defect))
            continue
        if state is None:
            plan.skipped.append((leaf, f"installation {installation_id} is not registered"))
            continue
        until_s = watermark_s.get(installation_id, state.certified_until_s)
        if start_s < until_s:
            if end_s <= state.certified_until_s:
                reason = ALREADY_CERTIFIED
            elif start_s < state.certified_until_s:
                reason = OVERLAPS_CERTIFIED
            else:
                reason = OVERLAPS_ROUND_LEAF
            plan.skipped.append((leaf, reason))
        elif start_s > until_s or installation_id in blocked:
            plan.skipped.append((leaf, waits_for(until_s)))
        elif not state.active:
            plan.skipped.append((leaf, f"installation {installation_id} is not active"))
            blocked.add(installation_id)
        elif utc_year(start_s) not in factor_years:
            plan.skipped.append((leaf, f"no emission factor for {utc_year(start_s)}"))
            blocked.add(installation_id)
        else:
            ready.append(leaf)
            watermark_s[installation_id] = end_s
    plan.batches = [ready[i:i + batch_size] for i in range(0, len(ready), batch_size)]
    return plan


def reason_counts(plan: IssuancePlan) -> dict[str, int]:
    """How many leaves were left out for each kind of reason ("waits for ..." counted as one kind)."""
    counts: dict[str, int] = {}
    for _, reason in plan.skipped:
        kind = WAITS if reason.startswith("waits for") else reason
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def load_round_tree(path: Path) -> StandardMerkleTree:
    """The generation tree dumped at `path`, checked node by node and for the leaf encoding."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not JSON: {exc}") from None
    try:
        tree = StandardMerkleTree.load(data)
    except MerkleTreeError as exc:
        raise InputError(f"{path}: {exc}") from None
    if tree.types != list(generation_leaf_types):
        raise InputError(f"{path}: leaves are {tree.types}, expected generation leaves {list(generation_leaf_types)}")
    return tree


def batch_key(round_id: int, batch: Sequence[Leaf]) -> str:
    """The journal key of a claim batch: its round and first leaf (installation, periodStart), which
    stay the same across reruns while the leaves before it issue."""
    return f"claim:round:{round_id}:batch:{batch[0][0]}-{batch[0][1]}"


def claim_round(
    chain: Chain,
    sender: Sender,
    round_id: int,
    tree: StandardMerkleTree,
    batch_size: int = DEFAULT_BATCH_SIZE,
    say: Callable[[str], None] = print,
) -> ClaimResult:
    """Check `tree` against round `round_id` on chain, plan, and send the batches through `sender`.

    ChainError when the round is not on chain or was revoked; InputError when the tree is not the
    round's. Crash point "claim:batch" after the first batch is mined (and journaled)."""
    on_chain = round_on_chain(chain, round_id)
    if on_chain is None:
        raise ChainError(f"round {round_id} is not submitted on this chain: submit it first")
    if on_chain.revoked:
        raise ChainError(f"round {round_id} was revoked by the oracle's admin (see its RoundRevoked event): nothing of it can issue")
    if on_chain.root != tree.root:
        raise InputError(f"the tree's root {tree.root_hex} is not round {round_id}'s root 0x{on_chain.root.hex()}: wrong file or round")
    leaves: list[Leaf] = [tuple(v) for v in tree.values]  # type: ignore[misc]
    states = installation_states(chain, {leaf[0] for leaf in leaves})
    years = factor_years(chain, {utc_year(leaf[1]) for leaf in leaves})
    plan = plan_issuance(leaves, states, years, batch_size, (on_chain.period_start, on_chain.period_end))
    _report_plan(round_id, len(leaves), plan, say)
    result = ClaimResult(skipped=reason_counts(plan), skipped_leaves=list(plan.skipped))
    certificates = chain.contract("GenerationCertificates")
    for n, batch in enumerate(plan.batches, start=1):
        call = certificates.functions.issueBatch(round_id, list(batch), [tree.proof_hex(leaf) for leaf in batch])
        receipt = sender.send(batch_key(round_id, batch), call)
        if n == 1:
            crash_point("claim:batch")
        issued = issued_certificates(certificates, receipt)
        result.receipts.append(receipt)
        result.certificates.extend(issued)
        gas = int(receipt["gasUsed"])
        ids = f"ids {issued[0].token_id}-{issued[-1].token_id}" if issued else "no CertificateIssued log"
        say(f"[{n}/{len(plan.batches)}] {len(batch)} certificate(s), {ids}, gas {gas:,} ({gas // len(batch):,} each)")
    return result


def _report_plan(round_id: int, leaf_count: int, plan: IssuancePlan, say: Callable[[str], None]) -> None:
    say(f"round {round_id}: {leaf_count} leaves, {plan.leaf_count} to issue in {len(plan.batches)} batch(es), "
        f"{len(plan.skipped)} left out")
    for kind, count in sorted(reason_counts(plan).items()):
        say(f"  {count} leaf(s) {kind}")
    for leaf, reason in plan.skipped:
        if reason != ALREADY_CERTIFIED:
            say(f"  left out: installation {leaf[0]}, {iso_utc_minute(leaf[1])} to {iso_utc_minute(leaf[2])}: {reason}")


def round_certificates(chain: Chain, round_id: int, from_block: int = 0) -> list[IssuedCertificate]:
    """Every certificate issued from round `round_id`, read from the CertificateIssued logs (roundId
    is indexed) from block `from_block` (e.g. the round's submission block) to the latest: the
    certificates of batches whose claim run was killed before it recorded them."""
    issued = chain.contract("GenerationCertificates").events.CertificateIssued()
    logs = chain_call(f"the certificates of round {round_id}", lambda: issued.get_logs(
        argument_filters={"roundId": round_id}, from_block=from_block, to_block="latest"))
    return [_certificate_of(e) for e in logs]


def _certificate_of(event) -> IssuedCertificate:  # noqa: ANN001 (a CertificateIssued EventData)
    args = event.args
    return IssuedCertificate(int(args.tokenId), int(args.installationId), int(args.periodStart),
                             int(args.periodEnd), int(args.energyWh), str(args.beneficiary))


def issued_certificates(certificates: Contract, receipt: TxReceipt) -> list[IssuedCertificate]:
    """The certificates a receipt's CertificateIssued logs record (ids from logs, not the return
    value, which would need a tracing node)."""
    events = certificates.events.CertificateIssued().process_receipt(receipt, errors=DISCARD)
    return [_certificate_of(e) for e in events]
