"""oracle/chain/issuance.py: planning which leaves of a round can still be issued, loading the tree
dump, and claiming a round's certificates in batches on web3 (rerunnable, nothing issued twice)."""

import json

import pytest

from generation_helpers import DAY_S, day_leaf, day_start, make_round
from oracle.chain.issuance import (
    InstallationState,
    batch_key,
    claim_round,
    load_round_tree,
    plan_issuance,
    reason_counts,
)
from oracle.chain.submit import submit_round
from oracle.errors import ChainError, ConfigError, InputError
from oracle.merkle import StandardMerkleTree, reading_leaf_types

ROOT = b"\x11" * 32


def leaf(installation_id, day, days=1, wh=10_000):
    start = day_start(day)
    return (installation_id, start, start + days * DAY_S, wh, ROOT)


ACTIVE_FROM_DAY_10 = InstallationState(certified_until_s=day_start(10), active=True)


# --- plan_issuance (no chain) -------------------------------------------------------------------


def test_plan_keeps_each_installations_periods_in_order_and_batches_them():
    leaves = [leaf(2, 11), leaf(1, 12), leaf(2, 10), leaf(1, 10), leaf(1, 11)]
    plan = plan_issuance(leaves, {1: ACTIVE_FROM_DAY_10, 2: ACTIVE_FROM_DAY_10}, {2026}, batch_size=2)
    assert plan.batches == [[leaf(1, 10), leaf(1, 11)], [leaf(1, 12), leaf(2, 10)], [leaf(2, 11)]]
    assert plan.skipped == []
    assert plan.leaf_count == 5


def test_plan_leaves_out_certified_and_overlapping_periods():
    state = InstallationState(certified_until_s=day_start(11), active=True)
    leaves = [leaf(1, 12), leaf(1, 11, days=2), leaf(1, 11), leaf(1, 10, days=2), leaf(1, 10)]
    plan = plan_issuance(leaves, {1: state}, {2026})
    assert plan.batches == [[leaf(1, 11), leaf(1, 12)]]
    assert plan.skipped == [
        (leaf(1, 10), "already certified"),
        (leaf(1, 10, days=2), "overlaps a certified period"),
        (leaf(1, 11, days=2), "overlaps an earlier leaf of this round"),  # day 11 (1 day) is taken first
    ]


def test_plan_makes_a_leaf_after_the_watermark_and_the_installations_later_leaves_wait():
    """Installation 1 misses day 11 (day 12 would skip it for good): days 12 and 13 wait; the
    watermark of installation 2 is day 10, so its day 11 waits too."""
    leaves = [leaf(1, 10), leaf(1, 12), leaf(1, 13), leaf(2, 11)]
    plan = plan_issuance(leaves, {1: ACTIVE_FROM_DAY_10, 2: ACTIVE_FROM_DAY_10}, {2026})
    assert plan.batches == [[leaf(1, 10)]]
    assert plan.skipped == [
        (leaf(1, 12), "waits for a leaf starting at 2026-01-12T00:00Z"),
        (leaf(1, 13), "waits for a leaf starting at 2026-01-12T00:00Z"),
        (leaf(2, 11), "waits for a leaf starting at 2026-01-11T00:00Z"),
    ]
    assert reason_counts(plan) == {"waits for a leaf starting at the watermark": 3}


def test_plan_takes_a_leaf_spanning_an_outage_from_the_watermark():
    outage_covered = leaf(1, 10, days=3)  # days 10-12 in one leaf: the datalogger was offline
    plan = plan_issuance([outage_covered, leaf(1, 13)], {1: ACTIVE_FROM_DAY_10}, {2026})
    assert plan.batches == [[outage_covered, leaf(1, 13)]]
    assert plan.skipped == []


def test_plan_makes_the_leaves_after_an_unissuable_one_wait():
    plan = plan_issuance([leaf(1, 10), leaf(1, 11)], {1: InstallationState(day_start(10), active=False)}, {2026})
    assert plan.batches == []
    assert plan.skipped == [
        (leaf(1, 10), "installation 1 is not active"),
        (leaf(1, 11), "waits for a leaf starting at 2026-01-11T00:00Z"),
    ]


