"""The oracle's sources, one module each; every one returns :class:`oracle.readings.Readings`.

- :mod:`oracle.sources.csv_generic`: a CSV with ``timestamp`` and one of ``power_w``, ``power_kw``,
  ``energy_wh``, ``energy_kwh``, ``register_kwh`` (:func:`~oracle.sources.csv_generic.read_csv`);
- :mod:`oracle.sources.vcom`: the Meteocontrol VCOM API v2 (:class:`~oracle.sources.vcom.VcomClient`);
- :mod:`oracle.sources.bluelog`: blue'Log push files, meteocontrol import interface XML or CSV,
  plain or gzip (:func:`~oracle.sources.bluelog.read_push_file`, ``scan_folder``);
- :mod:`oracle.sources.station`: an irradiance station CSV, GHI in W/m2
  (:func:`~oracle.sources.station.read_station`; a Series, not Readings);
- :mod:`oracle.sources.simulated`: pvlib clear sky + PVWatts with seeded clouds and injected faults
  (:func:`~oracle.sources.simulated.simulate_site`, ``simulate_station``), synthetic.

Shared: :mod:`oracle.sources.timestamps` (UTC, Chile's DST) and :mod:`oracle.sources.files`.
"""

from __future__ import annotations

from pathlib import Path

from oracle.readings import Readings
from oracle.sources import bluelog, csv_generic
from oracle.sources.files import read_bytes


def read_file(path: Path, tz: str | None = None) -> list[Readings]:
    """The readings of one file, by content and name: gzip (magic bytes), ``.xml`` or an ``<mii``
    document -> blue'Log; a CSV whose first header cell is an MII header row (``datalogger``,
    ``type``, ...) -> MII CSV; any other CSV -> generic (with `tz` for naive timestamps)."""
    path = Path(path)
    data = read_bytes(path, "input")
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(bluelog.GZIP_MAGIC) or head.startswith(b"<") or path.suffix.lower() == ".xml":
        return bluelog.read_push_file(path)
    first = next((line for line in head.splitlines() if line.strip() and not line.startswith(b"#")), b"")
    if first.split(b",", 1)[0].strip().lower().decode("utf-8", "replace") in bluelog.CSV_HEADER_ROWS:
        return bluelog.read_push_file(path)
    return [csv_generic.read_csv(path, tz)]
