"""Gas of the certified-generation contracts (``gas.energy`` in bench/results.json).

- ``submitRound`` with quorum 2 for rounds of 10, 1,000 and 100,000 leaves (real trees built with
  oracle/merkle.py, real EIP-712 signatures from oracle/signing.py): only the root is stored, so the
  gas is the same within 1%.
- ``issue`` of one installation-day (a leaf whose readingsRoot is the root of a real 96-reading tree),
  and "round + issue x N": one round of N installations plus N lone issues, for 1, 10 and 100
  installations. The naive baseline that stores every reading is in ``per_reading_gas`` only.
- ``issueBatch`` of 1, 10 and 100 installation-days of one round (100 leaves, so 7-node proofs),
  per installation-day: the round, the counter and the warm contracts are paid once per batch, the
  two new slots of every certificate (its record and the beneficiary's ERC-1155 balance) each time.
  Installations 3..100 have distinct beneficiaries (each a cold account for the ERC-1155 acceptance
  check), 1 and 2 share the holder.
- ``retire``, ``lockForExport``, ``settle``.

``bench_per_reading()`` (``per_reading_gas`` in bench/results.json) is the cost of certifying one
15-minute reading with daily issuance for 1, 10, 100 and 1,000 installations: one round of N leaves
plus ``issueBatch`` in batches of 100, divided by N x 96 readings; beside the naive baseline
(NaiveReadingStore, one ``storeReadings`` of 96 readings per installation-day). The naive day of N
installations needs more gas than one block holds from a few dozen installations on; those sizes
are not sent but extrapolated from its linear cost (measured at NAIVE_MEASURED_INSTALLATIONS,
residual of the straight line reported) and marked ``extrapolated``. ``round_gas_by_leaves`` reads
the submitRound rows of ``bench_energy()`` as ``round_gas`` (leaf count -> gas).

"(first)" rows pay for storage a later call finds in use (the contract's first certificate counter
and the emission factor lock, a settlement-flag word, a balance); an installation's first day costs
the same as its later days (its watermark shares the registry's already non-zero installation slot),
but the first issue of a round writes that round's new issued-leaves/Wh counter (~22k once per
round; a batch pays it once for all its leaves).
"settle into project revenue, mock" pays into a mock IProjectRevenue (contracts/test/), so its
figure contains the mock's depositRevenue, not the real Crowdfunding's (`make demo` prints that one).

Everything is deployed fresh on the connected local chain; signer keys are fixed benchmark keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from brownie import MockProjectRevenue, NaiveReadingStore, PesoToken, accounts, chain, web3
from eth_account import Account

from oracle.leaves import generation_tree, leaf_arg, reading_tree
from oracle.merkle import StandardMerkleTree
from oracle.signing import Round, round_as_tuple, round_from_generation_tree, sign_round
from oracle.timeutil import DAY_S, INTERVAL_S
from scripts.deployment.energy import (
    deploy_certificates,
    deploy_generation_oracle,
    deploy_installation_registry,
    deploy_sales,
)
from scripts.deployment.market import create_live_project, deploy_projects

READINGS_PER_DAY = 96
BENCH_DAY0 = 1_767_225_600  # 2026-01-01T00:00:00Z
BENCH_FIRST_ISSUED_DAY = 10  # installations are commissioned at the start of day 10 (the first leaf starts there)
BENCH_COMMISSIONED_AT = BENCH_DAY0 + BENCH_FIRST_ISSUED_DAY * DAY_S
BENCH_TARIFF_CLP_PER_KWH = 95
BENCH_SIGNER_KEYS = ("0x" + f"{0xBE7C1:064x}", "0x" + f"{0xBE7C2:064x}")
ROUND_SIZES = (10, 1_000, 100_000)
ISSUE_INSTALLATIONS = (1, 10, 100)
BATCH_SIZES = (1, 10, 100)
PER_READING_INSTALLATIONS = (1, 10, 100, 1_000)
ISSUE_BATCH_SIZE = 100
NAIVE_MEASURED_INSTALLATIONS = (1, 10, 20)


def round_gas_row(leaves: int) -> str:
    """The ``gas.energy`` row of a submitRound of `leaves` leaves."""
    return f"submitRound, quorum 2, {leaves:,} leaves"


def send(method: Any, *args: Any, sender: Any) -> int:
    """Send a transaction and return its gas from the node's receipt. brownie 1.22.2 sometimes
    reports a transaction of a long run as "dropped" while the node has mined it; reading the
    receipt from the node directly avoids that false failure. The nonce is the node's: brownie's own
    guess from its history can go wrong after a chain.revert with unconfirmed entries in it."""
    nonce = web3.eth.get_transaction_count(str(sender), "pending")
    pending = method(*args, {"from": sender, "required_confs": 0, "nonce": nonce})
    receipt = web3.eth.wait_for_transaction_receipt(pending.txid)
    if receipt["status"] != 1:
        raise RuntimeError(f"bench transaction {pending.txid} reverted")
    return int(receipt["gasUsed"])


@dataclass
class EnergySuite:
    token: Any
    installation_registry: Any
    oracle: Any
    certificates: Any
    sales: Any
    revenue: Any
    projects: Any


def deploy_bench_suite(admin: Any, signer_keys: Sequence[str] = BENCH_SIGNER_KEYS) -> EnergySuite:
    """Token, Projects, mock project revenue and the four energy contracts, each deployed and wired
    by scripts/deployment (energy sales pay project revenue into the mock, and the registry is not
    linked back from Projects: the benchmark measures the energy contracts alone); oracle quorum =
    len(signer_keys)."""
    tx = {"from": admin}
    token = PesoToken.deploy(admin, tx)
    revenue = MockProjectRevenue.deploy(token, tx)
    projects = deploy_projects(admin, token)
    installation_registry = deploy_installation_registry(admin, projects)
    installation_registry.setEmissionFactor(2026, 350, "benchmark factor", tx)
    signers = [Account.from_key(k).address for k in signer_keys]
    oracle = deploy_generation_oracle(admin, signers, len(signers))
    certificates = deploy_certificates(admin, oracle, installation_registry)
    sales = deploy_sales(admin, token, installation_registry, certificates, revenue)
    return EnergySuite(token, installation_registry, oracle, certificates, sales, revenue, projects)


def synthetic_day_wh(installation_id: int) -> list[int]:
    """96 synthetic 15-minute readings (Wh) of a clear day, scaled a little per installation."""
    peak_wh = 1_000 + installation_id % 500
    return [max(0, peak_wh - abs(i - 52) * peak_wh // 24) if 28 <= i <= 76 else 0 for i in range(READINGS_PER_DAY)]


def readings_tree(installation_id: int, period_start: int) -> StandardMerkleTree:
    """Tree of the installation's 96 readings of the day starting at `period_start`."""
    return reading_tree(installation_id, [(period_start + i * INTERVAL_S, wh)
                                          for i, wh in enumerate(synthetic_day_wh(installation_id))])


