"""The operator's console: the oracle's status as ``python -m oracle status`` computes it (the latest
rounds, what waits and why, the next round), the signer set and quorum, paused contracts, and every
installation's watermark. It reads only: changes are the admin's transactions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from oracle.chain.reads import batched_calls, installation_states
from oracle.pipeline import build
from oracle.web.auth import ROLE_OPERATOR, require_role
from oracle.web.render import render

PAUSABLE = ("GenerationOracle", "GenerationCertificates", "EnergySales")  # the pausable contracts


async def console(request: Request) -> Response:
    require_role(request, ROLE_OPERATOR)
    cache = request.app.state.cache
    config = request.app.state.settings.config
    snapshot = cache.snapshot()
    chain = cache.chain
    names = [name for name in PAUSABLE if name in chain.manifest.contracts]
    paused = dict(zip(names, batched_calls(chain, "paused states", [chain.contract(n).functions.paused() for n in names])))
    ids = sorted(config.installations)
    states = installation_states(chain, ids)
    now_s = snapshot.block_timestamp  # the chain's clock: what the cron job's next run would see
    with cache.store() as store:
        plan = build(store, config, chain, now_s, dry_run=True)
        counts = store.counts()
        last_ok_s, last_failed_s, last_error = store.last_imports()
        stored_rounds = store.rounds()[-5:]
    groups: dict[tuple[str, int, bool], list[int]] = {}
    for hold in plan.holds:  # one row per reason: 54 installations waiting for the same day read as one line
        groups.setdefault((hold.reason, hold.since_s, hold.pending_review), []).append(hold.installation_id)
    return render(request, "operator.html", {
        "snapshot": snapshot, "paused": paused, "plan": plan, "last_ok_s": last_ok_s, "last_failed_s": last_failed_s,
        "last_error": last_error, "hold_groups": list(groups.items()), "now_s": now_s, "counts": counts,
        "stored_rounds": list(reversed(stored_rounds)), "installations": config.installations, "states": states})


ROUTES = [Route("/operator", console, methods=["GET"], name="operator")]
