"""oracle/rounds.py: leaves chained from the watermark (the issuance rule of issue 9), held-back
days, spanning leaves over outages, exclusions, and the round file that anyone can re-verify."""

import json

import pytest
from eth_account import Account

from oracle.errors import InputError
from oracle.roundfile import load_round_file, verify_round_file
from oracle.review import apply_review_policy
from oracle.rounds import assemble_round, certified_wh, daily_energy, plan_installation, plan_round
from oracle.signing import sign_round
from oracle.store import open_store
from oracle.timeutil import DAY_S
from oracle_helpers import MAR_1_2026, FakeState, day_intervals, store_days

NOW = MAR_1_2026 + 10 * DAY_S
DAY_WH = 48 * 100  # day_intervals(energy_wh=100.25): 48 daylight intervals, each certified as 100 Wh
ORACLE = "0x" + "0a" * 20
KEY = "0x" + f"{0xC0FFEE:064x}"


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path / "oracle.sqlite")
    yield opened
    opened.close()


def plan(store, watermark=MAR_1_2026, now=NOW, settle_s=0, max_days=31, give_up_s=7 * DAY_S, **state):
    return plan_installation(store, 1, FakeState(watermark, **state), now, settle_s, max_days, give_up_s)


def test_settled_days_become_daily_leaves_chained_from_the_watermark(store):
    store_days(store, 1, MAR_1_2026, 3)
    result = plan(store)
    assert [(leaf.period_start, leaf.period_end, leaf.energy_wh) for leaf in result.leaves] == [
        (MAR_1_2026 + n * DAY_S, MAR_1_2026 + (n + 1) * DAY_S, DAY_WH) for n in range(3)]
    assert len(result.leaves[0].readings_wh) == 96  # night zeros are certified readings too
    assert "waits for readings" in result.hold.reason and result.hold.since_s == MAR_1_2026 + 3 * DAY_S


def test_the_first_leaf_starts_at_the_commissioning_time_not_at_midnight(store):
    store_days(store, 1, MAR_1_2026, 2)
    commissioned = MAR_1_2026 + 12 * 3600
    first = plan(store, watermark=commissioned).leaves[0]
    assert (first.period_start, first.period_end) == (commissioned, MAR_1_2026 + DAY_S)
    assert all(start >= commissioned for start, _ in first.readings_wh)


def test_a_day_pending_review_holds_back_that_day_and_every_later_one(store):
    store_days(store, 1, MAR_1_2026, 1)
    store.import_intervals(1, "d2", day_intervals(MAR_1_2026 + DAY_S, flags={50: "above_capacity"}))
    store_days(store, 1, MAR_1_2026 + 2 * DAY_S, 1)
    result = plan(store)
    assert [leaf.period_start for leaf in result.leaves] == [MAR_1_2026]
    assert "1 interval(s) of 2026-03-02 pending review" in result.hold.reason


def test_after_review_rejected_intervals_are_left_out_and_listed(store):
    store.import_intervals(1, "d1", day_intervals(MAR_1_2026, flags={50: "above_capacity"}))
    store.decide(1, [MAR_1_2026 + 50 * 900], "rejected", "ana", "inverter fault")
    leaf = plan(store).leaves[0]
    assert leaf.energy_wh == DAY_WH - 100
    assert MAR_1_2026 + 50 * 900 not in dict(leaf.readings_wh)
    assert leaf.excluded == [{"intervalStart": "2026-03-01T12:30:00Z", "energyWh": 100.25, "flags": "above_capacity",
                              "decision": "rejected", "reviewer": "ana", "reason": "inverter fault"}]


def test_approved_intervals_are_certified(store):
    store.import_intervals(1, "d1", day_intervals(MAR_1_2026, flags={50: "above_clearsky"}))
    store.decide(1, [MAR_1_2026 + 50 * 900], "approved", "ana", "clear day, checked")
    assert plan(store).leaves[0].energy_wh == DAY_WH


def test_an_outage_day_is_spanned_by_the_next_leaf_with_energy(store):
    store_days(store, 1, MAR_1_2026, 1)
    store_days(store, 1, MAR_1_2026 + 2 * DAY_S, 1)  # nothing at all on 2 March
    leaves = plan(store).leaves
    assert [(leaf.period_start, leaf.period_end, leaf.energy_wh) for leaf in leaves] == [
        (MAR_1_2026, MAR_1_2026 + DAY_S, DAY_WH), (MAR_1_2026 + DAY_S, MAR_1_2026 + 3 * DAY_S, DAY_WH)]


