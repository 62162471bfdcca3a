"""The oracle's steps, each callable without the CLI: ingest -> (check) -> build -> sign -> submit -> claim.

Every step is safe to rerun after a crash at any point (see oracle/faults.py for the crash points
the tests kill the process at):

- ingest: each file is remembered by content hash in the same store transaction that stores its
  intervals, so a file is imported once or not at all; an API fetch resumes after the last stored
  interval; re-imported intervals with the same values change nothing.
- build: the round file is written atomically, then the round and its intervals are recorded in
  one transaction; a crash between the two rebuilds the same round.
- sign / cosign: a signature is added to the store and the round file; signing twice changes nothing.
- submit: the round is looked up on chain first (already there: nothing is sent); the transaction
  is journaled before it is broadcast, so a rerun finds it (mined, pending or dropped) instead of
  sending another.
- claim: issuance is planned from the on-chain watermarks, so certified leaves are never sent
  again; each batch is journaled like a submission.
"""

from __future__ import annotations

import glob
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from oracle.chain.issuance import claim_round, round_certificates
from oracle.chain.keys import load_account
from oracle.chain.manifest import Chain, connect, load_manifest
from oracle.chain.reads import installation_states, last_round_id, round_on_chain
from oracle.chain.submit import submit_round
from oracle.chain.transactions import Sender
from oracle.config import Config, InstallationConfig, KeyRef
from oracle.errors import ChainError, ConfigError, InputError
from oracle.faults import crash_point
from oracle.normalise import normalise
from oracle.quality import check_intervals
from oracle.readings import Readings
from oracle.roundfile import RoundFile, load_round_file, round_file_name, verify_round_file
from oracle.review import apply_review_policy
from oracle.rounds import Hold, assemble_round, plan_round
from oracle.signing import recover_round_signer, sign_round
from oracle.store import Store
from oracle.timeutil import DAY_S, INTERVAL_S, parse_utc

Say = Callable[[str], None]
log = logging.getLogger(__name__)


def quiet(_: str) -> None:
    """A `say` that prints nothing."""


@dataclass
class IngestReport:
    files: int = 0
    skipped_files: int = 0
    failed: list[str] = field(default_factory=list)
    intervals: int = 0
    flagged: int = 0
    conflicts: int = 0


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _station_ghi(config: Config, installation: InstallationConfig) -> pd.Series | None:
    if installation.station is None:
        return None
    from oracle.sources.station import read_station

    return read_station(config.stations[installation.station], installation.site.tz)


def store_readings(store: Store, installation: InstallationConfig, readings: Readings, station: pd.Series | None,
                   now_s: int, sha256: str | None = None) -> tuple[int, int, int]:
    """Normalise, check and store one source's readings; (intervals stored, flagged, conflicts)."""
    checked = check_intervals(normalise(readings), installation.site, station, now_s)
    result = store.import_intervals(installation.installation_id, readings.source, checked, sha256, readings.synthetic)
    return result.interval_count, result.flagged, result.conflicts


def _ingest_files(store: Store, installation: InstallationConfig, paths: list[Path], read: Callable[[Path], list[Readings]],
                  station: pd.Series | None, now_s: int, report: IngestReport, say: Say) -> None:
    for path in paths:
        sha = file_sha256(path)
        if store.seen(installation.installation_id, sha):
            report.skipped_files += 1
            continue
        try:
            _store_all(store, installation, read(path), station, now_s, sha, report)
        except InputError as exc:  # this file only: it is remembered with its error, the others go on
            store.record_failed_import(installation.installation_id, f"file:{path}", sha, str(exc))
            report.failed.append(str(exc))
            say(f"  skipped {path.name}: {exc}")
            continue
        report.files += 1


def _store_all(store: Store, installation: InstallationConfig, readings: list[Readings], station: pd.Series | None,
               now_s: int, sha: str | None, report: IngestReport) -> None:
    device = installation.source.get("device")
    chosen = [r for r in readings if device is None or r.device == str(device)]
    if len(chosen) != 1:
        devices = ", ".join(str(r.device) for r in readings) or "none"
        raise InputError(f"installation {installation.installation_id}: {len(chosen)} matching device(s) in "
                         f"{readings[0].source if readings else 'the source'} (devices: {devices}); set source.device")
    stored, flagged, conflicts = store_readings(store, installation, chosen[0], station, now_s, sha)
    log.info("installation %d: %s: %d interval(s) stored, %d flagged, %d conflict(s)", installation.installation_id,
             chosen[0].source, stored, flagged, conflicts)
    crash_point("ingest:stored")
    report.intervals += stored
    report.flagged += flagged
    report.conflicts += conflicts