def test_plan_leaves_out_what_would_revert_a_batch():
    commissioned_2025 = InstallationState(day_start(10) - 365 * DAY_S, active=True)
    states = {1: ACTIVE_FROM_DAY_10, 2: InstallationState(day_start(10), active=False), 3: commissioned_2025}
    leaves = [leaf(1, 10), leaf(2, 10), leaf(3, 10 - 365), leaf(9, 10)]
    plan = plan_issuance(leaves, states, {2026})
    assert plan.batches == [[leaf(1, 10)]]
    assert dict((l[0], reason) for l, reason in plan.skipped) == {
        2: "installation 2 is not active",
        3: "no emission factor for 2025",
        9: "installation 9 is not registered",
    }


def test_plan_rejects_a_batch_size_below_one():
    with pytest.raises(ConfigError, match="batch size must be at least 1"):
        plan_issuance([leaf(1, 10)], {1: ACTIVE_FROM_DAY_10}, {2026}, batch_size=0)


# --- load_round_tree ----------------------------------------------------------------------------


def test_load_round_tree_round_trips_a_dump(tmp_path):
    signed = make_round(1, [day_leaf(1, 10), day_leaf(2, 10)])
    path = tmp_path / "round1.json"
    path.write_text(json.dumps(signed.tree.dump()))
    assert load_round_tree(path).root == signed.tree.root


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "is not JSON"),
        (json.dumps({"format": "other"}), "unknown Merkle tree dump format"),
        (json.dumps(StandardMerkleTree.of([(1, 0, 5)], reading_leaf_types).dump()), "expected generation leaves"),
    ],
)
def test_load_round_tree_reports_bad_files(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        load_round_tree(path)


def test_load_round_tree_reports_a_tampered_dump(tmp_path):
    dump = make_round(1, [day_leaf(1, 10), day_leaf(2, 10)]).tree.dump()
    dump["values"][0]["value"][3] = str(int(dump["values"][0]["value"][3]) + 1)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(dump))
    with pytest.raises(InputError, match="does not hash to the node"):
        load_round_tree(path)


def test_load_round_tree_reports_a_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_round_tree(tmp_path / "missing.json")


ROUND_PERIOD_S = (day_start(0), day_start(39))


@pytest.mark.parametrize(
    "bad, reason, round_period_s",
    [
        ((1, day_start(10), day_start(10), 10_000, ROOT), "empty period", ROUND_PERIOD_S),
        (leaf(1, 10, wh=0), "zero energy", ROUND_PERIOD_S),  # an offline day: the contract rejects 0 Wh
        (leaf(1, 10, wh=2**40), "energy above 1099511627775 Wh", ROUND_PERIOD_S),
        (leaf(1, 10, days=50_000), "period longer than 4294967295 s", None),
        (leaf(1, 40), "outside the round's period", ROUND_PERIOD_S),
    ],
)
def test_plan_leaves_out_leaves_the_contract_always_rejects(bad, reason, round_period_s):
    """One such leaf in a batch would revert the batch on every rerun: it is left out instead."""
    good = leaf(2, 10)
    plan = plan_issuance([bad, good], {1: ACTIVE_FROM_DAY_10, 2: ACTIVE_FROM_DAY_10}, {2026}, round_period_s=round_period_s)
    assert plan.batches == [[good]]
    assert plan.skipped == [(bad, reason)]



# --- claim_round on chain (web3) ---------------------------------------------------------------


def submitted(chain_, sender, sign, round_id, leaves):
    """Round `round_id` of `leaves`, submitted through oracle/chain with both oracle signatures."""
    signed = make_round(round_id, leaves)
    submit_round(chain_, sender, signed.round, sign(signed.round))
    return signed


def leaf_arg(leaf):
    return tuple("0x" + v.hex() if isinstance(v, bytes) else v for v in leaf)


