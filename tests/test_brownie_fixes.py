"""scripts/toolchain/brownie_fixes.py: a transaction the node mined is confirmed even after brownie
marked it dropped; one the node never saw is not."""

from types import SimpleNamespace

from brownie.network.account import _PrivateKeyAccount
from brownie.network.transaction import Status

from scripts.toolchain.brownie_fixes import confirm_if_mined, install


def test_a_mined_transaction_marked_dropped_is_confirmed(token, operator, alice):
    tx = token.mint(alice, 5, {"from": operator})
    tx.status = Status(-2)  # what brownie's race leaves behind
    assert confirm_if_mined(tx, 1, recheck_s=1.0)
    assert tx.status == 1
    assert tx.events["Transfer"]["value"] == 5


def test_a_transaction_the_node_never_saw_stays_dropped():
    unknown = SimpleNamespace(txid="0x" + "ab" * 32)
    assert not confirm_if_mined(unknown, 1, recheck_s=0.3)


def test_install_wraps_brownie_once():
    install()
    wrapped = _PrivateKeyAccount._await_confirmation
    install()
    assert _PrivateKeyAccount._await_confirmation is wrapped
    assert wrapped._pvledger_fixed


def test_brownie_does_not_try_its_own_live_deployment_store(token):
    """brownie 1.22.2's store fails with a TypeError on live networks (see the module); with the fix,
    registering a contract as brownie does on a live network goes through."""
    import brownie.network.contract as brownie_contract
    from brownie import Contract

    install()
    assert brownie_contract._add_deployment.__name__ == "_skip_brownie_deployment_store"
    assert brownie_contract.ProjectContract._save_deployment.__name__ == "_skip_brownie_deployment_file"
    Contract.from_abi("PesoToken", token.address, token.abi, persist=True)  # calls the store on live networks