def ingest_installation(store: Store, config: Config, installation: InstallationConfig, now_s: int,
                        report: IngestReport, say: Say = quiet) -> None:
    """Bring one installation's new readings into the store, whatever its source."""
    kind, source = installation.source_kind, installation.source
    station = _station_ghi(config, installation)
    if kind == "csv":
        from oracle.sources.csv_generic import read_csv

        paths = sorted(Path(p) for p in glob.glob(source["path"]))
        if not paths:
            say(f"  installation {installation.installation_id}: no file matches {source['path']}")
        _ingest_files(store, installation, paths, lambda p: [read_csv(p, installation.site.tz)], station, now_s, report, say)
    elif kind == "bluelog":
        from oracle.sources.bluelog import scan_folder

        folder = Path(source["folder"])
        if not folder.is_dir():
            raise ConfigError(f"installation {installation.installation_id}: push folder {folder} does not exist")
        for pushed in scan_folder(folder, lambda sha: store.seen(installation.installation_id, sha)):
            if pushed.error is not None or pushed.readings is None:
                store.record_failed_import(installation.installation_id, f"bluelog:{pushed.path.name}", pushed.sha256,
                                           pushed.error or "unreadable")
                report.failed.append(pushed.error or f"{pushed.path}: unreadable")
                say(f"  skipped {pushed.path.name}: {pushed.error}")
                continue
            try:
                _store_all(store, installation, pushed.readings, station, now_s, pushed.sha256, report)
            except InputError as exc:
                store.record_failed_import(installation.installation_id, f"bluelog:{pushed.path.name}", pushed.sha256, str(exc))
                report.failed.append(str(exc))
                say(f"  skipped {pushed.path.name}: {exc}")
                continue
            report.files += 1
    elif kind == "vcom":
        _ingest_vcom(store, installation, station, now_s, report)
    elif kind == "simulated":
        _ingest_simulated(store, installation, station, now_s, report)
    else:  # config.py only lets the kinds above through
        raise ConfigError(f"unknown source kind {kind!r}")


def _resume_from(store: Store, installation: InstallationConfig, default_start_s: int) -> int:
    last = store.last_interval(installation.installation_id)
    return default_start_s if last is None else last + INTERVAL_S


def _source_start(installation: InstallationConfig, now_s: int) -> int:
    start = installation.source.get("start")
    if start is None:
        return (now_s // DAY_S - 7) * DAY_S
    try:
        return parse_utc(str(start))
    except ValueError as exc:
        raise ConfigError(f"installation {installation.installation_id}: source.start {start!r}: {exc}") from None


def _ingest_vcom(store: Store, installation: InstallationConfig, station: pd.Series | None, now_s: int,
                 report: IngestReport) -> None:
    import os

    from oracle.sources.vcom import DEFAULT_BASE_URL, VcomClient

    source = installation.source
    secrets = {}
    for name in ("api_key_env", "username_env", "password_env"):
        value = os.environ.get(source[name], "")
        if not value:
            raise ConfigError(f"installation {installation.installation_id}: {source[name]} is not set (VCOM {name[:-4]})")
        secrets[name] = value
    client = VcomClient(secrets["api_key_env"], secrets["username_env"], secrets["password_env"],
                        base_url=source.get("base_url", DEFAULT_BASE_URL))
    start = _resume_from(store, installation, _source_start(installation, now_s))
    end = now_s // INTERVAL_S * INTERVAL_S
    if start >= end:
        return
    readings = client.energy(source["system_key"], start, end)
    _store_all(store, installation, [readings], station, now_s, None, report)


def simulated_faults(installation: InstallationConfig) -> list[object]:
    from oracle.sources.simulated import Fault

    faults = []
    for index, item in enumerate(installation.source.get("faults", [])):
        try:
            faults.append(Fault(str(item["kind"]), parse_utc(str(item["start"])), parse_utc(str(item["end"]))))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"installation {installation.installation_id}: source.faults[{index}] needs kind, start and "
                              f"end (ISO 8601 UTC): {exc}") from None
    return faults


def _ingest_simulated(store: Store, installation: InstallationConfig, station: pd.Series | None, now_s: int,
                      report: IngestReport) -> None:
    from oracle.sources.simulated import simulate_site

    start = _resume_from(store, installation, _source_start(installation, now_s))
    end = now_s // INTERVAL_S * INTERVAL_S
    if start >= end:
        return
    readings = simulate_site(installation.site, start, end, seed=int(installation.source.get("seed", 0)),
                             faults=simulated_faults(installation))
    _store_all(store, installation, [readings], station, now_s, None, report)


def ingest(store: Store, config: Config, now_s: int, installation_ids: list[int] | None = None, say: Say = quiet) -> IngestReport:
    """Ingest every configured installation (or those listed)."""
    report = IngestReport()
    ids = sorted(config.installations) if installation_ids is None else installation_ids
    for installation_id in progress(ids, "ingest"):
        ingest_installation(store, config, config.installation(installation_id), now_s, report, say)
    return report