@pytest.fixture
def round1(chain_, sender, sign, installation_ids):
    """Round 1: days 10 and 11 of installations 1 (alice) and 2 (bob), and a leaf of unregistered 9."""
    leaves = [day_leaf(1, 10), day_leaf(1, 11), day_leaf(2, 10, 50_000), day_leaf(2, 11, 60_000), day_leaf(9, 10)]
    return submitted(chain_, sender, sign, 1, leaves), leaves


def nonce(chain_, account):
    return chain_.web3.eth.get_transaction_count(account.address)


def test_claim_issues_what_is_left_in_batches_and_a_rerun_sends_nothing(
    chain_, sender, sender_account, contracts, round1, alice, bob, operator
):
    certificates = contracts["GenerationCertificates"]
    signed, leaves = round1
    certificates.issue(1, leaf_arg(leaves[0]), signed.proof(leaves[0]), {"from": operator})  # someone issued inst. 1, day 10
    lines = []

    result = claim_round(chain_, sender, 1, signed.tree, batch_size=2, say=lines.append)

    assert [len(batch_receipt["logs"]) > 0 for batch_receipt in result.receipts] == [True, True]
    assert result.token_ids == [2, 3, 4]
    assert [(c.installation_id, c.energy_wh) for c in result.certificates] == [(1, leaves[1][3]), (2, 50_000), (2, 60_000)]
    assert result.certificates[0].beneficiary == alice.address
    assert result.skipped == {"already certified": 1, "installation 9 is not registered": 1}
    assert certificates.certificateCount() == 4
    assert certificates.balanceOf(alice, 2) == leaves[1][3]
    assert certificates.balanceOf(bob, 3) == leaves[2][3]
    assert certificates.balanceOf(bob, 4) == leaves[3][3]
    assert certificates.certifiedUntil(1) == leaves[1][2]
    assert certificates.certifiedUntil(2) == leaves[3][2]
    assert lines[0] == "round 1: 5 leaves, 3 to issue in 2 batch(es), 2 left out"
    assert lines[1:3] == ["  1 leaf(s) already certified", "  1 leaf(s) installation 9 is not registered"]
    assert lines[-1].startswith("[2/2] 1 certificate(s), ids 4-4, gas ")

    sent = nonce(chain_, sender_account)
    again = []
    assert claim_round(chain_, sender, 1, signed.tree, say=again.append).receipts == []
    assert again[:2] == ["round 1: 5 leaves, 0 to issue in 0 batch(es), 5 left out", "  4 leaf(s) already certified"]
    assert certificates.certificateCount() == 4
    assert nonce(chain_, sender_account) == sent


def test_claim_journals_each_batch_under_its_first_leaf(chain_, sender, journal, round1):
    signed, leaves = round1
    claim_round(chain_, sender, 1, signed.tree, batch_size=2, say=lambda _: None)
    assert sorted(journal.records) == [f"claim:round:1:batch:1-{leaves[0][1]}", f"claim:round:1:batch:2-{leaves[2][1]}",
                                       "submit:round:1"]
    assert all(record.status == 1 for record in journal.records.values())
    assert batch_key(1, [leaves[3]]) == f"claim:round:1:batch:2-{leaves[3][1]}"


class Crashed(Exception):
    """Stands for the SIGKILL of oracle.faults.crash_point in one process."""


def test_claim_killed_after_the_first_batch_then_rerun_issues_the_rest_once(
    chain_, sender, sender_account, journal, contracts, round1, monkeypatch
):
    import oracle.chain.issuance as issuance

    def crash_at(point):
        if point == "claim:batch":
            raise Crashed(point)

    signed, _ = round1
    monkeypatch.setattr(issuance, "crash_point", crash_at)
    with pytest.raises(Crashed):
        claim_round(chain_, sender, 1, signed.tree, batch_size=2, say=lambda _: None)
    certificates = contracts["GenerationCertificates"]
    assert certificates.certificateCount() == 2
    monkeypatch.setattr(issuance, "crash_point", lambda point: None)

    result = claim_round(chain_, sender, 1, signed.tree, batch_size=2, say=lambda _: None)

    assert result.token_ids == [3, 4]
    assert result.skipped["already certified"] == 2
    assert certificates.certificateCount() == 4
    assert nonce(chain_, sender_account) == 1 + 2  # the submission and the two batches, none twice


