"""oracle/cosign.py without a chain: the verifier signs a round whose readings agree with its own
station, and refuses one that does not, naming each leaf and flag."""

import pytest
from eth_account import Account

from oracle.config import load_config
from oracle.cosign import cosign
from oracle.normalise import normalise
from oracle.quality import check_intervals
from oracle.roundfile import load_round_file
from oracle.rounds import assemble_round, plan_round
from oracle.site import Site
from oracle.sources.simulated import simulate_site, simulate_station
from oracle.store import open_store
from oracle.timeutil import DAY_S, ISO_UTC_FORMAT
from oracle_helpers import LAT, LON, MAR_1_2026, FakeState, write_config

ORACLE = "0x" + "0a" * 20
VERIFIER_KEY = "0x" + f"{0x7E21F1:064x}"
SITE = Site(10_000, LAT, LON)
SEED = 5
DAYS = 3


@pytest.fixture
def round_file(tmp_path):
    """A round of three simulated days of one installation (every interval accepted)."""
    store = open_store(tmp_path / "oracle.sqlite")
    readings = simulate_site(SITE, MAR_1_2026, MAR_1_2026 + DAYS * DAY_S, seed=SEED)
    checked = check_intervals(normalise(readings), SITE, now_s=MAR_1_2026 + 10 * DAY_S)
    store.import_intervals(1, readings.source, checked.assign(flags=""))
    leaves, _ = plan_round(store, {1: FakeState(MAR_1_2026, capacity_w=10_000)}, [1], MAR_1_2026 + 10 * DAY_S, 0, 31, DAY_S)
    store.close()
    path = tmp_path / "round-000001.json"
    assemble_round(1, 31337, ORACLE, leaves, "", synthetic=True).write(path)
    return path


def verifier_config(folder, ghi_scale):
    """The verifier's config: installation 1 watched against station "st" (the same simulated sky,
    its GHI scaled by `ghi_scale`)."""
    ghi = simulate_station(SITE, MAR_1_2026, MAR_1_2026 + DAYS * DAY_S, seed=SEED) * ghi_scale
    (folder / "st.csv").write_text("timestamp,ghi_w_m2\n" + "".join(
        f"{t.strftime(ISO_UTC_FORMAT)},{v:.1f}\n" for t, v in ghi.items()))
    installation = f'''
[[installations]]
id = 1
capacity_w = 10000
lat = {LAT}
lon = {LON}
station = "st"
source = {{ kind = "simulated", seed = {SEED} }}
[[stations]]
id = "st"
path = "st.csv"
'''
    return load_config(write_config(folder, folder / "31337.json", "http://127.0.0.1:9", installation))


def test_a_round_that_agrees_with_the_verifiers_station_is_signed(round_file, tmp_path):
    result = cosign(round_file, verifier_config(tmp_path, 1.0), Account.from_key(VERIFIER_KEY), ORACLE)
    assert result.problems == []
    assert list(load_round_file(round_file).signatures) == [Account.from_key(VERIFIER_KEY).address]


def test_a_round_the_verifiers_station_contradicts_is_refused_leaf_by_leaf(round_file, tmp_path):
    result = cosign(round_file, verifier_config(tmp_path, 2.0), Account.from_key(VERIFIER_KEY), ORACLE)
    assert [problem.split(":")[0] for problem in result.problems] == [
        "installation 1 from 2026-03-01", "installation 1 from 2026-03-02", "installation 1 from 2026-03-03"]
    assert all("flagged pr_low against station st" in problem for problem in result.problems)
    assert result.written is None and load_round_file(round_file).signatures == {}
