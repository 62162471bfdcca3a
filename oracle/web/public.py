"""Public pages (no sign-in): overview, installations, certificates, rounds, the retirement register."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from oracle.registry.records import CertificateInfo, ExportInfo, InstallationInfo, RetirementInfo, STATUS_EXPORTED, \
    STATUS_HELD, STATUS_RETIRED
from oracle.timeutil import DAY_S
from oracle.web.charts import DAY_SERIES, bar_chart
from oracle.web.render import render
from oracle.web.state import RoundView, Snapshot, StateCache, day_breakdown

COUNTRY = "CL"
LATEST_ROUNDS = 5
CERTIFICATES_PER_PAGE = 100


def cache_of(request: Request) -> StateCache:
    return request.app.state.cache


def snapshot_of(request: Request) -> Snapshot:
    return cache_of(request).snapshot()


def int_param(request: Request, name: str) -> int:
    try:
        return int(request.path_params[name])
    except (KeyError, ValueError):
        raise HTTPException(404, f"{name} must be a number") from None


def installation_or_404(snapshot: Snapshot, installation_id: int) -> InstallationInfo:
    found = snapshot.installations.get(installation_id)
    if found is None:
        raise HTTPException(404, f"there is no installation {installation_id} on chain {snapshot.ledger.chain_id}")
    return found


def certificate_or_404(snapshot: Snapshot, token_id: int) -> CertificateInfo:
    found = snapshot.certificates.get(token_id)
    if found is None:
        raise HTTPException(404, f"there is no certificate {token_id}: {len(snapshot.certificates)} have been issued")
    return found


def round_or_404(snapshot: Snapshot, round_id: int) -> RoundView:
    found = snapshot.rounds.get(round_id)
    if found is None:
        raise HTTPException(404, f"there is no round {round_id}")
    return found


@dataclass(frozen=True)
class CertificateStatus:
    label: str  # Held / Retired / Exported, or a mix ("Held, partly retired")
    held_wh: int
    retired_wh: int
    exported_wh: int


def certificate_status(certificate: CertificateInfo) -> CertificateStatus:
    held = certificate.energy_wh - certificate.retired_wh - certificate.exported_wh
    parts = [(STATUS_HELD, held), (STATUS_RETIRED, certificate.retired_wh), (STATUS_EXPORTED, certificate.exported_wh)]
    present = [name for name, wh in parts if wh > 0]
    if len(present) == 1:
        label = present[0]
    else:
        label = ", ".join([present[0]] + [f"partly {name.lower()}" for name in present[1:]])
    return CertificateStatus(label, held, certificate.retired_wh, certificate.exported_wh)


def daily_certified_wh(snapshot: Snapshot) -> list[tuple[int, int]]:
    """Wh certified per UTC day of generation, over every certificate (day midnight, Wh)."""
    by_day: dict[int, int] = defaultdict(int)
    for certificate in snapshot.ledger.certificates:
        by_day[certificate.period_start // DAY_S * DAY_S] += certificate.energy_wh
    return sorted(by_day.items())


async def overview(request: Request) -> Response:
    snapshot = snapshot_of(request)
    ledger = snapshot.ledger
    certified = sum(c.energy_wh for c in ledger.certificates)
    retired = sum(r.amount_wh for r in ledger.retirements)
    exported = sum(e.amount_wh for e in ledger.exports)
    certificates = snapshot.certificates
    avoided_g = sum(snapshot.mitigation_g(c) for c in ledger.certificates)
    retired_g = sum(snapshot.mitigation_g(certificates[r.token_id], r.amount_wh) for r in ledger.retirements)
    days = daily_certified_wh(snapshot)
    chart = bar_chart([(day, {"certified": wh}) for day, wh in days], [DAY_SERIES[0]], "Energy certified per day (UTC)")
    latest = sorted(snapshot.rounds.values(), key=lambda r: r.round_id, reverse=True)[:LATEST_ROUNDS]
    return render(request, "overview.html", {
        "snapshot": snapshot, "installation_count": len(ledger.installations),
        "capacity_w": sum(i.capacity_w for i in ledger.installations), "certified_wh": certified,
        "retired_wh": retired, "exported_wh": exported, "avoided_g": avoided_g, "retired_g": retired_g,
        "certificate_count": len(ledger.certificates), "chart": chart, "days": days, "latest_rounds": latest})


async def installations(request: Request) -> Response:
    snapshot = snapshot_of(request)
    certified: dict[int, int] = defaultdict(int)
    for certificate in snapshot.ledger.certificates:
        certified[certificate.installation_id] += certificate.energy_wh
    names = {i: c.name for i, c in request.app.state.settings.config.installations.items()}
    return render(request, "installations.html", {"snapshot": snapshot, "certified": certified, "names": names,
                                                  "rows": sorted(snapshot.ledger.installations, key=lambda i: i.installation_id)})


async def installation(request: Request) -> Response:
    snapshot = snapshot_of(request)
    item = installation_or_404(snapshot, int_param(request, "installation_id"))
    with cache_of(request).store() as store:
        days = day_breakdown(store, item.installation_id, item.commissioned_at // DAY_S * DAY_S,
                             snapshot.block_timestamp + DAY_S)
    chart = bar_chart([(d.day_s, {"certified": d.certified_wh, "awaiting_round": d.awaiting_round_wh,
                                  "pending_review": d.pending_review_wh, "excluded": d.excluded_wh}) for d in days],
                      DAY_SERIES, f"Energy per day (UTC), installation {item.installation_id}")
    certificates = snapshot.certificates_of(item.installation_id)
    configured = request.app.state.settings.config.installations
    return render(request, "installation.html", {
        "snapshot": snapshot, "item": item, "days": days, "chart": chart, "certificates": certificates,
        "statuses": {c.token_id: certificate_status(c) for c in certificates},
        "configured": item.installation_id in configured, "name": configured[item.installation_id].name
        if item.installation_id in configured else ""})


async def certificates_page(request: Request) -> Response:
    snapshot = snapshot_of(request)
    rows = snapshot.ledger.certificates
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        raise HTTPException(400, "page must be a number") from None
    pages = max(1, -(-len(rows) // CERTIFICATES_PER_PAGE))
    if page > pages:
        raise HTTPException(404, f"there are {pages} page(s) of certificates")
    shown = rows[(page - 1) * CERTIFICATES_PER_PAGE: page * CERTIFICATES_PER_PAGE]
    return render(request, "certificates.html", {
        "snapshot": snapshot, "rows": shown, "page": page, "pages": pages, "total": len(rows),
        "statuses": {c.token_id: certificate_status(c) for c in shown}})


def certificate_records(snapshot: Snapshot, token_id: int) -> tuple[list[RetirementInfo], list[ExportInfo]]:
    retirements = [r for r in snapshot.ledger.retirements if r.token_id == token_id]
    exports = [e for e in snapshot.ledger.exports if e.token_id == token_id]
    return retirements, exports


async def certificate(request: Request) -> Response:
    snapshot = snapshot_of(request)
    item = certificate_or_404(snapshot, int_param(request, "token_id"))
    retirements, exports = certificate_records(snapshot, item.token_id)
    installation_info = snapshot.installations.get(item.installation_id)
    factor = snapshot.ledger.emission_factors.get(item.emission_factor_year)
    return render(request, "certificate.html", {
        "snapshot": snapshot, "item": item, "installation": installation_info, "status": certificate_status(item),
        "retirements": retirements, "exports": exports, "factor": factor, "country": COUNTRY,
        "mitigation_g": snapshot.mitigation_g(item), "round": snapshot.rounds.get(item.round_id),
        "certificates_address": snapshot.ledger.certificates_address,
        "oracle_address": _oracle_address(request), "public_rpc_url": request.app.state.settings.public_rpc_url})


def _oracle_address(request: Request) -> str | None:
    manifest = cache_of(request).chain.manifest
    return manifest.entry("GenerationOracle").address if "GenerationOracle" in manifest.contracts else None


async def rounds_page(request: Request) -> Response:
    snapshot = snapshot_of(request)
    return render(request, "rounds.html", {"snapshot": snapshot,
                                           "rows": sorted(snapshot.rounds.values(), key=lambda r: -r.round_id)})


async def round_page(request: Request) -> Response:
    snapshot = snapshot_of(request)
    item = round_or_404(snapshot, int_param(request, "round_id"))
    certificates = [c for c in snapshot.ledger.certificates if c.round_id == item.round_id]
    return render(request, "round.html", {"snapshot": snapshot, "item": item, "certificates": certificates,
                                          "issued_wh": sum(c.energy_wh for c in certificates)})


async def retirements_page(request: Request) -> Response:
    snapshot = snapshot_of(request)
    certificates = snapshot.certificates
    rows = sorted(snapshot.ledger.retirements, key=lambda r: -r.retirement_id)
    return render(request, "retirements.html", {
        "snapshot": snapshot, "rows": rows, "exports": sorted(snapshot.ledger.exports, key=lambda e: -e.export_id),
        "grams": {r.retirement_id: snapshot.mitigation_g(certificates[r.token_id], r.amount_wh) for r in rows}})


async def health(request: Request) -> Response:
    snapshot = snapshot_of(request)
    return JSONResponse({"chainId": snapshot.ledger.chain_id, "block": snapshot.block_number,
                         "installations": len(snapshot.ledger.installations),
                         "certificates": len(snapshot.ledger.certificates), "snapshotReadS": round(snapshot.read_s, 3)})


ROUTES = [
    Route("/", overview, name="overview"),
    Route("/installations", installations, name="installations"),
    Route("/installations/{installation_id}", installation, name="installation"),
    Route("/certificates", certificates_page, name="certificates"),
    Route("/certificates/{token_id}", certificate, name="certificate"),
    Route("/rounds", rounds_page, name="rounds"),
    Route("/rounds/{round_id}", round_page, name="round"),
    Route("/retirements", retirements_page, name="retirements"),
    Route("/health.json", health, name="health"),
]