def test_claim_needs_the_energy_contracts(chain_, sender, round1):
    from oracle.chain.manifest import Chain, Manifest

    manifest = chain_.manifest
    partial = Manifest(manifest.path, manifest.chain_id,
                       {n: e for n, e in manifest.contracts.items() if n != "GenerationOracle"})
    signed, _ = round1
    with pytest.raises(ConfigError, match="has no GenerationOracle"):
        claim_round(Chain(chain_.web3, partial), sender, 1, signed.tree, say=lambda _: None)


def test_claim_refuses_a_tree_that_is_not_the_rounds(chain_, sender, round1):
    other = make_round(1, [day_leaf(1, 10, 1)])
    with pytest.raises(InputError, match="is not round 1's root"):
        claim_round(chain_, sender, 1, other.tree, say=lambda _: None)


def test_claim_refuses_a_round_that_was_not_submitted(chain_, sender, round1):
    signed, _ = round1
    with pytest.raises(ChainError, match="round 2 is not submitted on this chain"):
        claim_round(chain_, sender, 2, signed.tree, say=lambda _: None)


def test_claim_leaves_out_a_zero_energy_leaf_and_issues_the_rest(chain_, sender, sign, contracts, installation_ids, bob):
    certificates = contracts["GenerationCertificates"]
    signed = submitted(chain_, sender, sign, 1, [day_leaf(1, 10, 0), day_leaf(2, 10, 50_000)])
    lines = []
    result = claim_round(chain_, sender, 1, signed.tree, say=lines.append)
    assert len(result.receipts) == 1
    assert certificates.certificateCount() == 1
    assert certificates.balanceOf(bob, 1) == 50_000
    assert certificates.certifiedUntil(1) == contracts["InstallationRegistry"].installation(1)["commissionedAt"]
    assert lines[:3] == [
        "round 1: 2 leaves, 1 to issue in 1 batch(es), 1 left out",
        "  1 leaf(s) zero energy",
        "  left out: installation 1, 2026-01-11T00:00Z to 2026-01-12T00:00Z: zero energy",
    ]


def test_claim_holds_back_leaves_after_a_missing_day_until_a_leaf_spans_it(chain_, sender, sign, contracts,
                                                                           installation_ids):
    """Round 1 lacks installation 1's day 10 (held back): days 11 and 12 wait, nothing is lost;
    round 2's leaf spanning days 10-11 issues, then round 1's day 12 does (its day 11 is now
    already certified, by the spanning leaf)."""
    certificates = contracts["GenerationCertificates"]
    days = [day_leaf(1, 11), day_leaf(1, 12)]
    first = submitted(chain_, sender, sign, 1, days)
    lines = []
    assert claim_round(chain_, sender, 1, first.tree, say=lines.append).receipts == []
    assert lines[1] == "  2 leaf(s) waits for a leaf starting at the watermark"
    assert "waits for a leaf starting at 2026-01-11T00:00Z" in lines[2]
    second = submitted(chain_, sender, sign, 2, [day_leaf(1, 10, days=2)])
    claim_round(chain_, sender, 2, second.tree, say=lambda _: None)
    again = []
    claim_round(chain_, sender, 1, first.tree, say=again.append)
    assert again[:2] == ["round 1: 2 leaves, 1 to issue in 1 batch(es), 1 left out", "  1 leaf(s) already certified"]
    assert certificates.certifiedUntil(1) == days[1][2]


def test_claim_refuses_a_revoked_round(chain_, sender, contracts, round1, operator):
    signed, _ = round1
    contracts["GenerationOracle"].revokeRound(1, "meter fault", {"from": operator})
    with pytest.raises(ChainError, match="round 1 was revoked"):
        claim_round(chain_, sender, 1, signed.tree, say=lambda _: None)
