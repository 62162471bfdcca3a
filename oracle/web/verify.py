"""Dashboard area: verify. What a browser needs to check a certificate itself, and the downloads.

- ``/certificates/{id}/proof.json``: the chain id and contract addresses to read, the round id, the
  certificate's generation leaf with its leaf types and Merkle proof, and the readings the leaf
  commits to as (installationId, intervalStart, energyWh) leaves. The page's Verify panel
  (js/verify.js) reads the round root and the certificate from the chain itself and checks them
  against this with ethers and @openzeppelin/merkle-tree: the server is not trusted.
- ``/certificates/{id}/leaf.json``: the leaf and its proof alone (a download, for other tools).
- ``/certificates/{id}/readings.csv``: the readings as ``interval_start_utc,energy_wh``.
- ``/rounds/{id}/file.json``: the round file as published (every leaf, every reading, signatures).

The source of truth is the round file (oracle/roundfile.py), never the store: a file is served only
when it is the round the chain holds (same chain id, round id and Merkle root). Parsed round files
(several MB each) are cached, keyed by path, size and modification time.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from oracle.errors import InputError
from oracle.leaves import InstallationPeriod
from oracle.merkle import generation_leaf_types, keccak256, reading_leaf_types
from oracle.registry.records import CertificateInfo
from oracle.roundfile import RoundFile, load_round_file, round_file_name
from oracle.timeutil import iso_utc
from oracle.web.public import int_param, cache_of, certificate_or_404, round_or_404, snapshot_of
from oracle.web.render import environment
from oracle.web.state import RoundView, Snapshot

PROOF_FORMAT = "pv-ledger-certificate-proof/1"
LEAF_FORMAT = "pv-ledger-leaf-proof/1"
LEAF_FIELDS = ["installationId", "periodStart", "periodEnd", "energyWh", "readingsRoot"]
READING_FIELDS = ["installationId", "intervalStart", "energyWh"]
READINGS_CSV_HEADER = ("interval_start_utc", "energy_wh")
ROUND_FILES_CACHED = 4
ROUND_ROOT_SELECTOR = keccak256(b"roundRoot(uint256)")[:4].hex()  # GenerationOracle.roundRoot


def round_root_calldata(round_id: int) -> str:
    """eth_call data of ``GenerationOracle.roundRoot(round_id)`` (the panel's verify-by-hand command)."""
    return f"0x{ROUND_ROOT_SELECTOR}{int(round_id):064x}"


environment.globals.update(round_root_calldata=round_root_calldata, iso_utc=iso_utc)  # for _verify.html


@dataclass(frozen=True)
class ParsedRoundFile:
    """A loaded round file and its installation sections by (installationId, periodStart)."""

    path: Path
    round_file: RoundFile
    periods: dict[tuple[int, int], InstallationPeriod]
    leaves: frozenset[tuple[Any, ...]]  # the generation tree's values


class RoundFileCache:
    """The last few parsed round files, keyed by (path, size, mtime): a rewritten file is read again."""

    def __init__(self, capacity: int = ROUND_FILES_CACHED) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[tuple[str, int, int], ParsedRoundFile] = OrderedDict()
        self._lock = threading.Lock()

    def load(self, path: Path) -> ParsedRoundFile:
        """The parsed file at `path` (InputError when it is missing or not a round file)."""
        try:
            stat = path.stat()
        except OSError:
            raise InputError(f"no round file at {path}") from None
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        with self._lock:  # one parse at a time: two visitors of a new round do not parse it twice
            found = self._entries.get(key)
            if found is None:
                round_file = load_round_file(path)
                found = ParsedRoundFile(path, round_file, {(p.leaf[0], p.leaf[1]): p for p in round_file.periods},
                                        frozenset(tuple(v) for v in round_file.generation.values))
                self._entries[key] = found
                while len(self._entries) > self.capacity:
                    self._entries.popitem(last=False)
            self._entries.move_to_end(key)
            return found


ROUND_FILES = RoundFileCache()


def _candidate_paths(request: Request, view: RoundView) -> list[Path]:
    """Where this oracle's file of the round may be: the configured rounds_dir, then where the store says
    it was written (an absolute path, stale once the data folder is copied or moved)."""
    configured = request.app.state.settings.config.rounds_dir / round_file_name(view.round_id)
    paths = [p for p in (configured, view.file) if p is not None]
    return list(dict.fromkeys(paths))


def published_round_file(request: Request, snapshot: Snapshot, round_id: int) -> ParsedRoundFile:
    """The round file of `round_id` that matches the chain's record of the round (404 page otherwise)."""
    view = round_or_404(snapshot, round_id)
    if view.tx_hash is None:
        raise HTTPException(404, f"round {round_id} is not on chain yet: its file is published once it is submitted")
    problems: list[str] = []
    for path in _candidate_paths(request, view):
        if not path.exists():
            continue
        try:
            parsed = ROUND_FILES.load(path)
        except InputError as exc:
            problems.append(str(exc))
            continue
        rf = parsed.round_file
        if rf.chain_id != snapshot.ledger.chain_id or rf.round.round_id != round_id:
            problems.append(f"{path.name} is round {rf.round.round_id} of chain {rf.chain_id}")
        elif "0x" + rf.round.merkle_root.hex() != view.merkle_root.lower():
            problems.append(f"{path.name} has root 0x{rf.round.merkle_root.hex()}, the chain {view.merkle_root}")
        elif rf.generation.root != rf.round.merkle_root:
            problems.append(f"{path.name}: its generation tree's root {rf.generation.root_hex} is not its signed root")
        else:
            return parsed
    if not problems:
        raise HTTPException(404, f"this oracle has not published the file of round {round_id}")
    raise HTTPException(404, f"no file of round {round_id} matching the chain: {'; '.join(problems)}")


@dataclass(frozen=True)
class CertificateProof:
    """A certificate, the round file it was issued from, its section there and its proof."""

    certificate: CertificateInfo
    parsed: ParsedRoundFile
    period: InstallationPeriod
    proof_hex: list[str]


def certificate_proof(request: Request) -> tuple[Snapshot, CertificateProof]:
    snapshot = snapshot_of(request)
    certificate = certificate_or_404(snapshot, int_param(request, "token_id"))
    parsed = published_round_file(request, snapshot, certificate.round_id)
    period = parsed.periods.get((certificate.installation_id, certificate.period_start))
    expected = (certificate.installation_id, certificate.period_start, certificate.period_end, certificate.energy_wh,
                bytes.fromhex(certificate.readings_root.removeprefix("0x")))
    if period is None or tuple(period.leaf) != expected or tuple(period.leaf) not in parsed.leaves:
        raise HTTPException(404, f"the file of round {certificate.round_id} has no leaf matching certificate "
                                 f"{certificate.token_id} (installation {certificate.installation_id} from "
                                 f"{iso_utc(certificate.period_start)})")
    proof = parsed.round_file.generation.proof_hex(period.leaf)
    return snapshot, CertificateProof(certificate, parsed, period, proof)


def _leaf_json(period: InstallationPeriod) -> list[str]:
    """The generation leaf as the npm package's dumps hold values: integers as decimal strings, bytes as 0x hex."""
    installation_id, start, end, energy_wh, root = period.leaf
    return [str(installation_id), str(start), str(end), str(energy_wh), "0x" + root.hex()]


def _leaf_document(request: Request, snapshot: Snapshot, found: CertificateProof) -> dict[str, Any]:
    rf = found.parsed.round_file
    return {
        "tokenId": found.certificate.token_id,
        "chainId": snapshot.ledger.chain_id,
        "roundId": rf.round.round_id,
        "root": "0x" + rf.round.merkle_root.hex(),
        "leafFields": LEAF_FIELDS,
        "leafTypes": generation_leaf_types,
        "leaf": _leaf_json(found.period),
        "proof": found.proof_hex,
        "roundFile": str(request.url_for("round_file", round_id=rf.round.round_id).path),
    }


def leaf_json(request: Request) -> Response:
    snapshot, found = certificate_proof(request)
    document = {"format": LEAF_FORMAT, **_leaf_document(request, snapshot, found)}
    return JSONResponse(document, headers=_attachment(f"certificate-{found.certificate.token_id}-leaf.json"))


def proof_json(request: Request) -> Response:
    snapshot, found = certificate_proof(request)
    manifest = cache_of(request).chain.manifest
    certificates = manifest.entry("GenerationCertificates")
    document = {
        "format": PROOF_FORMAT,
        **_leaf_document(request, snapshot, found),
        "contracts": {"GenerationOracle": manifest.entry("GenerationOracle").address,
                      "GenerationCertificates": certificates.address},
        "certificatesBlock": certificates.block,
        "issueTx": snapshot.issue_tx.get(found.certificate.token_id),
        "readingFields": READING_FIELDS,
        "readingTypes": reading_leaf_types,
        "readings": [[str(v) for v in reading] for reading in sorted(found.period.readings.values, key=lambda r: r[1])],
    }
    return JSONResponse(document)


def readings_csv(request: Request) -> Response:
    _, found = certificate_proof(request)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(READINGS_CSV_HEADER)
    for _, interval_start, energy_wh in sorted(found.period.readings.values, key=lambda r: r[1]):
        writer.writerow((iso_utc(interval_start), energy_wh))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers=_attachment(f"certificate-{found.certificate.token_id}-readings.csv"))


def round_file(request: Request) -> Response:
    snapshot = snapshot_of(request)
    parsed = published_round_file(request, snapshot, int_param(request, "round_id"))
    return FileResponse(parsed.path, media_type="application/json",
                        filename=round_file_name(parsed.round_file.round.round_id))


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


ROUTES: list[BaseRoute] = [
    Route("/certificates/{token_id}/proof.json", proof_json, name="certificate_proof"),
    Route("/certificates/{token_id}/leaf.json", leaf_json, name="certificate_leaf"),
    Route("/certificates/{token_id}/readings.csv", readings_csv, name="certificate_readings"),
    Route("/rounds/{round_id}/file.json", round_file, name="round_file"),
]
