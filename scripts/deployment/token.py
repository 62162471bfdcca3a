"""The payment token: PesoToken on local chains and testnets, any ERC-20 in production."""

from __future__ import annotations

import os

from brownie import Contract, PesoToken, web3
from brownie.network.account import LocalAccount

from scripts.deployment import DeploymentError

EXTERNAL_TOKEN_TYPE = "ERC20"
ERC20_MEMBERS = {
    "name", "symbol", "decimals", "totalSupply", "balanceOf", "transfer", "allowance", "approve",
    "transferFrom", "Transfer", "Approval",
}


def erc20_abi() -> list[dict]:
    """The ERC-20 (with metadata) part of PesoToken's ABI: what any payment token offers."""
    return [item for item in PesoToken.abi if item.get("name") in ERC20_MEMBERS]


def deploy_token(deployer: LocalAccount, deployed: dict[str, Contract]) -> dict[str, Contract]:
    """Deploy PesoToken (deployer = admin and minter), or use the ERC-20 at $PAYMENT_TOKEN_ADDRESS.

    Returns ``{"PaymentToken": contract}``. An external token is taken as it is: nothing is sent.
    """
    address = os.environ.get("PAYMENT_TOKEN_ADDRESS", "").strip()
    if not address:
        return {"PaymentToken": PesoToken.deploy(deployer, {"from": deployer})}
    if not web3.is_address(address) or len(web3.eth.get_code(address)) == 0:
        raise DeploymentError(f"PAYMENT_TOKEN_ADDRESS {address} is not a contract on this chain")
    return {"PaymentToken": Contract.from_abi(EXTERNAL_TOKEN_TYPE, web3.to_checksum_address(address), erc20_abi())}
