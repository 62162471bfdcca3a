"""The cost model's arithmetic and the sample installations' loader (no chain needed)."""

import json

import pytest

from oracle.errors import InputError
from scripts.benchmarks import cost_model as cm
from scripts.walkthroughs.sample_installations import DEFAULT_PATH, load_sample_installations

HEADER = "name,building_type,region,commune,commune_code,lat,lon,altitude_m,capacity_w,tilt_deg,azimuth_deg,station_id"
ROW = "Escuela A,school,Metropolitana de Santiago,Santiago,13101,-33.4372,-70.6506,570,60000,10,0,ST-13"


def test_gas_cost_clp_is_gas_times_gwei_times_coin_price():
    # 100,000 gas x 2 gwei = 200,000 gwei = 0.0002 ETH; x 3,500,000 CLP = 700 CLP
    assert cm.gas_cost_clp(100_000, 2, 3_500_000) == pytest.approx(700, rel=1e-12)
    # 21,000 gas x 0.5 gwei x 4,000,000 CLP = 42 CLP
    assert cm.gas_cost_clp(21_000, 0.5, 4_000_000) == pytest.approx(42, rel=1e-12)


def test_rollup_cost_adds_calldata_bytes_at_the_l1_data_price():
    l2 = cm.ChainPreset("L2", "ETH", gas_price_gwei=0.01, coin_clp=3_000_000, l1_data_gwei_per_byte=2)
    # execution 100,000 x 0.01 gwei = 1,000 gwei; data 500 B x 2 gwei = 1,000 gwei; 2,000 gwei x 3e6 / 1e9 = 6 CLP
    assert cm.tx_cost_clp(100_000, 500, l2) == pytest.approx(6, rel=1e-12)
    l1 = cm.ChainPreset("L1", "ETH", gas_price_gwei=0.01, coin_clp=3_000_000)
    assert cm.tx_cost_clp(100_000, 500, l1) == pytest.approx(3, rel=1e-12)


def test_results_figures_override_defaults_and_steady_keys_win_over_first():
    gas = cm.gas_figures({"energy": {"settle into project revenue (first)": 99_999,
                                     "settle into project revenue": 80_000},
                          "market": {"postOffer": 70_000}}, "bench.json")
    assert gas["settle"] == 80_000 and gas["post_offer"] == 70_000
    assert "settle" not in gas.defaulted and "post_demand" in gas.defaulted
    assert gas["post_demand"] == cm.GAS_SOURCES["post_demand"][2]


def _flat_gas(value: int) -> cm.GasFigures:
    return cm.GasFigures({name: value for name in cm.GAS_SOURCES}, (), "test")


def test_per_mwh_amortises_the_round_over_installations_and_divides_by_energy():
    gas = cm.GasFigures({**_flat_gas(0).gas, "submit_round": 100_000, "issue_batch_per_day": 80_000,
                         "settle": 60_000}, (), "test")
    # 50 kW x 4 kWh/kWp/day = 200 kWh = 0.2 MWh a day
    energy = cm.EnergyProfile(capacity_w=50_000, specific_yield_kwh_per_kwp_day=4, installations_per_round=10)
    day = cm.installation_day_usage(gas, energy)
    assert day.gas == pytest.approx(100_000 / 10 + 80_000 + 60_000)
    assert cm.per_mwh_usage(gas, energy).gas == pytest.approx(150_000 / 0.2)
    bigger_round = cm.EnergyProfile(capacity_w=50_000, specific_yield_kwh_per_kwp_day=4, installations_per_round=100)
    assert cm.installation_day_usage(gas, bigger_round).gas == pytest.approx(1_000 + 140_000)


def test_financed_project_counts_every_contribution_deposit_and_claim():
    gas = _flat_gas(1)
    profile = cm.ProjectProfile(offers=3, contributors=10, milestone_payouts=3, revenue_deposits=12,
                                claims_per_contributor=2)
    # 3 offers + demand + 3 confirms + 3 withdrawals + match + 10 contributions + finalize + 12 deposits + 20 claims
    assert cm.project_usage(gas, profile, financed=True).gas == 3 + 1 + 3 + 3 + 1 + 10 + 1 + 12 + 20
    # self-funded: 3 offers + demand + 3 confirms + 3 withdrawals + match + fund
    assert cm.project_usage(gas, profile, financed=False).gas == 3 + 1 + 3 + 3 + 1 + 1