def day_leaves(installation_ids: Sequence[int], period_start: int, real_readings_for: int = 0) -> list[tuple]:
    """Generation leaves of one day; installations up to `real_readings_for` get a real readings root
    (the others a distinct placeholder root, which costs the same on-chain)."""
    leaves = []
    for installation_id in installation_ids:
        energy_wh = sum(synthetic_day_wh(installation_id))
        if installation_id <= real_readings_for:
            root = readings_tree(installation_id, period_start).root
        else:
            root = installation_id.to_bytes(32, "big")
        leaves.append((installation_id, period_start, period_start + DAY_S, energy_wh, root))
    return leaves


def signed_round(round_id: int, leaves: list[tuple], oracle: Any, keys: Sequence[str]) -> tuple[Round, StandardMerkleTree, list[str]]:
    tree = generation_tree(leaves)
    start = min(leaf[1] for leaf in leaves)
    end = max(leaf[2] for leaf in leaves)
    round_ = round_from_generation_tree(round_id, start, end, tree)
    sigs = ["0x" + sign_round(round_, chain.id, oracle.address, key).hex() for key in keys]
    return round_, tree, sigs


def submit_round(suite: EnergySuite, round_id: int, leaves: list[tuple], sender: Any, keys: Sequence[str] = BENCH_SIGNER_KEYS) -> tuple[StandardMerkleTree, int]:
    """Submit a signed round of `leaves`; returns its tree and the gas used."""
    round_, tree, sigs = signed_round(round_id, leaves, suite.oracle, keys)
    return tree, send(suite.oracle.submitRound, round_as_tuple(round_), sigs, sender=sender)


