"""The oracle's configuration: one TOML file, secrets only by the name of their environment variable.

Example (``docs/oracle.example.toml`` is a complete one)::

    data_dir = "var/oracle"            # the SQLite store, round files, lock file
    rounds_dir = "var/oracle/rounds"   # where round files are written (default: <data_dir>/rounds)

    [network]
    rpc_url = "http://127.0.0.1:8545"  # --rpc-url overrides
    chain_id = 31337                   # must match the node and the manifest
    manifest = "deployments/31337.json"
    receipt_timeout_s = 120            # how long to wait for a receipt before giving up (a rerun waits again)

    [keys]                             # names of environment variables, never the keys themselves
    sender = "ORACLE_SENDER_KEY"       # pays gas (or sender_keystore + sender_password)
    signer = "ORACLE_SIGNER_KEY"       # signs rounds (or signer_keystore + signer_password)

    [rounds]
    settle_hours = 2                   # a UTC day is built this long after it ends
    max_days = 31                      # most days one installation's leaves cover in a round
    data_uri_base = ""                 # e.g. "https://pvledger.example/rounds/": hashed into each round
    cosigned_dir = "var/oracle/cosigned"  # where the verifier's signed copies arrive (default <data_dir>/cosigned)
    wait_for_review = false            # true: no round while a settled day waits for a reviewer

    [review]
    exclude_after_days = 7             # intervals still pending this long after their day are excluded
    reviewers = [{ address = "0x...", name = "Ana Rojas" }]  # who may review in the dashboard (name optional;
                                       # a plain "0x..." string works too)

    [[installations]]
    id = 1                             # on-chain installation id
    name = "Liceo A-12"
    capacity_w = 30000
    lat = -33.4489
    lon = -70.6693
    tilt_deg = 20
    azimuth_deg = 0                    # pvlib convention: 0 = north (Chile's roofs face north)
    tz = "America/Santiago"            # for naive timestamps
    station = "santiago-centro"        # optional: a [[stations]] id for the PR check
    source = { kind = "csv", path = "inbox/liceo-a12/*.csv" }

    [[stations]]
    id = "santiago-centro"
    path = "inbox/stations/santiago-centro.csv"

Source kinds and their parameters:

- ``csv``: ``path`` (a file or a glob; each file is imported once, remembered by content hash);
- ``bluelog``: ``folder`` (the FTP/SFTP push target) and ``device`` (the MII device id of this
  installation's meter or inverter);
- ``vcom``: ``system_key``, ``base_url`` (optional), and the *names* of the environment variables
  holding the API key, user and password: ``api_key_env``, ``username_env``, ``password_env``;
- ``simulated``: ``seed`` and optional ``faults`` (a list of ``{kind, start, end}`` with ISO 8601
  UTC times): pvlib clear sky + PVWatts, marked synthetic.

Relative paths are relative to the config file's folder.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import is_address, to_checksum_address

from oracle.errors import ConfigError
from oracle.site import DEFAULT_TZ, Site

SOURCE_KINDS = ("csv", "bluelog", "vcom", "simulated")
DEFAULT_SENDER_ENV = "ORACLE_SENDER_KEY"
DEFAULT_SIGNER_ENV = "ORACLE_SIGNER_KEY"


@dataclass(frozen=True)
class KeyRef:
    """Where a key comes from: an environment variable with a 0x private key, or an eth-account
    keystore file and the environment variable holding its password."""

    env: str | None
    keystore: Path | None = None
    password_env: str | None = None


@dataclass(frozen=True)
class Reviewer:
    """Someone allowed to decide flagged intervals in the dashboard (signed in with this address)."""

    address: str  # checksummed
    name: str = ""

    @property
    def label(self) -> str:
        """How decisions are recorded: "Ana Rojas (0x1234…abcd)", or the address alone."""
        return f"{self.name} ({self.address})" if self.name else self.address


@dataclass(frozen=True)
class InstallationConfig:
    installation_id: int
    name: str
    site: Site
    source_kind: str
    source: dict[str, Any]
    station: str | None = None


@dataclass(frozen=True)
class Config:
    path: Path
    data_dir: Path
    rounds_dir: Path
    cosigned_dir: Path
    rpc_url: str
    chain_id: int
    manifest: Path
    sender: KeyRef
    signer: KeyRef
    installations: dict[int, InstallationConfig]
    stations: dict[str, Path]
    settle_s: int = 2 * 3600
    max_days: int = 31
    data_uri_base: str = ""
    exclude_after_days: int = 7
    receipt_timeout_s: float = 120.0
    wait_for_review: bool = False
    reviewers: tuple[Reviewer, ...] = ()

    def reviewer(self, address: str) -> Reviewer | None:
        """The configured reviewer with `address` (any letter case), or None."""
        return next((r for r in self.reviewers if r.address.lower() == str(address).lower()), None)

    @property
    def store_path(self) -> Path:
        return self.data_dir / "oracle.sqlite"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "oracle.lock"

    def installation(self, installation_id: int) -> InstallationConfig:
        if installation_id not in self.installations:
            raise ConfigError(f"installation {installation_id} is not in {self.path}")
        return self.installations[installation_id]


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value


def _get(table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str, default: Any = ...) -> Any:
    if key not in table:
        if default is ...:
            raise ConfigError(f"{where}: `{key}` is missing")
        return default
    value = table[key]
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise ConfigError(f"{where}: `{key}` must be {names}, got {value!r}")
    return value


def _key_ref(keys: dict[str, Any], role: str, default_env: str, base: Path, where: str) -> KeyRef:
    keystore = _get(keys, f"{role}_keystore", str, where, None)
    if keystore is not None:
        password_env = _get(keys, f"{role}_password", str, where, None)
        if password_env is None:
            raise ConfigError(f"{where}: `{role}_keystore` needs `{role}_password` (the name of the variable with its password)")
        return KeyRef(None, (base / keystore).resolve(), password_env)
    return KeyRef(_get(keys, role, str, where, default_env))


def _installation(item: Any, index: int, base: Path, where: str) -> InstallationConfig:
    here = f"{where}: installations[{index}]"
    if not isinstance(item, dict):
        raise ConfigError(f"{here} must be a table")
    installation_id = _get(item, "id", int, here)
    if installation_id < 1:
        raise ConfigError(f"{here}: `id` must be an on-chain installation id (1 or more), got {installation_id}")
    try:
        site = Site(
            capacity_w=float(_get(item, "capacity_w", (int, float), here)),
            lat_deg=float(_get(item, "lat", (int, float), here)),
            lon_deg=float(_get(item, "lon", (int, float), here)),
            tilt_deg=float(_get(item, "tilt_deg", (int, float), here, 20.0)),
            azimuth_deg=float(_get(item, "azimuth_deg", (int, float), here, 0.0)),
            altitude_m=float(_get(item, "altitude_m", (int, float), here, 500.0)),
            tz=_get(item, "tz", str, here, DEFAULT_TZ),
        )
    except ValueError as exc:
        raise ConfigError(f"{here}: {exc}") from None
    source = _get(item, "source", dict, here)
    kind = _get(source, "kind", str, f"{here}.source")
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"{here}.source: kind {kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    resolved = dict(source)
    for path_key in ("path", "folder"):
        if path_key in resolved:
            resolved[path_key] = str(base / _get(source, path_key, str, f"{here}.source"))
    required = {"csv": ("path",), "bluelog": ("folder",), "vcom": ("system_key", "api_key_env", "username_env", "password_env"),
                "simulated": ()}[kind]
    for key in required:
        _get(source, key, str, f"{here}.source ({kind})")
    return InstallationConfig(installation_id, _get(item, "name", str, here, f"installation {installation_id}"), site,
                              kind, resolved, _get(item, "station", str, here, None))


def _reviewers(review: dict[str, Any], where: str) -> tuple[Reviewer, ...]:
    items = review.get("reviewers", [])
    if not isinstance(items, list):
        raise ConfigError(f"{where}: `reviewers` must be a list of addresses or {{ address, name }} tables")
    found: list[Reviewer] = []
    for index, item in enumerate(items):
        here = f"{where} reviewers[{index}]"
        address, name = (item, "") if isinstance(item, str) else (
            (_get(item, "address", str, here), _get(item, "name", str, here, "")) if isinstance(item, dict) else (None, ""))
        if address is None or not is_address(address):
            raise ConfigError(f"{here}: {address if address is not None else item!r} is not an Ethereum address")
        reviewer = Reviewer(to_checksum_address(address), name)
        if any(r.address == reviewer.address for r in found):
            raise ConfigError(f"{here}: {reviewer.address} is listed twice")
        found.append(reviewer)
    return tuple(found)


def load_config(path: Path | str, rpc_url: str | None = None) -> Config:
    """Read and check the TOML config at `path`; every problem is one ConfigError line.
    `rpc_url` (the ``--rpc-url`` option) overrides the network's."""
    config_path = Path(path)
    try:
        data = tomllib.loads(config_path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"no config file at {config_path} (see docs/oracle.example.toml)") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {config_path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path} is not valid TOML: {exc}") from None
    where = str(config_path)
    base = config_path.resolve().parent
    data_dir = (base / _get(data, "data_dir", str, where, "var/oracle")).resolve()
    network = _table(data, "network", where)
    keys = _table(data, "keys", where)
    rounds = _table(data, "rounds", where)
    review = _table(data, "review", where)
    installations: dict[int, InstallationConfig] = {}
    items = data.get("installations", [])
    if not isinstance(items, list):
        raise ConfigError(f"{where}: `installations` must be an array of tables ([[installations]])")
    for index, item in enumerate(items):
        installation = _installation(item, index, base, where)
        if installation.installation_id in installations:
            raise ConfigError(f"{where}: installation {installation.installation_id} is listed twice")
        installations[installation.installation_id] = installation
    stations: dict[str, Path] = {}
    for index, item in enumerate(data.get("stations", [])):
        here = f"{where}: stations[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{here} must be a table")
        stations[_get(item, "id", str, here)] = (base / _get(item, "path", str, here)).resolve()
    for installation in installations.values():
        if installation.station is not None and installation.station not in stations:
            raise ConfigError(f"{where}: installation {installation.installation_id} names station "
                              f"{installation.station!r}, which no [[stations]] entry defines")
    settle_hours = _get(rounds, "settle_hours", (int, float), f"{where} [rounds]", 2)
    max_days = _get(rounds, "max_days", int, f"{where} [rounds]", 31)
    exclude_after_days = _get(review, "exclude_after_days", int, f"{where} [review]", 7)
    if settle_hours < 0 or max_days < 1 or exclude_after_days < 0:
        raise ConfigError(f"{where}: settle_hours and exclude_after_days must be 0 or more, max_days 1 or more")
    return Config(
        path=config_path,
        data_dir=data_dir,
        rounds_dir=(base / _get(data, "rounds_dir", str, where, str(data_dir / "rounds"))).resolve(),
        cosigned_dir=(base / _get(rounds, "cosigned_dir", str, f"{where} [rounds]", str(data_dir / "cosigned"))).resolve(),
        rpc_url=rpc_url or _get(network, "rpc_url", str, f"{where} [network]", "http://127.0.0.1:8545"),
        chain_id=_get(network, "chain_id", int, f"{where} [network]"),
        manifest=(base / _get(network, "manifest", str, f"{where} [network]")).resolve(),
        sender=_key_ref(keys, "sender", DEFAULT_SENDER_ENV, base, f"{where} [keys]"),
        signer=_key_ref(keys, "signer", DEFAULT_SIGNER_ENV, base, f"{where} [keys]"),
        installations=installations,
        stations=stations,
        settle_s=int(settle_hours * 3600),
        max_days=max_days,
        data_uri_base=_get(rounds, "data_uri_base", str, f"{where} [rounds]", ""),
        exclude_after_days=exclude_after_days,
        receipt_timeout_s=float(_get(network, "receipt_timeout_s", (int, float), f"{where} [network]", 120)),
        wait_for_review=_get(rounds, "wait_for_review", bool, f"{where} [rounds]", False),
        reviewers=_reviewers(review, f"{where} [review]"),
    )