def progress(items: list[int], what: str) -> list[int] | object:
    """A progress bar over `items` on a terminal (tqdm), the plain list otherwise (cron, tests)."""
    import sys

    if len(items) > 3 and sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(items, desc=what, unit="installation", leave=False)
    return items


# -- chain plumbing ------------------------------------------------------------------------------

def open_chain(config: Config) -> Chain:
    manifest = load_manifest(config.manifest)
    if manifest.chain_id != config.chain_id:
        raise ConfigError(f"{config.path}: network.chain_id is {config.chain_id}, but the manifest {config.manifest} is "
                          f"for chain {manifest.chain_id}")
    return connect(config.rpc_url, manifest)


def account_of(ref: KeyRef, what: str):  # noqa: ANN201 (eth_account LocalAccount)
    return load_account(what, ref.env, ref.keystore, ref.password_env)


def sender_of(config: Config, chain: Chain, store: Store) -> Sender:
    return Sender(chain, account_of(config.sender, "the sender (pays gas)"), store,
                  receipt_timeout_s=config.receipt_timeout_s)


# -- build, sign, submit, claim ------------------------------------------------------------------

@dataclass
class BuildResult:
    round_id: int | None
    path: Path | None
    leaves: int
    energy_wh: int
    holds: list[Hold]
    excluded_by_policy: int
    in_flight: bool = False
    waits_for_review: bool = False  # rounds.wait_for_review withheld the leaves that were ready


ON_CHAIN_ROUND_STATES = ("submitted", "confirmed", "issued", "revoked")


def check_store_matches_chain(store: Store, config: Config, chain: Chain) -> None:
    """ConfigError when the store records rounds on chain that this chain never had: a store of
    another deployment, or of a local chain restarted since (same chain id, new contracts)."""
    last = last_round_id(chain)
    ahead = [r.round_id for r in store.rounds() if r.status in ON_CHAIN_ROUND_STATES and r.round_id > last]
    if ahead:
        raise ConfigError(
            f"the store {config.store_path} records round(s) {', '.join(map(str, ahead))} on chain, but the "
            f"GenerationOracle at {chain.manifest.entry('GenerationOracle').address} on chain {chain.chain_id} has "
            f"{last} round(s): the store belongs to another deployment or to a restarted local chain; give this "
            "deployment its own data_dir")


def build(store: Store, config: Config, chain: Chain, now_s: int, dry_run: bool = False) -> BuildResult:
    """Plan and write the next round (nothing if a round is still in flight or nothing is ready)."""
    check_store_matches_chain(store, config, chain)
    excluded = 0 if dry_run else apply_review_policy(store, now_s, config.exclude_after_days)
    open_round = store.open_round()
    ids = sorted(config.installations)
    states = installation_states(chain, ids)
    leaves, holds = plan_round(store, states, ids, now_s, config.settle_s, config.max_days, config.exclude_after_days * DAY_S,
                               config.wait_for_review)
    if open_round is not None:
        return BuildResult(open_round.round_id, open_round.file, open_round.leaf_count, open_round.total_energy_wh, holds,
                           excluded, in_flight=True)
    if not leaves:
        return BuildResult(None, None, 0, 0, holds, excluded,
                           waits_for_review=config.wait_for_review and any(h.pending_review for h in holds))
    round_id = last_round_id(chain) + 1
    synthetic = any(store.synthetic(leaf.installation_id) for leaf in leaves)
    rf = assemble_round(round_id, chain.chain_id, chain.manifest.entry("GenerationOracle").address, leaves,
                        config.data_uri_base, synthetic)
    path = config.rounds_dir / round_file_name(round_id)
    if dry_run:
        return BuildResult(round_id, None, len(leaves), rf.round.total_energy_wh, holds, excluded)
    rf.write(path)
    log.info("round %d: %d leaf(s), %d Wh, written to %s", round_id, len(leaves), rf.round.total_energy_wh, path)
    store.record_round(
        round_id, (rf.round.period_start, rf.round.period_end), "0x" + rf.round.merkle_root.hex(), rf.round.total_energy_wh,
        path, [((p.leaf[0], p.leaf[1], p.leaf[2], p.leaf[3], "0x" + p.leaf[4].hex()), rf.generation.proof_hex(p.leaf))
               for p in rf.periods],
        [(leaf.installation_id, start) for leaf in leaves for start in leaf.interval_starts],
    )
    crash_point("build:stored")
    return BuildResult(round_id, path, len(leaves), rf.round.total_energy_wh, holds, excluded)


