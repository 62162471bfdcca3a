"""Gas budgets of the energy contracts, measured with the benchmark's own helpers
(scripts/benchmarks/energy.py) on a fresh suite (transaction gas from the node's receipt).

Issue 5's targets and what is asserted here:
- submitRound: the same gas within 1% for 10 and 1,000 leaves (met; 100,000 leaves in `make bench`).
- retire and lockForExport <= 80,000 (met, on a certificate's first and later retirements: a record
  is one hash slot, retiredWh/exportedWh live in the certificate's only slot).
- settle to the beneficiary <= 80,000 (met), also right after the beneficiary claimed (its owed
  balance is zero again). Only the first settlement in a word of 256 certificates that also meets a
  zero owed balance writes two new slots (2 x 22,100 gas on top of the steady ~59k): ceiling.
- settle into a project: the real Crowdfunding is measured by tests/test_demo.py; here against the
  mock (contracts/test/MockProjectRevenue.sol), whose depositRevenue costs more than the real one
  (86.3k steady; 83.0k before issue 9's acceptsRevenue check, which pays a cancelled project's
  beneficiary instead): ceiling.
- issue of one installation-day <= 90,000 (<= 1,000 gas per 15-minute reading): met amortised, in
  issueBatch from a batch of 3 (89.9k each; asserted for batches of 10 and 100 installations with
  distinct beneficiaries).
  A lone `issue` (one-off claims; relayers issue in batches) cannot meet it, see ISSUE_FLOOR_GAS
  below: every certificate writes two new slots (its record and the beneficiary's ERC-1155 balance,
  44,200 gas) on top of the 21,000 of a transaction; a lone issue is asserted at a ceiling. The
  installation's first day costs the same as later days (the watermark lives in the registry's
  already non-zero installation slot). Issue 9's checks add per issue / issueBatch the round's
  issued counters (one slot: a new one on a round's first issuance, 22.1k, else 5k) and the round's
  declared Wh, and per leaf the installation's capacity slot (2.1k).
"""

import pytest

from scripts.benchmarks.energy import (
    BENCH_COMMISSIONED_AT,
    BENCH_DAY0,
    DAY_S,
    agree_terms,
    day_leaves,
    deploy_bench_suite,
    distinct_beneficiary,
    issue_batch,
    issue_leaf,
    register_installations,
    send,
    submit_round,
)
from scripts.deployment.market import create_live_project

# Lower bound of `issue` (one installation-day, 7-node proof) before any execution, in gas:
# 21,000 base + ~5,200 calldata (484 bytes) + 22,100 new certificate slot + 22,100 new ERC-1155
# balance slot + 2,600 beneficiary account (ERC-1155 acceptance check) + 2,100 + 2,900 pause/counter
# slot + oracle call (2,600 account + 2,100 root + 2,100 period) + registry call (2,600 account +
# 2,100 role + 2,100 installation slot + 2,900 watermark write + 2,100 emission factor) + ~5,300
# CertificateIssued and TransferSingle logs = 101,900; issue 9: + 2,100 round's declared Wh + 2,100
# installation capacity + 2,100 and 2,900 the round's issued counters (a round issued from before)
# = 111,100; ABI coding, calls and Merkle hashing add ~15k.
ISSUE_FLOOR_GAS = 111_100
# measured 127.7k steady and installation-first in a round issued from before (116.2k before issue
# 9's capacity check and round counters); a round's first issue writes its counter slot new: 144k
ISSUE_GAS_CEILING = 131_000
ISSUE_BATCH_GAS_PER_DAY_BUDGET = 90_000  # issue 5 budget, per installation-day (measured 84.4k at 10, 78.6k at 100)
READINGS_PER_DAY = 96
ISSUE_CONTRACT_FIRST_GAS_CEILING = 170_000  # the contract's very first issue: counter slots and factor lock (measured 166.3k; 138.4k before issue 9)
RETIRE_GAS_BUDGET = 80_000  # issue 5 budget (was 203,393)
EXPORT_GAS_BUDGET = 80_000  # issue 5 budget (was 154,539)
SETTLE_GAS_BUDGET = 80_000  # issue 5 budget
SETTLE_FIRST_USE_GAS_CEILING = 96_000  # two new slots (flag word, owed balance)
SETTLE_INTO_PROJECT_GAS_CEILING = 88_000  # measured 86,342 with the mock (82,954 before issue 9's acceptsRevenue check)


@pytest.fixture(scope="module")
def bench(operator, alice, carol, bob):
    """A bench suite with installations 1..100 commissioned at day 10 (2 linked to a live project;
    beneficiary alice for 1 and 2, a distinct address for the others; carol accepted terms for 1
    and 2 at 95 CLP/kWh), day 10 and day 11 rounds (1 and 2)."""
    suite = deploy_bench_suite(operator)
    register_installations(suite, 100, alice, operator, beneficiary_for=lambda i: None if i <= 2 else distinct_beneficiary(i))
    send(suite.installation_registry.setProjectId, 2, create_live_project(suite.projects, operator, operator), sender=operator)
    agree_terms(suite, [1, 2], carol, operator)
    rounds = {}
    for round_id, start in ((1, BENCH_COMMISSIONED_AT), (2, BENCH_COMMISSIONED_AT + DAY_S)):
        leaves = day_leaves(range(1, 101), start, real_readings_for=2)
        tree, _ = submit_round(suite, round_id, leaves, bob)
        rounds[round_id] = (tree, leaves)
    return suite, rounds


