"""check_readings / the check command's CSV and summary, without the sources package."""

import argparse

import numpy as np
import pandas as pd
import pytest
from quality_helpers import SITE, clear_day_wh, noon_index, readings

from oracle.check import add_check_arguments, check_readings, run_check_command
from oracle.errors import ConfigError, InputError
from oracle.timeutil import iso_utc, parse_utc

LATER = parse_utc("2026-01-01")


def test_csv_rows_conserve_energy_and_carry_flags(tmp_path):
    starts, energy = clear_day_wh()
    energy = np.round(energy)  # integer Wh: exact sums
    noon = noon_index(energy)
    keep = np.ones(96, dtype=bool)
    keep[noon] = False
    energy[20] = -2.0
    out = tmp_path / "out.csv"
    summary = check_readings(readings(starts[keep], energy[keep]), SITE, None, out, LATER)
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns) == ["interval_start", "energy_wh", "flags"]
    assert table["interval_start"].tolist() == [iso_utc(s) for s in starts]
    assert table["energy_wh"].sum() == energy[keep].sum() == summary.energy_in_wh == summary.energy_out_wh
    assert table["flags"][noon] == "gap" and table["flags"][20] == "negative"
    assert (table["flags"].drop([noon, 20]) == "").all()
    assert (summary.intervals, summary.accepted, summary.flagged) == (96, 94, 2)
    assert summary.flag_counts == {"negative": 1, "gap": 1}
    assert summary.accepted_wh == energy[keep].sum() + 2.0
    assert any("flagged 2" in line for line in summary.lines())


def test_several_codes_on_a_row_are_each_counted(tmp_path):
    starts, energy = clear_day_wh()
    energy[20] = 3000.0  # night, above capacity, above clear sky
    summary = check_readings(readings(starts, energy), SITE, None, tmp_path / "o.csv", LATER)
    assert summary.flag_counts == {"night": 1, "above_capacity": 1, "above_clearsky": 1}
    assert pd.read_csv(tmp_path / "o.csv", keep_default_na=False)["flags"][20] == \
        "night;above_capacity;above_clearsky"


def arguments(tmp_path, *extra):
    parser = argparse.ArgumentParser()
    add_check_arguments(parser)
    return parser.parse_args(["--input", str(tmp_path / "in.csv"), "--capacity-w", "10000",
                              "--lat", "-33.45", "--lon", "-70.66", "--out", str(tmp_path / "o.csv"),
                              *extra])


def test_arguments_have_defaults_for_the_array_and_zone(tmp_path):
    args = arguments(tmp_path)
    assert (args.tilt, args.azimuth, args.tz, args.station, args.now) == \
        (20.0, 0.0, "America/Santiago", None, None)


def test_missing_input_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="--input .*in.csv: no such file"):
        run_check_command(arguments(tmp_path))


@pytest.mark.parametrize("extra, message", [
    (["--capacity-w", "0"], "capacity must be above 0"),
    (["--lat", "-95"], "coordinates out of range"),
    (["--tz", "Mars/Olympus"], "not a known time zone"),
    (["--now", "2026-01-01T00:00"], "no UTC offset"),
])
def test_bad_arguments_are_config_errors(tmp_path, extra, message):
    (tmp_path / "in.csv").write_text("timestamp,energy_wh\n")
    with pytest.raises(ConfigError, match=message):
        run_check_command(arguments(tmp_path, *extra))
