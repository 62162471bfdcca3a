"""PesoToken: ERC-20 metadata, transfers, allowances, minting restricted to MINTER_ROLE."""

import brownie
import pytest
from web3 import Web3

MINTER_ROLE = Web3.keccak(text="MINTER_ROLE")
UNAUTHORIZED = r"AccessControlUnauthorizedAccount: .*"


@pytest.fixture(scope="module", autouse=True)
def funded(token, operator, alice):
    token.mint(alice, 1_000_000, {"from": operator})


def test_metadata_is_whole_chilean_pesos(token):
    assert token.name() == "Peso Chileno"
    assert token.symbol() == "CLP"
    assert token.decimals() == 0


def test_deployer_holds_admin_and_minter_roles(token, operator, alice):
    assert token.hasRole(token.DEFAULT_ADMIN_ROLE(), operator)
    assert token.MINTER_ROLE() == "0x" + MINTER_ROLE.hex().removeprefix("0x")
    assert token.hasRole(MINTER_ROLE, operator)
    assert not token.hasRole(MINTER_ROLE, alice)


def test_mint_credits_balance_and_supply_and_emits_events(token, operator, bob):
    supply_before = token.totalSupply()
    tx = token.mint(bob, 2_500, {"from": operator})
    assert token.balanceOf(bob) == 2_500
    assert token.totalSupply() == supply_before + 2_500
    assert tx.events["Transfer"]["from"] == "0x" + "00" * 20
    assert tx.events["Transfer"]["to"] == bob
    assert tx.events["Transfer"]["value"] == 2_500
    assert tx.events["PesosMinted"]["minter"] == operator
    assert tx.events["PesosMinted"]["to"] == bob
    assert tx.events["PesosMinted"]["amountClp"] == 2_500


def test_mint_by_non_minter_reverts_with_custom_error(token, alice, bob):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        token.mint(bob, 1, {"from": alice})
    assert token.balanceOf(bob) == 0


def test_granted_minter_can_mint_and_revoked_minter_cannot(token, operator, alice, bob):
    token.grantRole(MINTER_ROLE, alice, {"from": operator})
    token.mint(bob, 7, {"from": alice})
    token.revokeRole(MINTER_ROLE, alice, {"from": operator})
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        token.mint(bob, 7, {"from": alice})
    assert token.balanceOf(bob) == 7


def test_non_admin_cannot_grant_minter_role(token, alice, mallory):
    with brownie.reverts(revert_pattern=UNAUTHORIZED):
        token.grantRole(MINTER_ROLE, mallory, {"from": alice})


def test_transfer_moves_pesos_and_emits_transfer(token, alice, bob):
    tx = token.transfer(bob, 400, {"from": alice})
    assert token.balanceOf(alice) == 999_600
    assert token.balanceOf(bob) == 400
    event = tx.events["Transfer"]
    assert (event["from"], event["to"], event["value"]) == (alice, bob, 400)


def test_transfer_above_balance_reverts(token, alice, bob):
    with brownie.reverts(revert_pattern=r"ERC20InsufficientBalance: .*"):
        token.transfer(alice, 1, {"from": bob})


def test_allowance_limits_transfer_from(token, alice, bob, carol):
    tx = token.approve(bob, 300, {"from": alice})
    event = tx.events["Approval"]
    assert (event["owner"], event["spender"], event["value"]) == (alice, bob, 300)
    token.transferFrom(alice, carol, 200, {"from": bob})
    assert token.allowance(alice, bob) == 100
    assert token.balanceOf(carol) == 200
    with brownie.reverts(revert_pattern=r"ERC20InsufficientAllowance: .*"):
        token.transferFrom(alice, carol, 101, {"from": bob})


def test_transfer_from_without_allowance_reverts(token, alice, mallory):
    with brownie.reverts(revert_pattern=r"ERC20InsufficientAllowance: .*"):
        token.transferFrom(alice, mallory, 1, {"from": mallory})