def test_a_day_with_only_zero_energy_is_spanned_too(store):
    store_days(store, 1, MAR_1_2026, 1, energy_wh=0.0)
    store_days(store, 1, MAR_1_2026 + DAY_S, 1)
    leaves = plan(store).leaves
    assert [(leaf.period_start, leaf.period_end) for leaf in leaves] == [(MAR_1_2026, MAR_1_2026 + 2 * DAY_S)]
    assert len(leaves[0].readings_wh) == 192


def test_unsettled_days_wait(store):
    store_days(store, 1, MAR_1_2026, 2)
    result = plan(store, now=MAR_1_2026 + 2 * DAY_S + 3600, settle_s=2 * 3600)
    assert [leaf.period_start for leaf in result.leaves] == [MAR_1_2026]


def test_a_day_whose_readings_stop_early_waits_until_give_up(store):
    partial = day_intervals(MAR_1_2026).iloc[:60]
    store.import_intervals(1, "half", partial)
    assert plan(store, now=MAR_1_2026 + 2 * DAY_S).leaves == []
    late = plan(store, now=MAR_1_2026 + 9 * DAY_S, give_up_s=7 * DAY_S)
    assert late.leaves[0].energy_wh == 20 * 100 and len(late.leaves[0].readings_wh) == 60


def test_energy_above_capacity_holds_the_installation_with_a_reason(store):
    store_days(store, 1, MAR_1_2026, 1)
    result = plan(store, capacity_w=150)  # 150 W x 24 h = 3,600 Wh < 4,800 Wh
    assert result.leaves == [] and "exceeds the capacity's 3600 Wh" in result.hold.reason


def test_an_inactive_installation_waits(store):
    store_days(store, 1, MAR_1_2026, 1)
    assert "not active" in plan(store, active=False).hold.reason


def test_at_most_max_days_per_round(store):
    store_days(store, 1, MAR_1_2026, 5)
    assert len(plan(store, max_days=2).leaves) == 2


def test_the_review_policy_excludes_what_is_pending_too_long(store):
    store.import_intervals(1, "d1", day_intervals(MAR_1_2026, flags={50: "stale"}))
    assert apply_review_policy(store, MAR_1_2026 + 3 * DAY_S, exclude_after_days=7) == 0
    assert apply_review_policy(store, MAR_1_2026 + 8 * DAY_S, exclude_after_days=7) == 1
    leaf = plan(store).leaves[0]
    assert leaf.energy_wh == DAY_WH - 100 and leaf.excluded[0]["decision"] == "excluded"
    assert leaf.excluded[0]["reviewer"] == "policy"


def test_certified_wh_rounds_half_up_and_never_below_zero():
    import pandas as pd

    assert certified_wh(pd.Series([0.49, 0.5, 1.5, 2.5, -3.0])).tolist() == [0, 1, 2, 3, 0]


def test_with_wait_for_review_no_round_is_planned_while_a_settled_day_waits_for_a_reviewer(store):
    spike = MAR_1_2026 + DAY_S + 50 * 900
    store_days(store, 1, MAR_1_2026, 1)
    store.import_intervals(1, "d2", day_intervals(MAR_1_2026 + DAY_S, flags={50: "above_capacity"}))
    store_days(store, 2, MAR_1_2026, 2)
    states = {1: FakeState(MAR_1_2026), 2: FakeState(MAR_1_2026)}
    leaves, _ = plan_round(store, states, [1, 2], NOW, 0, 31, DAY_S)
    assert sorted({leaf.installation_id for leaf in leaves}) == [1, 2]  # by default what is ready goes ahead

    leaves, holds = plan_round(store, states, [1, 2], NOW, 0, 31, DAY_S, wait_for_review=True)
    assert leaves == []
    assert [(h.installation_id, h.since_s, h.pending_review) for h in holds] == [(1, MAR_1_2026, True), (2, MAR_1_2026, False)]
    assert "pending review" in holds[0].reason and "rounds.wait_for_review" in holds[1].reason

    store.decide(1, [spike], "rejected", "ana", "inverter spike")
    leaves, holds = plan_round(store, states, [1, 2], NOW, 0, 31, DAY_S, wait_for_review=True)
    assert [(leaf.installation_id, leaf.period_start) for leaf in leaves] == [
        (1, MAR_1_2026), (1, MAR_1_2026 + DAY_S), (2, MAR_1_2026), (2, MAR_1_2026 + DAY_S)]
    assert spike not in dict(leaves[1].readings_wh) and not any(h.pending_review for h in holds)


def test_wait_for_review_ignores_flags_of_a_day_that_has_not_settled(store):
    store_days(store, 1, MAR_1_2026, 2)
    store.import_intervals(1, "today", day_intervals(MAR_1_2026 + 2 * DAY_S, flags={10: "night"}))
    leaves, holds = plan_round(store, {1: FakeState(MAR_1_2026)}, [1], MAR_1_2026 + 2 * DAY_S + 12 * 3600, 0, 31, DAY_S,
                               wait_for_review=True)
    assert len(leaves) == 2 and not any(hold.pending_review for hold in holds)