def issue_leaf(suite: EnergySuite, round_id: int, tree: StandardMerkleTree, leaf: tuple, sender: Any) -> int:
    """Issue the certificate of `leaf`; returns the gas used."""
    return send(suite.certificates.issue, round_id, leaf_arg(leaf), tree.proof_hex(leaf), sender=sender)


def issue_batch(suite: EnergySuite, round_id: int, tree: StandardMerkleTree, leaves: Sequence[tuple], sender: Any) -> int:
    """Issue the certificates of `leaves` in one issueBatch; returns the gas used."""
    proofs = [tree.proof_hex(leaf) for leaf in leaves]
    return send(suite.certificates.issueBatch, round_id, [leaf_arg(leaf) for leaf in leaves], proofs, sender=sender)


def distinct_beneficiary(installation_id: int) -> str:
    """A code-less address of its own per installation (an EOA for the ERC-1155 acceptance check)."""
    return "0x" + f"{0xBE0E_0000 + installation_id:040x}"


def register_installations(
    suite: EnergySuite,
    count: int,
    beneficiary: Any,
    admin: Any,
    project_id: int = 0,
    beneficiary_for: Callable[[int], Any] | None = None,
    commissioned_at: int = BENCH_COMMISSIONED_AT,
) -> None:
    """Register installations 1..count (on an empty registry) to `beneficiary`, or to
    `beneficiary_for(installation_id)` where that returns an address (None: `beneficiary`),
    commissioned at `commissioned_at` (their first leaf must start there)."""
    for i in range(count):
        owner = beneficiary_for(i + 1) if beneficiary_for else None
        params = (owner or beneficiary, 30_000, -33_448_900, -70_669_300, 13101, commissioned_at, project_id,
                  "PV rooftop", "blue'Log X-1000", f"BL-{i:05d}", "PTSP")
        send(suite.installation_registry.registerInstallation, params, sender=admin)


def agree_terms(suite: EnergySuite, installation_ids: Sequence[int], offtaker: Any, admin: Any,
                valid_from: int = BENCH_COMMISSIONED_AT, tariff_clp_per_kwh: int = BENCH_TARIFF_CLP_PER_KWH) -> None:
    """The tariff role proposes and `offtaker` accepts terms for each installation from `valid_from`."""
    for installation_id in installation_ids:
        send(suite.sales.proposeTerms, installation_id, offtaker, tariff_clp_per_kwh, valid_from, sender=admin)
        send(suite.sales.acceptTerms, installation_id, tariff_clp_per_kwh, valid_from, sender=offtaker)


def naive_gas(store: Any, installation_count: int, period_start: int, sender: Any) -> int:
    """Total gas to store every reading of one day for `installation_count` installations."""
    total = 0
    starts = [period_start + i * INTERVAL_S for i in range(READINGS_PER_DAY)]
    for installation_id in range(1, installation_count + 1):
        total += send(store.storeReadings, installation_id, starts, synthetic_day_wh(installation_id), sender=sender)
    return total


