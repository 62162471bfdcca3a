"""Gas of the payment token's operations (``gas.token`` in bench/results.json), on a fresh PesoToken."""

from __future__ import annotations

from brownie import PesoToken, accounts


def bench_token() -> dict[str, int]:
    """Gas of the payment token's operations (PesoToken)."""
    operator, alice, bob = accounts[0], accounts[1], accounts[2]
    token = PesoToken.deploy(operator, {"from": operator})
    gas = {"deploy": token.tx.gas_used}
    gas["mint"] = token.mint(alice, 1_000_000, {"from": operator}).gas_used
    gas["transfer (new holder)"] = token.transfer(bob, 1_000, {"from": alice}).gas_used
    gas["transfer (existing holder)"] = token.transfer(bob, 1_000, {"from": alice}).gas_used
    gas["approve"] = token.approve(bob, 5_000, {"from": alice}).gas_used
    gas["transferFrom"] = token.transferFrom(alice, bob, 1_000, {"from": bob}).gas_used
    return gas