def test_daily_energy_splits_each_day_into_what_is_certified_and_what_the_review_left_out(store):
    store_days(store, 1, MAR_1_2026, 1)
    store.import_intervals(1, "d2", day_intervals(MAR_1_2026 + DAY_S, flags={50: "above_capacity", 51: "stale"}))
    store.decide(1, [MAR_1_2026 + DAY_S + 50 * 900], "rejected", "ana", "spike")
    store.decide(1, [MAR_1_2026 + DAY_S + 51 * 900], "approved", "ana", "real")
    days = daily_energy(store, 1, MAR_1_2026, MAR_1_2026 + 3 * DAY_S)
    assert days.to_dict("records") == [
        {"day_s": MAR_1_2026, "accepted_wh": DAY_WH, "flagged_wh": 0, "flagged_intervals": 0},
        {"day_s": MAR_1_2026 + DAY_S, "accepted_wh": DAY_WH - 100, "flagged_wh": 100, "flagged_intervals": 1},
        {"day_s": MAR_1_2026 + 2 * DAY_S, "accepted_wh": 0, "flagged_wh": 0, "flagged_intervals": 0},  # nothing stored
    ]
    leaves, _ = plan_round(store, {1: FakeState(MAR_1_2026)}, [1], NOW, 0, 31, DAY_S)
    assert [leaf.energy_wh for leaf in leaves] == days["accepted_wh"].tolist()[:2]  # what a round certifies


def test_unregistered_installations_are_reported(store):
    leaves, holds = plan_round(store, {}, [1], NOW, 0, 31, DAY_S)
    assert leaves == [] and holds[0].reason == "not registered on chain"


def _round_file(store, tmp_path):
    store_days(store, 1, MAR_1_2026, 2)
    store_days(store, 2, MAR_1_2026, 2, energy_wh=50.0)
    states = {1: FakeState(MAR_1_2026), 2: FakeState(MAR_1_2026)}
    leaves, _ = plan_round(store, states, [1, 2], NOW, 0, 31, DAY_S)
    rf = assemble_round(7, 31337, ORACLE, leaves, "https://example.org/rounds/", synthetic=True)
    rf.signatures[Account.from_key(KEY).address] = "0x" + sign_round(rf.round, 31337, ORACLE, KEY).hex()
    path = tmp_path / "round.json"
    rf.write(path)
    return rf, path


def test_a_round_commits_to_every_leaf_and_its_file_verifies(store, tmp_path):
    rf, path = _round_file(store, tmp_path)
    assert (rf.round.round_id, rf.round.leaf_count, rf.round.total_energy_wh) == (7, 4, 2 * DAY_WH + 2 * 48 * 50)
    assert (rf.round.period_start, rf.round.period_end) == (MAR_1_2026, MAR_1_2026 + 2 * DAY_S)
    loaded = load_round_file(path)
    assert verify_round_file(loaded) == []
    data = json.loads(path.read_text())
    assert data["typedData"]["primaryType"] == "Round" and "EIP712Domain" in data["typedData"]["types"]
    assert data["generationTree"]["format"] == "standard-v1" and data["synthetic"] is True
    assert data["installations"][0]["readings"]["format"] == "standard-v1"


@pytest.mark.parametrize("tamper, problem", [
    (lambda d: d["installations"][0]["readings"]["values"][60]["value"].__setitem__(2, "101"), "tree"),
    (lambda d: d["installations"][0].__setitem__("energyWh", 1), "the leaf says 1 Wh"),
    (lambda d: d["typedData"]["message"].__setitem__("totalEnergyWh", "1"), "totalEnergyWh"),
    (lambda d: d["signatures"][0].__setitem__("signer", "0x" + "0b" * 20), "recovers to"),
])
def test_a_tampered_round_file_does_not_verify(store, tmp_path, tamper, problem):
    _, path = _round_file(store, tmp_path)
    data = json.loads(path.read_text())
    tamper(data)
    path.write_text(json.dumps(data))
    try:
        problems = verify_round_file(load_round_file(path))
    except InputError as exc:  # a tree dump whose nodes do not match its values fails to load at all
        problems = [str(exc)]
    assert any(problem in p for p in problems), problems


def test_a_file_that_is_not_a_round_file_is_one_clear_error(tmp_path):
    path = tmp_path / "x.json"
    for content, message in (("{", "is not JSON"), ("[]", "not a PV Ledger round file"),
                             ('{"format": "pv-ledger-round/1"}', "malformed")):
        path.write_text(content)
        with pytest.raises(InputError, match=message):
            load_round_file(path)
