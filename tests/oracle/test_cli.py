"""python -m oracle without a chain: config errors, check, the review queue, the lock, exit codes,
one-line errors, and the package's layering (no brownie, no scripts)."""

import subprocess
import sys
from pathlib import Path

import pytest

from oracle.cli import main
from oracle.config import load_config
from oracle.errors import ConfigError
from oracle.lock import run_lock
from oracle.store import open_store
from oracle_helpers import MAR_1_2026, day_intervals, write_config

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INSTALLATION = """
[[installations]]
id = 1
capacity_w = 30000
lat = -33.45
lon = -70.67
source = { kind = "simulated", seed = 1 }
"""


@pytest.fixture
def config(tmp_path):
    return write_config(tmp_path, tmp_path / "31337.json", "http://127.0.0.1:9", INSTALLATION)


def oracle_subprocess(*args, cwd=PROJECT_ROOT):
    return subprocess.run([sys.executable, "-m", "oracle", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_no_oracle_module_imports_brownie_or_scripts():
    modules = sorted("oracle." + ".".join(p.relative_to(PROJECT_ROOT / "oracle").with_suffix("").parts)
                     for p in (PROJECT_ROOT / "oracle").rglob("*.py") if p.name != "__main__.py")
    code = ("import importlib, sys\n"
            f"for m in {[m.replace('.__init__', '') for m in modules]!r}: importlib.import_module(m)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'brownie', 'scripts'}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]" and len(modules) > 20


def test_bad_input_is_one_line_on_stderr_and_exit_2_never_a_traceback(tmp_path):
    garbage = tmp_path / "in.csv"
    garbage.write_bytes(b"\x00\xff\xfe\x00 not a csv")
    done = oracle_subprocess("check", "--input", str(garbage), "--capacity-w", "1000", "--lat", "-33", "--lon", "-70",
                             "--out", str(tmp_path / "out.csv"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert str(garbage) in done.stderr


def test_check_on_a_sample_file_writes_one_row_per_interval(tmp_path):
    out = tmp_path / "out.csv"
    code = main(["check", "--input", str(PROJECT_ROOT / "data" / "generic_energy_kwh_2026-03-01.csv"), "--capacity-w", "10000",
                 "--lat", "-33.45", "--lon", "-70.67", "--out", str(out), "--now", "2026-06-01T00:00:00Z"])
    rows = out.read_text().splitlines()
    assert code in (0, 1) and rows[0] == "interval_start,energy_wh,flags" and len(rows) == 1 + 96


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace('kind = "simulated"', 'kind = "ftp"'), "kind 'ftp' is not one of"),
    (lambda t: t + INSTALLATION, "installation 1 is listed twice"),
    (lambda t: t.replace("capacity_w = 30000", 'capacity_w = "big"'), "`capacity_w` must be int or float"),
    (lambda t: t.replace("lat = -33.45", "lat = -133.45"), "coordinates out of range"),
    (lambda t: t.replace("source = {", 'station = "nowhere"\nsource = {'), "names station 'nowhere'"),
    (lambda t: t.replace("chain_id = 31337\n", ""), "`chain_id` is missing"),
    (lambda t: t.replace("settle_hours = 0", 'settle_hours = 0\nwait_for_review = "yes"'), "`wait_for_review` must be bool"),
    (lambda t: t + "[[[", "is not valid TOML"),
])
def test_config_mistakes_are_named(config, edit, message):
    config.write_text(edit(config.read_text()))
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_config(config)


def test_wait_for_review_is_off_unless_the_config_turns_it_on(config):
    assert load_config(config).wait_for_review is False
    config.write_text(config.read_text().replace("settle_hours = 0", "settle_hours = 0\nwait_for_review = true"))
    assert load_config(config).wait_for_review is True


def test_a_missing_config_is_exit_2(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "none.toml"), "status"]) == 2
    assert "no config file" in capsys.readouterr().err


def _seed_flags(config):
    cfg = load_config(config)
    store = open_store(cfg.store_path)
    store.import_intervals(1, "test", day_intervals(MAR_1_2026, flags={50: "above_capacity", 51: "stale"}))
    return store


def test_review_list_show_and_decide(config, capsys):
    store = _seed_flags(config)
    assert main(["--config", str(config), "review", "list"]) == 1
    out = capsys.readouterr().out
    assert "installation 1  2026-03-01    2 interval(s)" in out and "above_capacity, stale" in out
    assert main(["--config", str(config), "review", "show", "1", "2026-03-01"]) == 0
    assert "2026-03-01T12:30Z" in capsys.readouterr().out
    assert main(["--config", str(config), "review", "reject", "1", "2026-03-01T12:30Z", "--reviewer", "ana",
                 "--reason", "spike"]) == 0
    assert main(["--config", str(config), "review", "approve", "1", "2026-03-01", "--reviewer", "ana",
                 "--reason", "checked"]) == 0
    assert "1 interval(s) of installation 1 approved by ana" in capsys.readouterr().out
    assert main(["--config", str(config), "review", "list"]) == 0
    reviews = store.reviews_of(1, MAR_1_2026, MAR_1_2026 + 86_400)
    assert sorted(r["decision"] for r in reviews.values()) == ["approved", "rejected"]
    store.close()


@pytest.mark.parametrize("when, message", [("2026-03-02", "no pending interval"), ("2026-03-01T12:31Z", "not the start of"),
                                           ("yesterday", "use 2026-03-01")])
def test_a_review_that_matches_nothing_is_exit_2(config, capsys, when, message):
    _seed_flags(config).close()
    assert main(["--config", str(config), "review", "reject", "1", when, "--reviewer", "ana", "--reason", "x"]) == 2
    assert message in capsys.readouterr().err


def test_a_second_run_is_refused_while_one_holds_the_lock(config, capsys):
    with run_lock(load_config(config).lock_path):
        assert main(["--config", str(config), "ingest"]) == 2
    assert "another oracle run holds" in capsys.readouterr().err


def test_a_bad_key_is_named_but_never_printed(config, capsys, monkeypatch):
    secret = "0x" + "zz" * 32
    monkeypatch.setenv("ORACLE_SIGNER_KEY", secret)
    store = _seed_flags(config)
    store.record_round(1, (MAR_1_2026, MAR_1_2026 + 86_400), "0x" + "11" * 32, 1, config.parent / "r.json", [], [])
    store.close()
    assert main(["--config", str(config), "sign"]) == 2
    err = capsys.readouterr().err
    assert "ORACLE_SIGNER_KEY" in err and secret not in err and "zz" * 8 not in err
