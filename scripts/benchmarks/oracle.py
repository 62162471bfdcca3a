"""Speed and memory of the oracle's normalise + quality checks (no chain, no brownie).

``bench_oracle()`` builds synthetic 15-minute energy readings for a year per installation (numpy:
a day-length sun shape, seasons, seeded cloud, a few NaN and duplicate rows), runs
``oracle.normalise.normalise`` and ``oracle.quality.check_intervals`` one installation at a time,
and reports readings per minute; the whole ingest (a generic CSV file read, normalised, checked and
stored in SQLite) is timed too. Memory: a subprocess per installation count streams a year for
each installation one at a time and reports its peak resident memory (``resource.getrusage``);
peaks that do not grow with the count show the memory is bounded. ``python -m scripts.benchmarks.oracle``
prints a few lines; scripts/bench.py stores the dict under ``oracle``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from oracle.normalise import normalise
from oracle.quality import check_intervals
from oracle.readings import Readings
from oracle.site import Site
from oracle.sources.csv_generic import read_csv
from oracle.store import Store, open_store
from oracle.timeutil import INTERVAL_S, ISO_UTC_FORMAT, parse_utc

YEAR_START = parse_utc("2025-01-01T00:00:00Z")
YEAR_INTERVALS = 365 * 96
THROUGHPUT_INSTALLATIONS = 12
MEMORY_INSTALLATION_COUNTS = (4, 16)
INGEST_INSTALLATIONS = 4


def synthetic_site(number: int) -> Site:
    """Installation `number`: 3-50 kW somewhere in central Chile."""
    rng = np.random.default_rng(number)
    return Site(capacity_w=float(rng.integers(3, 50)) * 1000, lat_deg=-33.5 + rng.uniform(-3, 3),
                lon_deg=-70.7 + rng.uniform(-0.8, 0.8), tilt_deg=float(rng.integers(10, 30)))


def synthetic_year(number: int, site: Site) -> Readings:
    """A year of 15-minute energy (Wh) for `site`: sun shape x season x cloud, 0.1% NaN and 0.1%
    duplicated rows, shuffled; built in numpy, no pvlib (the checks' cost is what is measured)."""
    rng = np.random.default_rng(10_000 + number)
    starts = YEAR_START + INTERVAL_S * np.arange(YEAR_INTERVALS, dtype=np.int64)
    local_hour = ((starts + site.lon_deg / 15 * 3600) % 86_400) / 3600 + 0.125
    day_of_year = (starts - YEAR_START) // 86_400
    season = np.cos(2 * np.pi * day_of_year / 365)  # 1 in January (southern summer)
    half_day = 6 + 1.2 * season
    sun = np.clip(np.cos(np.pi / 2 * (local_hour - 12.5) / half_day), 0, None) ** 1.3
    cloud = np.clip(1 - rng.gamma(0.6, 0.25, YEAR_INTERVALS), 0.15, 1)
    energy = np.round(site.capacity_w * 0.25 * 0.8 * (0.75 + 0.15 * season) * sun * cloud, 1)
    energy[rng.random(YEAR_INTERVALS) < 0.001] = np.nan
    repeated = rng.choice(YEAR_INTERVALS, YEAR_INTERVALS // 1000, replace=False)
    starts = np.concatenate([starts, starts[repeated]])
    energy = np.concatenate([energy, energy[repeated]])
    order = rng.permutation(len(starts))
    frame = pd.DataFrame({"timestamp": pd.to_datetime(starts[order], unit="s", utc=True),
                          "value": energy[order], "interval_s": np.full(len(starts), INTERVAL_S)})
    return Readings(source=f"bench:{number}", kind="energy", frame=frame, synthetic=True)


def check_one(number: int) -> tuple[int, float, int]:
    """(readings, seconds in normalise + check, flagged intervals) for installation `number`."""
    site = synthetic_site(number)
    readings = synthetic_year(number, site)
    began = time.perf_counter()
    checked = check_intervals(normalise(readings), site, now_s=YEAR_START + 400 * 86_400)
    seconds = time.perf_counter() - began
    return len(readings.frame), seconds, int((checked["flags"] != "").sum())


def ingest_one(number: int, folder: Path, store: Store) -> tuple[int, float]:
    """(readings, seconds) of the whole ingest of a year from a generic CSV file: read (pandas,
    ISO 8601 UTC timestamps), normalise, check, store in SQLite. Writing the file is not timed."""
    site = synthetic_site(number)
    frame = synthetic_year(number, site).frame
    path = folder / f"installation-{number}.csv"
    pd.DataFrame({"timestamp": frame["timestamp"].dt.strftime(ISO_UTC_FORMAT),
                  "energy_wh": frame["value"]}).to_csv(path, index=False)
    began = time.perf_counter()
    readings = read_csv(path)
    checked = check_intervals(normalise(readings), site, now_s=YEAR_START + 400 * 86_400)
    store.import_intervals(number + 1, f"file:{path.name}", checked)
    return len(readings.frame), time.perf_counter() - began


def bench_ingest(count: int = INGEST_INSTALLATIONS) -> dict:
    """Readings per minute from CSV file to store, `count` installation-years."""
    readings = seconds = 0.0
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "oracle.sqlite")
        for number in range(count):
            rows, spent = ingest_one(number, Path(folder), store)
            readings += rows
            seconds += spent
        store.close()
    return {"installations": count, "readings": int(readings), "seconds": round(seconds, 2),
            "readings_per_min": int(readings / seconds * 60)}


def stream_installations(count: int) -> dict:
    """Check a year for `count` installations one at a time; peak RSS of this process (MB, 10^6 bytes)."""
    readings = seconds = 0.0
    for number in range(count):
        rows, spent, _ = check_one(number)
        readings += rows
        seconds += spent
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # Linux: KiB
    return {"installations": count, "readings": int(readings), "seconds": seconds,
            "peak_mem_mb": round(peak_mb, 1)}


def memory_in_subprocess(count: int) -> dict:
    """stream_installations(count) in a fresh Python, so each peak is its own."""
    code = ("import json; from scripts.benchmarks.oracle import stream_installations; "
            f"print(json.dumps(stream_installations({count})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_oracle() -> dict:
    """Readings per minute of normalise + check_intervals, and peak memory when streaming a year
    per installation for MEMORY_INSTALLATION_COUNTS installations."""
    check_one(0)  # warm up imports and pvlib's turbidity table
    readings = seconds = 0.0
    flagged = 0
    for number in range(THROUGHPUT_INSTALLATIONS):
        rows, spent, flags = check_one(number)
        readings += rows
        seconds += spent
        flagged += flags
    memory = [memory_in_subprocess(count) for count in MEMORY_INSTALLATION_COUNTS]
    return {
        "installations": THROUGHPUT_INSTALLATIONS,
        "readings": int(readings),
        "seconds": round(seconds, 2),
        "readings_per_min": int(readings / seconds * 60),
        "seconds_per_installation_year": round(seconds / THROUGHPUT_INSTALLATIONS, 3),
        "flagged_intervals": flagged,
        "peak_mem_mb": {str(m["installations"]): m["peak_mem_mb"] for m in memory},
        "ingest_from_csv_to_store": bench_ingest(),
    }


def print_oracle_bench(result: dict) -> None:
    print(f"oracle normalise + check: {result['readings']:,} readings of {result['installations']} "
          f"installation-years in {result['seconds']} s")
    print(f"  {result['readings_per_min']:,} readings per minute "
          f"({result['seconds_per_installation_year']} s per installation-year; target 1,000,000)")
    peaks = ", ".join(f"{n} installations {mb} MB" for n, mb in result["peak_mem_mb"].items())
    print(f"  peak memory streaming a year per installation: {peaks}")
    ingest = result["ingest_from_csv_to_store"]
    print(f"  whole ingest (CSV file -> normalise -> check -> SQLite store): {ingest['readings_per_min']:,} readings "
          f"per minute ({ingest['readings']:,} readings of {ingest['installations']} installation-years in {ingest['seconds']} s)")


if __name__ == "__main__":
    print_oracle_bench(bench_oracle())