def sign(store: Store, round_id: int, private_key_account) -> str:  # noqa: ANN001
    """Add the signature of `private_key_account` (an eth-account LocalAccount) to the round's file
    and the store, after checking the file holds together. Returns the signer address."""
    row = store.round(round_id)
    if row is None:
        raise InputError(f"round {round_id} is not in the store: build it first")
    rf = load_round_file(row.file)
    problems = verify_round_file(rf)
    if problems:
        raise InputError(f"round file {row.file} does not verify: " + "; ".join(problems))
    address = private_key_account.address
    if address not in rf.signatures:
        rf.signatures[address] = "0x" + sign_round(rf.round, rf.chain_id, rf.oracle_address, private_key_account.key).hex()
        rf.write(row.file)
    store.add_signature(round_id, address, rf.signatures[address])
    if row.status == "built":
        store.set_round_status(round_id, "signed")
    crash_point("sign:stored")
    return address


def merge_signatures(store: Store, round_id: int, rf: RoundFile) -> list[str]:
    """Take the valid signatures of a round file (e.g. one returned by the verifier's cosign) into
    the store; returns the signers added. A signature that does not recover to its signer is an error."""
    added = []
    stored = store.signatures(round_id)
    for signer, signature in rf.signatures.items():
        if recover_round_signer(rf.round, rf.chain_id, rf.oracle_address, signature) != signer:
            raise InputError(f"round {round_id}: the signature listed for {signer} is not its signature")
        if signer not in stored:
            store.add_signature(round_id, signer, signature)
            added.append(signer)
    return added


@dataclass
class SubmitOutcome:
    round_id: int
    status: str
    tx_hash: str | None


def submit(store: Store, config: Config, chain: Chain, round_file: Path | None = None) -> SubmitOutcome | None:
    """Submit the round in flight (signatures from the store and its file) and mark it confirmed."""
    row = store.open_round()
    if row is None:
        return None
    if row.status in ("confirmed",):
        return SubmitOutcome(row.round_id, "already on chain", row.tx_hash)
    rf = load_round_file(round_file or row.file)
    if rf.round.round_id != row.round_id or "0x" + rf.round.merkle_root.hex() != row.merkle_root:
        raise InputError(f"{round_file or row.file} is not round {row.round_id} as built (another round id or root)")
    merge_signatures(store, row.round_id, rf)
    rf.signatures = store.signatures(row.round_id)
    rf.write(row.file)  # the published round file carries every signature the round is submitted with
    signatures = list(rf.signatures.values())
    on_chain = round_on_chain(chain, row.round_id)
    if on_chain is not None and "0x" + on_chain.root.hex() != row.merkle_root:
        # another oracle (or a restored backup) used this round id: its signatures cannot move to another
        store.discard_round(row.round_id)
        raise ChainError(f"round {row.round_id} on chain has another root: this round was set aside and its intervals "
                         "freed; run `oracle build` again (it plans from the chain's watermarks)")
    store.set_round_status(row.round_id, "submitted")  # submission started; the journal knows if it was sent
    log.info("round %d: submitting with %d signature(s)", row.round_id, len(signatures))
    result = submit_round(chain, sender_of(config, chain, store), rf.round, signatures)
    store.set_round_status(row.round_id, "confirmed", result.tx_hash, result.block)
    return SubmitOutcome(row.round_id, result.status, result.tx_hash)


@dataclass
class ClaimOutcome:
    round_id: int
    issued: int
    energy_wh: int
    skipped: dict[str, int]
    revoked: bool = False


def claim(store: Store, config: Config, chain: Chain, batch_size: int = 100, say: Say = quiet) -> ClaimOutcome | None:
    """Issue the certificates of the confirmed round's leaves (issueBatch) and mark it issued."""
    row = store.open_round()
    if row is None or row.status != "confirmed":
        return None
    on_chain = round_on_chain(chain, row.round_id)
    if on_chain is not None and on_chain.revoked:
        # nothing of it can issue any more; its days stay at the watermark and go into the next round
        store.set_round_status(row.round_id, "revoked")
        return ClaimOutcome(row.round_id, 0, 0, {}, revoked=True)
    rf = load_round_file(row.file)
    result = claim_round(chain, sender_of(config, chain, store), row.round_id, rf.generation, batch_size, say=say)
    store.set_token_ids(row.round_id, [(c.installation_id, c.period_start, c.token_id) for c in result.certificates])
    if any(leaf["token_id"] is None for leaf in store.leaves(row.round_id)):
        # leaves issued by an earlier claim run that was killed before it recorded them
        earlier = round_certificates(chain, row.round_id, row.block_number or 0)
        store.set_token_ids(row.round_id,
                            [(c.installation_id, c.period_start, c.token_id) for c in earlier])
    store.set_round_status(row.round_id, "issued")
    return ClaimOutcome(row.round_id, len(result.certificates), sum(c.energy_wh for c in result.certificates),
                        dict(result.skipped))