def test_submit_round_gas_is_equal_within_one_percent_for_10_and_1000_leaves(bench, bob):
    suite, _ = bench
    submit_round(suite, 3, day_leaves(range(1, 11), BENCH_DAY0 + 19 * DAY_S), bob)  # both measured after a round
    _, small = submit_round(suite, 4, day_leaves(range(1, 11), BENCH_DAY0 + 20 * DAY_S), bob)
    _, large = submit_round(suite, 5, day_leaves(range(1, 1_001), BENCH_DAY0 + 21 * DAY_S), bob)
    assert abs(large - small) <= small // 100


def test_issue_of_the_contracts_first_certificate_stays_under_its_ceiling(bench, bob):
    suite, rounds = bench
    assert issue_leaf(suite, 1, rounds[1][0], rounds[1][1][0], bob) <= ISSUE_CONTRACT_FIRST_GAS_CEILING


def test_issue_of_an_installations_first_day_costs_the_same_as_a_later_day(bench, bob):
    suite, rounds = bench
    issue_leaf(suite, 1, rounds[1][0], rounds[1][1][0], bob)
    issue_leaf(suite, 2, rounds[2][0], rounds[2][1][0], bob)  # both rounds have issued (their counter slots are in use)
    installation_first = issue_leaf(suite, 1, rounds[1][0], rounds[1][1][2], bob)  # installation 3, day 10
    steady = issue_leaf(suite, 2, rounds[2][0], rounds[2][1][2], bob)  # installation 3, day 11
    print(f"issue gas: installation's first {installation_first}, next day {steady}")
    assert abs(installation_first - steady) <= 100
    assert ISSUE_FLOOR_GAS < steady <= ISSUE_GAS_CEILING


@pytest.mark.parametrize("batch_size", [10, 100])
def test_issue_batch_meets_the_90k_budget_per_installation_day(bench, bob, batch_size):
    """Days 10 (the installations' first, in the contract's first batch) and 11, each a round's
    first issuance (its counters are a new slot), with the capacity check on every leaf."""
    suite, rounds = bench
    tree, leaves = rounds[1]
    first_days = issue_batch(suite, 1, tree, leaves[:batch_size], bob) // batch_size
    tree, leaves = rounds[2]
    next_days = issue_batch(suite, 2, tree, leaves[:batch_size], bob) // batch_size
    print(f"issueBatch of {batch_size}: {first_days} per installation-day in the contract's first batch "
          f"(new counter slots, emission factor lock), {next_days} per next day")
    assert max(first_days, next_days) <= ISSUE_BATCH_GAS_PER_DAY_BUDGET
    assert max(first_days, next_days) // READINGS_PER_DAY <= 1_000


@pytest.fixture
def held(bench, bob):
    """alice holds certificates 1 (installation 1) and 2 (installation 2, linked to a project) of
    day 10, 3 and 4 of day 11."""
    suite, rounds = bench
    for round_id in (1, 2):
        tree, leaves = rounds[round_id]
        issue_leaf(suite, round_id, tree, leaves[0], bob)
        issue_leaf(suite, round_id, tree, leaves[1], bob)
    return suite


def test_retire_meets_the_80k_budget_on_first_and_later_use(held, alice):
    args = ("Municipalidad de Santiago", "Scope 2 market-based", "2026", "CL")
    first = send(held.certificates.retire, 1, 1_000, *args, sender=alice)  # the contract's first retirement
    again = send(held.certificates.retire, 1, 1_000, *args, sender=alice)
    other = send(held.certificates.retire, 3, 1_000, *args, sender=alice)  # first of another certificate
    print(f"retire gas: {first}, {again}, {other}")
    assert max(first, again, other) <= RETIRE_GAS_BUDGET


def test_lock_for_export_meets_the_80k_budget_on_first_and_later_use(held, alice):
    first = send(held.certificates.lockForExport, 2, 1_000, "RENAMI Chile", "CL-2026-000123", sender=alice)
    again = send(held.certificates.lockForExport, 2, 1_000, "RENAMI Chile", "CL-2026-000124", sender=alice)
    print(f"lockForExport gas: {first}, {again}")
    assert max(first, again) <= EXPORT_GAS_BUDGET


@pytest.fixture
def funded(held, operator, carol):
    send(held.token.mint, carol, 10_000_000, sender=operator)
    send(held.token.approve, held.sales, 10_000_000, sender=carol)
    send(held.sales.deposit, 10_000_000, sender=carol)
    return held


def test_settle_to_beneficiary_meets_the_80k_budget(funded, bob):
    first = send(funded.sales.settle, 1, 1, sender=bob)  # first use of the flag word and of alice's owed balance
    steady = send(funded.sales.settle, 1, 3, sender=bob)
    print(f"settle to beneficiary gas: first {first}, steady {steady}")
    assert first <= SETTLE_FIRST_USE_GAS_CEILING
    assert steady <= SETTLE_GAS_BUDGET


def test_settle_after_the_beneficiary_claimed_meets_the_80k_budget(funded, alice, bob):
    send(funded.sales.settle, 1, 1, sender=bob)
    send(funded.sales.claim, sender=alice)
    assert funded.sales.owedTo(alice) == 0
    after_claim = send(funded.sales.settle, 1, 3, sender=bob)
    print(f"settle to beneficiary gas after a claim: {after_claim}")
    assert after_claim <= SETTLE_GAS_BUDGET


def test_settle_into_project_stays_under_its_ceiling(funded, bob):
    send(funded.sales.settle, 2, 2, sender=bob)  # first use: the mock's revenue total is a new slot
    steady = send(funded.sales.settle, 2, 4, sender=bob)
    print(f"settle into project gas: steady {steady}")
    assert steady <= SETTLE_INTO_PROJECT_GAS_CEILING