def bench_energy() -> dict[str, int]:
    """Gas of the energy operations (see the module docstring)."""
    admin, holder, offtaker, relayer = accounts[0], accounts[1], accounts[2], accounts[3]
    suite = deploy_bench_suite(admin)
    gas: dict[str, int] = {}

    # Round 1 initialises the oracle's lastRoundId; every size is then measured under the same rules.
    # Round ids increase by one: rounds 2..4 are the sizes, 5 and 6 the issue days, 7..9 the batches.
    submit_round(suite, 1, day_leaves([1], BENCH_DAY0), relayer)
    for round_id, size in enumerate(ROUND_SIZES, start=2):
        _, used = submit_round(suite, round_id, day_leaves(range(1, size + 1), BENCH_DAY0 + round_id * DAY_S), relayer)
        gas[round_gas_row(size)] = used

    # issue: installation-days in rounds of 100 installations, readingsRoot of 96 real readings;
    # installations commissioned at day 10, so days 10, 11, 12, ... chain from their watermarks.
    # Their terms are accepted before any certificate (terms never start before the watermark).
    max_n = max(ISSUE_INSTALLATIONS)
    register_installations(suite, max_n, holder, admin, project_id=0,
                           beneficiary_for=lambda i: None if i <= 2 else distinct_beneficiary(i))
    agree_terms(suite, [1, 2], offtaker, admin)
    day_a, day_b = BENCH_COMMISSIONED_AT, BENCH_COMMISSIONED_AT + DAY_S
    leaves_a = day_leaves(range(1, max_n + 1), day_a, real_readings_for=max_n)
    tree_a, round_gas = submit_round(suite, 5, leaves_a, relayer)
    issue_gas = [issue_leaf(suite, 5, tree_a, leaf, relayer) for leaf in leaves_a]
    leaves_b = day_leaves(range(1, max_n + 1), day_b, real_readings_for=2)
    tree_b, _ = submit_round(suite, 6, leaves_b, relayer)
    steady = issue_leaf(suite, 6, tree_b, leaves_b[0], relayer)  # certificate max_n + 1
    issue_leaf(suite, 6, tree_b, leaves_b[1], relayer)  # certificate max_n + 2
    gas["issue, 96 readings (contract's first)"] = issue_gas[0]
    gas["issue, 96 readings (installation's first, round issued from)"] = issue_gas[1]
    gas["issue, 96 readings (next day, round's first)"] = steady
    gas["issue per 15-minute reading (amortised)"] = steady // READINGS_PER_DAY
    # installations 1 and 2 have their day b certificates; the batches chain everyone from day c
    send(suite.certificates.issueBatch, 6, [leaf_arg(leaf) for leaf in leaves_b[2:]],
         [tree_b.proof_hex(leaf) for leaf in leaves_b[2:]], sender=relayer)
    for n, size in enumerate(BATCH_SIZES):
        round_id = 7 + n
        leaves = day_leaves(range(1, max_n + 1), day_b + (1 + n) * DAY_S, real_readings_for=max_n)
        tree, _ = submit_round(suite, round_id, leaves, relayer)
        per_day = issue_batch(suite, round_id, tree, leaves[:size], relayer) // size
        gas[f"issueBatch of {size}, per installation-day"] = per_day
        gas[f"issueBatch of {size}, per 15-minute reading"] = per_day // READINGS_PER_DAY
        if size < max_n:  # the rest of the day, so the next batch's day starts at every watermark
            send(suite.certificates.issueBatch, round_id, [leaf_arg(leaf) for leaf in leaves[size:]],
                 [tree.proof_hex(leaf) for leaf in leaves[size:]], sender=relayer)

    for n in ISSUE_INSTALLATIONS:
        gas[f"round + issue x {n} installation(s)"] = round_gas + sum(issue_gas[:n])

    # retire / lockForExport: holder owns certificates 1 and 2 (day a) and 101, 102 (day b); each
    # measured on a certificate none of whose Wh has left circulation yet
    certs = suite.certificates
    gas["retire"] = send(certs.retire, 1, 1_000, "Municipalidad de Santiago", "Scope 2 market-based", "2026", "CL", sender=holder)
    gas["lockForExport"] = send(certs.lockForExport, 2, 1_000, "RENAMI Chile", "CL-2026-000123", sender=holder)

    # settle: installation 1 without project (owed to the beneficiary), installation 2 linked to a
    # live project; both at the terms the offtaker accepted before their first certificate
    send(suite.installation_registry.setProjectId, 2, create_live_project(suite.projects, admin, admin), sender=admin)
    send(suite.token.mint, offtaker, 10_000_000, sender=admin)
    send(suite.token.approve, suite.sales, 10_000_000, sender=offtaker)
    send(suite.sales.deposit, 10_000_000, sender=offtaker)
    settle = suite.sales.settle
    gas["settle to beneficiary (first)"] = send(settle, 1, 1, sender=relayer)
    gas["settle to beneficiary"] = send(settle, 1, max_n + 1, sender=relayer)
    gas["settle into project revenue, mock (first)"] = send(settle, 2, 2, sender=relayer)
    gas["settle into project revenue, mock"] = send(settle, 2, max_n + 2, sender=relayer)
    return gas


