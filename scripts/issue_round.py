"""Issue every certificate of a submitted round with ``issueBatch``, as a relayer or a cron job.

    brownie run scripts/issue_round.py main <round-id> <tree.json> [batch-size] --network <id>

``<tree.json>`` is the round's generation tree as a ``standard-v1`` dump (``oracle/merkle.py``
``StandardMerkleTree.dump()`` or ``@openzeppelin/merkle-tree``'s ``tree.dump()``) with leaves
(installationId, periodStart, periodEnd, energyWh, readingsRoot); its root must be the round's root
on chain. Leaves go out in batches of ``batch-size`` (default 100, ~7.6M gas each).

Issuance rule (GenerationCertificates): per installation, a leaf must start EXACTLY at its
watermark ``certifiedUntil`` (the commissioning date before the first certificate); issuing moves
the watermark to the leaf's end. So the plan takes each installation's leaves in period order,
chained from the on-chain watermark. A leaf that starts after the watermark waits ("waits for a
leaf starting at <UTC time>"), and so do the later leaves of that installation: they issue once a
leaf starting at the watermark (from this round or a later one, e.g. one spanning an outage) is
issued. A leaf starting before the watermark is "already certified" when it ends at or before
it, otherwise it overlaps a certified period (or an earlier leaf of this round).

Safe to rerun: already certified leaves are left out, so a crash or a failed batch loses nothing
and issues nothing twice. Leaves that would make a batch revert are reported and left out: zero
energy, an empty or too long period, a period outside the round's, an inactive or unregistered
installation, no emission factor for the year. Every leaf left out is counted under its reason.

Sender: accounts[0] on local chains; elsewhere ``$ISSUER_KEYSTORE_ID`` or ``$ISSUER_PRIVATE_KEY``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from oracle.merkle import MerkleTreeError, StandardMerkleTree, generation_leaf_types
from scripts.deployment import DeploymentError

DEFAULT_BATCH_SIZE = 100
ACTIVE = 0  # InstallationRegistry.InstallationStatus.Active
ALREADY_CERTIFIED = "already certified"
OVERLAPS_CERTIFIED = "overlaps a certified period"
OVERLAPS_ROUND_LEAF = "overlaps an earlier leaf of this round"
MAX_ENERGY_WH = 2**40 - 1  # GenerationCertificates stores energyWh in 40 bits
MAX_PERIOD_S = 2**32 - 1  # and the period length in 32

Leaf = tuple[int, int, int, int, bytes]


class IssueRoundError(Exception):
    """The round cannot be issued as asked; the message says why and what to do."""


@dataclass(frozen=True)
class InstallationState:
    """What issuance checks on chain for one installation."""

    certified_until_s: int
    active: bool


@dataclass
class IssuancePlan:
    """Batches to send, in order, and the leaves left out with the reason."""

    batches: list[list[Leaf]] = field(default_factory=list)
    skipped: list[tuple[Leaf, str]] = field(default_factory=list)

    @property
    def leaf_count(self) -> int:
        return sum(len(batch) for batch in self.batches)


def utc_year(unix_s: int) -> int:
    return datetime.fromtimestamp(unix_s, tz=timezone.utc).year


def iso_utc(unix_s: int) -> str:
    return datetime.fromtimestamp(unix_s, tz=timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


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
    return f"waits for a leaf starting at {iso_utc(watermark_s)}"


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
        raise IssueRoundError(f"batch size must be at least 1, got {batch_size}")
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
        kind = "waits for a leaf starting at the watermark" if reason.startswith("waits for") else reason
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def load_round_tree(path: Path) -> StandardMerkleTree:
    """The generation tree dumped at `path`, checked node by node and for the leaf encoding."""
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise IssueRoundError(f"cannot read {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise IssueRoundError(f"{path} is not JSON: {exc}") from None
    try:
        tree = StandardMerkleTree.load(data)
    except MerkleTreeError as exc:
        raise IssueRoundError(f"{path}: {exc}") from None
    if tree.types != list(generation_leaf_types):
        raise IssueRoundError(f"{path}: leaves are {tree.types}, expected generation leaves {list(generation_leaf_types)}")
    return tree


def read_states(registry: Any, certificates: Any, installation_ids: set[int]) -> dict[int, InstallationState]:
    """Watermark and status of each installation registered on chain (unknown ids are left out)."""
    count = int(registry.installationCount())
    states = {}
    for installation_id in sorted(i for i in installation_ids if 1 <= i <= count):
        _, status, _ = registry.installationCore(installation_id)
        states[installation_id] = InstallationState(int(certificates.certifiedUntil(installation_id)), int(status) == ACTIVE)
    return states


def read_factor_years(registry: Any, years: set[int]) -> set[int]:
    """The years among `years` that have an emission factor on chain."""
    return {year for year in years if int(registry.emissionFactor(year)[0]) != 0}


def leaf_arg(leaf: Sequence[Any]) -> tuple[Any, ...]:
    """A generation leaf as the Leaf struct argument (bytes32 as 0x hex)."""
    return tuple("0x" + v.hex() if isinstance(v, bytes) else v for v in leaf)


def issue_round(
    contracts: Mapping[str, Any],
    round_id: int,
    tree: StandardMerkleTree,
    sender: Any,
    batch_size: int = DEFAULT_BATCH_SIZE,
    say: Callable[[str], None] = print,
) -> list[Any]:
    """Check `tree` against round `round_id`, plan, and send the batches. Returns the receipts."""
    names = ("GenerationOracle", "InstallationRegistry", "GenerationCertificates")
    missing = [name for name in names if name not in contracts]
    if missing:
        raise IssueRoundError(f"the deployment has no {', '.join(missing)}: deploy the energy contracts first")
    oracle, registry, certificates = (contracts[name] for name in names)
    root, round_start_s, round_end_s, _, _, revoked = oracle.roundForIssuance(round_id)
    on_chain = bytes(root)
    if on_chain == bytes(32):
        raise IssueRoundError(f"round {round_id} is not submitted on this chain (last round {oracle.lastRoundId()})")
    if revoked:
        raise IssueRoundError(f"round {round_id} was revoked by the oracle's admin (see its RoundRevoked event): nothing of it can issue")
    if on_chain != tree.root:
        raise IssueRoundError(f"the tree's root {tree.root_hex} is not round {round_id}'s root 0x{on_chain.hex()}: wrong file or round")
    leaves: list[Leaf] = [tuple(v) for v in tree.values]  # type: ignore[misc]
    states = read_states(registry, certificates, {leaf[0] for leaf in leaves})
    factor_years = read_factor_years(registry, {utc_year(leaf[1]) for leaf in leaves})
    plan = plan_issuance(leaves, states, factor_years, batch_size, (int(round_start_s), int(round_end_s)))
    say(f"round {round_id}: {len(leaves)} leaves, {plan.leaf_count} to issue in {len(plan.batches)} batch(es), "
        f"{len(plan.skipped)} left out")
    for kind, count in sorted(reason_counts(plan).items()):
        say(f"  {count} leaf(s) {kind}")
    for leaf, reason in plan.skipped:
        if reason != ALREADY_CERTIFIED:
            say(f"  left out: installation {leaf[0]}, {iso_utc(leaf[1])} to {iso_utc(leaf[2])}: {reason}")
    receipts = []
    for n, batch in enumerate(plan.batches, start=1):
        proofs = [tree.proof_hex(leaf) for leaf in batch]
        tx = certificates.issueBatch(round_id, [leaf_arg(leaf) for leaf in batch], proofs, {"from": sender}, silent=True)
        if tx.status != 1:
            raise IssueRoundError(f"batch {n} reverted ({tx.revert_msg}); rerun to issue what is left")
        # ids from the logs, not tx.return_value: that needs a node that traces (debug_traceTransaction)
        ids = [int(ev["tokenId"]) for ev in tx.events["CertificateIssued"]]
        receipts.append(tx)
        say(f"[{n}/{len(plan.batches)}] {len(batch)} certificate(s), ids {ids[0]}-{ids[-1]}, "
            f"gas {tx.gas_used:,} ({tx.gas_used // len(batch):,} each)")
    return receipts


def _positive_int(text: str, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise IssueRoundError(f"{what} must be a whole number, got {text!r}") from None
    if value < 1:
        raise IssueRoundError(f"{what} must be at least 1, got {value}")
    return value


def main(round_id: str = "", tree_path: str = "", batch_size: str = str(DEFAULT_BATCH_SIZE)) -> None:
    """brownie entry point: ``main <round-id> <tree.json> [batch-size]``."""
    from brownie.exceptions import VirtualMachineError

    from scripts.deploy import deployed_contracts
    from scripts.deployment import account_from_env

    try:
        if not round_id or not tree_path:
            raise IssueRoundError("usage: brownie run scripts/issue_round.py main <round-id> <tree.json> [batch-size]")
        rid, size = _positive_int(round_id, "round id"), _positive_int(batch_size, "batch size")
        tree = load_round_tree(Path(tree_path))
        contracts = deployed_contracts(["GenerationOracle", "InstallationRegistry", "GenerationCertificates"])
        sender = account_from_env("ISSUER", "an issuer")
        issue_round(contracts, rid, tree, sender, size)
    except (IssueRoundError, DeploymentError) as exc:
        print(f"issue_round: {exc}", file=sys.stderr)
        sys.exit(1)
    except VirtualMachineError as exc:
        print(f"issue_round: a batch reverted ({exc.revert_msg}); rerun to issue what is left", file=sys.stderr)
        sys.exit(1)
