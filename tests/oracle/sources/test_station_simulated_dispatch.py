"""Irradiance station CSV, the pvlib simulator and read_file's dispatch."""

import gzip
import math

import pandas as pd
import pytest

from oracle.errors import InputError
from oracle.site import Site
from oracle.sources import read_file
from oracle.sources.simulated import Fault, simulate_site, simulate_station
from oracle.sources.station import read_station
from oracle.timeutil import parse_utc

SITE = Site(capacity_w=10_000, lat_deg=-33.45, lon_deg=-70.66, tilt_deg=20, azimuth_deg=0)
DAY = parse_utc("2026-03-01")


def test_station_reads_ghi_with_nan_kept(tmp_path):
    path = tmp_path / "st.csv"
    path.write_text("timestamp,ghi_w_m2\n2026-03-01 09:00,512.5\n2026-03-01 09:15,\n2026-03-01 09:30,-2\n")
    ghi = read_station(path, tz="America/Santiago")
    assert ghi.name == "ghi_w_m2" and str(ghi.index.dtype) == "datetime64[ns, UTC]"
    assert ghi.index[0] == pd.Timestamp("2026-03-01T12:00Z")
    assert ghi.iloc[0] == 512.5 and math.isnan(ghi.iloc[1]) and ghi.iloc[2] == -2.0


@pytest.mark.parametrize("content, message", [
    ("timestamp,ghi_kw_m2\n2026-03-01T12:00Z,0.5\n", r"no 'ghi_w_m2' column \(found irradiance column ghi_kw_m2\)"),
    ("timestamp,ghi_w_m2,poa_w_m2\n2026-03-01T12:00Z,1,2\n", r"also in poa_w_m2; one column, in W/m2"),
    ("timestamp,ghi_w_m2\n2026-03-01T12:00Z,bright\n", r"row 2: ghi_w_m2 'bright' is not a number"),
    ("", r"station file .*: empty"),
])
def test_station_bad_files(tmp_path, content, message):
    path = tmp_path / "st.csv"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        read_station(path)


def test_simulation_is_deterministic_and_plausible():
    one = simulate_site(SITE, DAY, DAY + 7 * 86_400, seed=3)
    again = simulate_site(SITE, DAY, DAY + 7 * 86_400, seed=3)
    other = simulate_site(SITE, DAY, DAY + 7 * 86_400, seed=4)
    pd.testing.assert_frame_equal(one.frame, again.frame)
    assert not one.frame["value"].equals(other.frame["value"])
    assert one.synthetic and one.source == "simulated:3" and one.kind == "energy"
    assert len(one.frame) == 7 * 96 and set(one.frame["interval_s"]) == {900}
    assert (one.frame["timestamp"].astype("int64") // 10**9 % 900 == 0).all()
    values = one.frame["value"]
    assert values.min() >= 0 and values.max() <= SITE.capacity_w * 0.25
    ghi = simulate_station(SITE, DAY, DAY + 7 * 86_400, seed=3)
    assert ghi.index.equals(pd.DatetimeIndex(one.frame["timestamp"]))
    ratio = values.sum() / (SITE.capacity_w * (ghi.sum() / 1000) * 0.25)
    assert 0.75 <= ratio <= 0.9


def test_faults_are_injected_where_asked():
    noon = DAY + 16 * 3600  # 13:00 local
    faults = [Fault("outage", noon, noon + 3600), Fault("spike", noon + 7200, noon + 8100),
              Fault("negative", noon + 9000, noon + 9900), Fault("night", DAY + 4 * 3600, DAY + 5 * 3600),
              Fault("stuck", DAY + 12 * 3600, DAY + 14 * 3600)]
    healthy = simulate_site(SITE, DAY, DAY + 86_400, seed=1).frame.set_index("timestamp")["value"]
    faulty = simulate_site(SITE, DAY, DAY + 86_400, seed=1, faults=faults).frame.set_index("timestamp")["value"]
    at = lambda s: pd.Timestamp(s, unit="s", tz="UTC")  # noqa: E731
    assert len(faulty) == 96 - 4 and at(noon) not in faulty.index
    assert faulty[at(noon + 7200)] == 3 * SITE.capacity_w * 0.25
    assert faulty[at(noon + 9000)] == -max(healthy[at(noon + 9000)], 1.0)
    assert healthy[at(DAY + 4 * 3600)] == 0 and faulty[at(DAY + 4 * 3600)] == 0.05 * SITE.capacity_w * 0.25
    stuck = faulty[at(DAY + 12 * 3600): at(DAY + 14 * 3600 - 900)]
    assert stuck.nunique() == 1 and stuck.iloc[0] > 0
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("melted", 0, 1)


def test_a_year_simulates_every_interval_of_the_plant_and_its_station():
    readings = simulate_site(SITE, parse_utc("2026-01-01"), parse_utc("2027-01-01"), seed=0)
    station = simulate_station(SITE, parse_utc("2026-01-01"), parse_utc("2027-01-01"), seed=0)
    assert len(readings.frame) == 365 * 96 and readings.frame["timestamp"].is_unique
    assert len(station) == 365 * 96 and station.index.is_unique and (station >= 0).all() and station.max() > 800


def test_read_file_dispatches_by_content(tmp_path):
    generic = read_file("data/generic_power_w_2026-03-01.csv")
    assert len(generic) == 1 and generic[0].kind == "power" and set(generic[0].frame["interval_s"]) == {300}
    assert [r.device for r in read_file("data/bluelog_2026-03-01.csv")] == ["inverter-1", "inverter-2"]
    hidden = tmp_path / "upload.bin"  # gzip under a name that says nothing
    hidden.write_bytes(gzip.compress(open("data/bluelog_2026-03-01.xml", "rb").read()))
    assert [r.device for r in read_file(hidden)] == ["inverter-1", "inverter-2"]
    local = read_file("data/generic_energy_kwh_2026-03-01.csv", tz="America/Santiago")[0]
    assert local.frame["timestamp"].iloc[0] == pd.Timestamp("2026-03-01T03:00Z")
    with pytest.raises(InputError, match=r"input file .*missing\.csv: not found"):
        read_file(tmp_path / "missing.csv")