def round_gas_by_leaves(energy_gas: dict[str, int]) -> dict[str, int]:
    """``round_gas``: leaf count (as a string, a JSON key) -> submitRound gas, from bench_energy()'s rows."""
    return {str(size): energy_gas[round_gas_row(size)] for size in ROUND_SIZES}


def amortised_gas_per_reading(round_gas: int, batch_gas: Sequence[int], installations: int,
                              readings_per_day: int = READINGS_PER_DAY) -> float:
    """Gas per 15-minute reading of one day's certification of `installations` installations: one
    round (`round_gas`) plus every issueBatch (`batch_gas`), over installations x readings_per_day."""
    if installations <= 0:
        raise ValueError(f"installations must be positive, got {installations}")
    return (round_gas + sum(batch_gas)) / (installations * readings_per_day)


def linear_fit(sizes: Sequence[int], totals: Sequence[int]) -> tuple[float, float, float]:
    """(gas per installation, fixed gas, largest |residual| in gas) of the straight line through the
    first and last (size, total) points; the residual is over every measured point."""
    slope = (totals[-1] - totals[0]) / (sizes[-1] - sizes[0])
    intercept = totals[0] - slope * sizes[0]
    residual = max(abs(total - (slope * size + intercept)) for size, total in zip(sizes, totals))
    return slope, intercept, residual


def leaves_at_watermarks(installation_ids: Sequence[int], next_start: dict[int, int]) -> list[tuple]:
    """One day's leaf per installation, each starting at that installation's watermark."""
    by_start: dict[int, list[int]] = {}
    for installation_id in installation_ids:
        by_start.setdefault(next_start[installation_id], []).append(installation_id)
    return [leaf for start, ids in sorted(by_start.items()) for leaf in day_leaves(ids, start)]


def certify_day(suite: EnergySuite, round_id: int, leaves: list[tuple], sender: Any) -> tuple[int, list[int]]:
    """Submit one round of `leaves` and issue them in batches of ISSUE_BATCH_SIZE; (round gas, batch gases)."""
    tree, round_gas = submit_round(suite, round_id, leaves, sender)
    batches = [leaves[i:i + ISSUE_BATCH_SIZE] for i in range(0, len(leaves), ISSUE_BATCH_SIZE)]
    return round_gas, [issue_batch(suite, round_id, tree, batch, sender) for batch in batches]


