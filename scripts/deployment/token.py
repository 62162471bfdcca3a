"""The payment token: PesoToken on local chains and testnets, any ERC-20 in production."""

from __future__ import annotations

import os

from brownie import Contract, PesoToken, project, web3
from brownie.network.account import LocalAccount

from scripts.deployment import DeploymentError


def deploy_token(deployer: LocalAccount, deployed: dict[str, Contract]) -> dict[str, Contract]:
    """Deploy PesoToken (deployer = admin and minter), or use the ERC-20 at $PAYMENT_TOKEN_ADDRESS.

    Returns ``{"PaymentToken": contract}``. An external token is taken as it is: nothing is sent.
    """
    address = os.environ.get("PAYMENT_TOKEN_ADDRESS", "").strip()
    if not address:
        return {"PaymentToken": PesoToken.deploy(deployer, {"from": deployer})}
    if not web3.is_address(address) or len(web3.eth.get_code(address)) == 0:
        raise DeploymentError(f"PAYMENT_TOKEN_ADDRESS {address} is not a contract on this chain")
    erc20_abi = project.get_loaded_projects()[0].IERC20Metadata.abi
    return {"PaymentToken": Contract.from_abi("IERC20Metadata", web3.to_checksum_address(address), erc20_abi)}
