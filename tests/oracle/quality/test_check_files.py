"""check_file and the check command on real files through oracle.sources (runs after the merge
with the sources branch)."""

import pytest

pytest.importorskip("oracle.sources")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from quality_helpers import SITE, clear_day_wh, noon_index  # noqa: E402

from oracle.check import add_check_arguments, check_file, run_check_command  # noqa: E402
from oracle.errors import InputError  # noqa: E402
from oracle.timeutil import iso_utc  # noqa: E402


def write_energy_csv(path, starts, energy):
    lines = ["timestamp,energy_wh"] + [f"{iso_utc(s)},{float(e)!r}" for s, e in zip(starts, energy)]
    path.write_text("\n".join(lines) + "\n")


def command(tmp_path, *extra):
    import argparse

    parser = argparse.ArgumentParser()
    add_check_arguments(parser)
    return parser.parse_args(["--input", str(tmp_path / "in.csv"), "--capacity-w", "10000",
                              "--lat", "-33.45", "--lon", "-70.66", "--out", str(tmp_path / "o.csv"),
                              "--now", "2026-01-01T00:00:00Z", *extra])


def test_a_clear_day_file_is_accepted_with_exit_0(tmp_path, capsys):
    starts, energy = clear_day_wh()
    write_energy_csv(tmp_path / "in.csv", starts, np.round(energy))
    assert run_check_command(command(tmp_path)) == 0
    table = pd.read_csv(tmp_path / "o.csv", keep_default_na=False)
    assert len(table) == 96 and (table["flags"] == "").all()
    assert table["energy_wh"].sum() == np.round(energy).sum()
    assert "accepted 96, flagged 0" in capsys.readouterr().out


def test_a_flagged_file_exits_1_and_conserves_energy(tmp_path):
    starts, energy = clear_day_wh()
    energy = np.round(energy)
    noon = noon_index(energy)
    energy[20] = -5.0
    keep = np.arange(96) != noon
    write_energy_csv(tmp_path / "in.csv", starts[keep], energy[keep])
    assert run_check_command(command(tmp_path)) == 1
    summary = check_file(tmp_path / "in.csv", SITE, None, tmp_path / "o2.csv",
                         now_s=int(starts[-1]) + 86_400)
    table = pd.read_csv(tmp_path / "o2.csv", keep_default_na=False)
    assert table["flags"][noon] == "gap" and table["flags"][20] == "negative"
    assert table["energy_wh"].sum() == summary.energy_in_wh == energy[keep].sum()


def test_a_station_file_drives_pr_low(tmp_path):
    from quality_helpers import station_ghi

    starts, energy = clear_day_wh()
    write_energy_csv(tmp_path / "in.csv", starts, energy * 0.4)
    ghi = station_ghi()
    station = tmp_path / "station.csv"
    pd.DataFrame({"timestamp": [iso_utc(int(t.timestamp())) for t in ghi.index],
                  "ghi_w_m2": ghi.to_numpy()}).to_csv(station, index=False)
    assert run_check_command(command(tmp_path, "--station", str(station))) == 1
    flags = pd.read_csv(tmp_path / "o.csv", keep_default_na=False)["flags"]
    assert set(flags[flags != ""]) == {"pr_low"}


def test_a_garbage_file_is_an_input_error(tmp_path):
    (tmp_path / "in.csv").write_bytes(b"\x00\xff\xfe garbage")
    with pytest.raises(InputError):
        check_file(tmp_path / "in.csv", SITE, None, tmp_path / "o.csv")