def test_centralised_costs_follow_their_parameters():
    params = cm.CentralisedParams(hosting_clp_per_month=100, database_clp_per_month=0, audit_clp_per_year=800,
                                  staff_clp_per_hour=60, staff_hours_per_project=2,
                                  staff_hours_per_financed_project=1, staff_hours_per_contributor=0.5,
                                  staff_minutes_per_certificate=30, certificate_days=10,
                                  projects_per_year=4, fixed_share_projects=0.5)
    profile = cm.ProjectProfile(contributors=4)
    # fixed 12 x 100 + 800 = 2,000 a year; half over 4 projects = 250
    assert cm.centralised_project_clp(params, profile, financed=False) == pytest.approx(2 * 60 + 250)
    assert cm.centralised_project_clp(params, profile, financed=True) == pytest.approx((2 + 1 + 2) * 60 + 250)
    # 0.2 MWh a day -> 2 MWh per certificate: 0.5 h x 60 / 2 = 15; fixed half 1,000 over 0.2 x 10 x 365 = 730 MWh
    energy = cm.EnergyProfile(capacity_w=50_000, specific_yield_kwh_per_kwp_day=4, installations=10)
    assert cm.centralised_mwh_clp(params, energy) == pytest.approx(15 + 1_000 / 730)


def test_table_has_both_sides_for_every_basis_of_every_chain():
    rows = cm.cost_table(cm.gas_figures(None, "defaults"))
    assert {(row.chain, row.basis) for row in rows} == {
        (chain.name, basis) for chain in cm.PRESETS
        for basis in ("project, financed", "project, self-funded", "certified MWh")}
    assert all(row.onchain_clp > 0 and row.centralised_clp > 0 and row.onchain_gas > 0 for row in rows)
    ethereum = {row.basis: row for row in rows if row.chain == cm.ETHEREUM.name}
    financed = ethereum["project, financed"]
    assert financed.onchain_clp == pytest.approx(
        cm.project_usage(cm.gas_figures(None, "d"), cm.ProjectProfile(), True).cost_clp(cm.ETHEREUM))


def test_load_gas_figures_reads_results_json_and_names_bad_files(tmp_path):
    good = tmp_path / "results.json"
    good.write_text(json.dumps({"gas": {"market": {"postOffer": 1_234}, "energy": {}}}))
    assert cm.load_gas_figures(good)["post_offer"] == 1_234
    with pytest.raises(InputError, match=r"missing.json: cannot be read"):
        cm.load_gas_figures(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match=r"bad.json: not JSON"):
        cm.load_gas_figures(bad)
    bad.write_text(json.dumps({"gas": {"market": 3}}))
    with pytest.raises(InputError, match=r"no \"gas\" object"):
        cm.load_gas_figures(bad)


def test_cli_prints_the_table_and_fails_in_one_line(tmp_path, capsys):
    assert cm.main([]) == 0
    out = capsys.readouterr().out
    assert "Energy Web Chain" in out and "certified MWh" in out and "centralised CLP" in out
    assert cm.main([str(tmp_path / "nope.json")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_sample_installations_load_with_real_codes_in_their_regions():
    installations = load_sample_installations(DEFAULT_PATH)
    assert len(installations) == 12
    assert DEFAULT_PATH.read_text(encoding="utf-8").startswith("# SAMPLE data")
    assert all(10_000 <= item.capacity_w <= 100_000 for item in installations)
    santiago = next(item for item in installations if item.commune == "Santiago")
    assert santiago.commune_code == "13101" and santiago.site().capacity_w == 60_000
    communes = [item.commune for item in installations]
    assert communes[0] == "Arica" and communes[-1] == "Punta Arenas"


@pytest.mark.parametrize("row, message", [
    (ROW.replace("-33.4372", "south"), r"line 3: lat 'south' is not a number"),
    (ROW.replace("-70.6506", "-200"), r"line 3: lon -200 is outside"),
    (ROW.replace("13101", "05101"), r"line 3: commune_code 05101 is in region 'Valparaíso'"),
    (ROW.replace("13101", "1310"), r"line 3: commune_code '1310' is not a 5-digit"),
    (ROW.replace("school", "mall"), r"line 3: building_type 'mall'"),
    (ROW.replace("60000", "60000.5"), r"line 3: capacity_w 60000.5 is not a whole number"),
    (ROW + ",extra", r"line 3: more values than the header"),
    (ROW.replace("Escuela A", ""), r"line 3: name is empty"),
])
def test_loader_names_the_line_and_the_problem(tmp_path, row, message):
    path = tmp_path / "inst.csv"
    path.write_text(f"# SAMPLE\n{HEADER}\n{row}\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_sample_installations(path)


def test_loader_refuses_missing_columns_repeats_and_two_stations_in_a_region(tmp_path):
    path = tmp_path / "inst.csv"
    path.write_text(HEADER.replace(",station_id", "") + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: header lacks column\(s\) station_id"):
        load_sample_installations(path)
    path.write_text(f"{HEADER}\n{ROW}\n{ROW}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3: name 'Escuela A' appears twice"):
        load_sample_installations(path)
    other = ROW.replace("Escuela A", "Escuela B").replace("ST-13", "ST-13-B")
    path.write_text(f"{HEADER}\n{ROW}\n{other}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"names two stations"):
        load_sample_installations(path)
    path.write_text(f"{HEADER}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"a header but no installations"):
        load_sample_installations(path)
    with pytest.raises(InputError, match=r"cannot be read"):
        load_sample_installations(tmp_path / "absent.csv")