def bench_ours_per_reading(sizes: Sequence[int] = PER_READING_INSTALLATIONS) -> dict[int, dict[str, Any]]:
    """Per size: one round and its batches on a suite whose contract-first storage is already paid
    (a warm-up certificate), installations with distinct beneficiaries."""
    admin, relayer = accounts[0], accounts[3]
    suite = deploy_bench_suite(admin)
    register_installations(suite, max(sizes), admin, admin, beneficiary_for=distinct_beneficiary)
    next_start = {i: BENCH_COMMISSIONED_AT for i in range(1, max(sizes) + 1)}
    round_id = 1
    certify_day(suite, round_id, leaves_at_watermarks([1], next_start), relayer)
    next_start[1] += DAY_S
    results = {}
    for size in sizes:
        round_id += 1
        ids = range(1, size + 1)
        round_gas, batch_gas = certify_day(suite, round_id, leaves_at_watermarks(ids, next_start), relayer)
        for installation_id in ids:
            next_start[installation_id] += DAY_S
        results[size] = {"round_gas": round_gas, "batch_gas": batch_gas,
                         "gas_per_reading": amortised_gas_per_reading(round_gas, batch_gas, size)}
    return results


def bench_naive_per_reading(sizes: Sequence[int] = PER_READING_INSTALLATIONS,
                            measured: Sequence[int] = NAIVE_MEASURED_INSTALLATIONS) -> dict[str, Any]:
    """NaiveReadingStore's gas for a day of `measured` installations (one storeReadings each), the
    straight line through them, and per size of `sizes`: the measured total where the day fits one
    block's gas limit, else the line's value (extrapolated)."""
    admin, relayer = accounts[0], accounts[3]
    store = NaiveReadingStore.deploy({"from": admin})
    # warm-up day: every installation's running total is non-zero from then on, as in daily use
    naive_gas(store, max(measured), BENCH_DAY0, relayer)
    measured_total = {n: naive_gas(store, n, BENCH_DAY0 + (1 + k) * DAY_S, relayer) for k, n in enumerate(measured)}
    slope, intercept, residual = linear_fit(list(measured_total), list(measured_total.values()))
    block_gas_limit = int(web3.eth.get_block("latest")["gasLimit"])
    per_size = {}
    for size in sizes:
        fitted = slope * size + intercept
        extrapolated = size not in measured_total
        if extrapolated and fitted <= block_gas_limit:
            measured_total[size] = naive_gas(store, size, BENCH_DAY0 + (10 + size) * DAY_S, relayer)
            extrapolated = False
        total = round(fitted) if extrapolated else measured_total[size]
        per_size[size] = {"total_gas": total, "gas_per_reading": total / (size * READINGS_PER_DAY),
                          "extrapolated": extrapolated}
    return {"block_gas_limit": block_gas_limit,
            "measured_total_gas": {str(n): gas for n, gas in sorted(measured_total.items())},
            "gas_per_installation_day": round(slope, 1), "fixed_gas": round(intercept, 1),
            "max_residual_gas": round(residual, 1), "per_size": per_size}


def bench_per_reading(sizes: Sequence[int] = PER_READING_INSTALLATIONS) -> dict[str, Any]:
    """``per_reading_gas``: installations (a string key) -> {ours, naive, ...} in gas per 15-minute
    reading, plus the naive line (``naive_fit``); see the module docstring."""
    ours = bench_ours_per_reading(sizes)
    naive = bench_naive_per_reading(sizes)
    table: dict[str, Any] = {}
    for size in sizes:
        mine, theirs = ours[size], naive["per_size"][size]
        table[str(size)] = {
            "ours": round(mine["gas_per_reading"], 1),
            "naive": round(theirs["gas_per_reading"], 1),
            "ratio": round(theirs["gas_per_reading"] / mine["gas_per_reading"], 1),
            "extrapolated": theirs["extrapolated"],
            "ours_round_gas": mine["round_gas"],
            "ours_batches": len(mine["batch_gas"]),
            "ours_total_gas": mine["round_gas"] + sum(mine["batch_gas"]),
            "naive_total_gas": theirs["total_gas"],
        }
    fit = {key: naive[key] for key in ("block_gas_limit", "measured_total_gas", "gas_per_installation_day",
                                       "fixed_gas", "max_residual_gas")}
    return {"installations": table, "naive_fit": fit}
