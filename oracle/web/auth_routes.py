"""Sign-In with Ethereum (EIP-4361, the ``siwe`` package) and sign-out.

``GET /sign-in?address=0x...`` issues a message for that address: this server's domain and URL, the
config's chain id, a nonce kept in the session (single use), issued now, valid ``MESSAGE_TTL_S``.
The visitor signs it (``personal_sign``) with a wallet, or on a local chain with a test key the page
uses in the browser only, or elsewhere (``cast wallet sign``) and pastes the signature.
``POST /sign-in`` checks the CSRF token, that the message is the one issued, its domain, nonce,
expiry and signature, then looks the roles up: reviewer when the address is in the config's
``[review] reviewers``, operator when it holds DEFAULT_ADMIN_ROLE on the GenerationOracle. An
address with neither is refused. ``POST /sign-out`` ends the session.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import warnings

from eth_utils import is_address, to_checksum_address

with warnings.catch_warnings():  # siwe 4.4's grammar restates ABNF's core rules; abnf 2.8 says so on import
    warnings.filterwarnings("ignore", message="rule '.*' redefines")
    from siwe import SiweMessage, VerificationError, generate_nonce
    from siwe.siwe import ISO8601Datetime
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from oracle.web.auth import ROLE_OPERATOR, ROLE_REVIEWER, check_csrf, sign_in, sign_out
from oracle.web.render import render

MESSAGE_TTL_S = 600
LOCAL_CHAIN_IDS = (31337, 1337)
ADMIN_ROLE = b"\x00" * 32
STATEMENT = "Sign in to the PV Ledger dashboard. This costs nothing and sends no transaction."
PENDING = "siwe_pending"


def roles_of(request: Request, address: str) -> tuple[str, ...]:
    """The dashboard roles of `address`: reviewer (config) and operator (admin role on chain)."""
    roles = []
    if request.app.state.settings.config.reviewer(address) is not None:
        roles.append(ROLE_REVIEWER)
    chain = request.app.state.cache.chain
    if "GenerationOracle" in chain.manifest.contracts and \
            chain.contract("GenerationOracle").functions.hasRole(ADMIN_ROLE, address).call():
        roles.append(ROLE_OPERATOR)
    return tuple(roles)


def issue_message(request: Request, address: str) -> str:
    """A new SIWE message for `address`, remembered in the session (replacing any earlier one)."""
    now = datetime.now(tz=timezone.utc)
    message = SiweMessage(
        domain=request.url.netloc, address=to_checksum_address(address), statement=STATEMENT,
        uri=str(request.base_url), version="1", chain_id=request.app.state.settings.config.chain_id,
        nonce=generate_nonce(), issued_at=ISO8601Datetime.from_datetime(now),
        expiration_time=ISO8601Datetime.from_datetime(now + timedelta(seconds=MESSAGE_TTL_S))).prepare_message()
    request.session[PENDING] = message
    return message


def _page(request: Request, address: str = "", message: str = "", error: str = "", status_code: int = 200) -> Response:
    local = request.app.state.settings.config.chain_id in LOCAL_CHAIN_IDS
    return render(request, "sign_in.html", {"address": address, "message": message, "error": error,
                                            "local_chain": local, "ttl_min": MESSAGE_TTL_S // 60}, status_code)


async def sign_in_page(request: Request) -> Response:
    address = request.query_params.get("address", "").strip()
    if not address:
        return _page(request)
    if not is_address(address):
        return _page(request, address, error=f"{address!r} is not an Ethereum address", status_code=400)
    return _page(request, to_checksum_address(address), issue_message(request, address))


async def sign_in_submit(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    message, signature = str(form.get("message", "")), str(form.get("signature", "")).strip()
    pending = request.session.pop(PENDING, None)  # single use, whatever happens next
    if not pending or message.replace("\r\n", "\n") != pending:
        return _page(request, error="this sign-in message was not issued here, or was used already: ask for a new "
                                    "one", status_code=401)
    try:
        parsed = SiweMessage.from_message(pending)
        parsed.verify(signature, domain=request.url.netloc, nonce=parsed.nonce)
    except VerificationError as error:
        reason = {"ExpiredMessage": "the message expired: ask for a new one",
                  "DomainMismatch": "the message names another site",
                  "InvalidSignature": "the signature is not the address's signature of this message"}
        return _page(request, error=reason.get(type(error).__name__, f"the message was refused ({type(error).__name__})"),
                     status_code=401)
    except ValueError:
        return _page(request, error="the signature is not a 65-byte hex signature", status_code=401)
    address = to_checksum_address(parsed.address)
    roles = roles_of(request, address)
    if not roles:
        raise HTTPException(403, f"{address} is neither a reviewer (the oracle config's [review] reviewers) nor an "
                                 "operator (admin of the GenerationOracle): nothing to sign in to")
    sign_in(request, address, roles, request.app.state.settings.session_max_age_s)
    return RedirectResponse("/review" if ROLE_REVIEWER in roles else "/operator", status_code=303)


async def sign_out_submit(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    sign_out(request)
    return RedirectResponse("/", status_code=303)


ROUTES = [
    Route("/sign-in", sign_in_page, methods=["GET"], name="sign_in"),
    Route("/sign-in", sign_in_submit, methods=["POST"]),
    Route("/sign-out", sign_out_submit, methods=["POST"], name="sign_out"),
]

