"""oracle/chain/reads.py on the deployed suite (web3 only)."""

from oracle.chain.reads import factor_years, installation_states, last_round_id, round_on_chain, signer_set
from generation_helpers import CAPACITY_W, FIRST_DAY, day_start


def test_installation_states_of_registered_installations_only(chain_, installation_ids, alice):
    states = installation_states(chain_, [2, 1, 9, 0])
    assert sorted(states) == [1, 2]
    assert states[1].certified_until_s == day_start(FIRST_DAY) == states[1].commissioned_at_s
    assert states[1].active and states[1].capacity_w == CAPACITY_W
    assert states[1].beneficiary == alice.address


def test_installation_states_follow_a_status_change(chain_, contracts, installation_ids, operator):
    contracts["InstallationRegistry"].setStatus(2, 1, {"from": operator})  # Suspended
    assert not installation_states(chain_, [2])[2].active


def test_signer_set_and_quorum(chain_, oracle_keys):
    from eth_account import Account

    signers, quorum = signer_set(chain_)
    assert sorted(signers) == sorted(Account.from_key(k).address for k in (oracle_keys.operator_signer, oracle_keys.verifier_signer))
    assert quorum == 2


def test_factor_years(chain_, installation_ids):
    assert factor_years(chain_, {2025, 2026}) == {2026}


def test_no_round_before_the_first(chain_):
    assert last_round_id(chain_) == 0
    assert round_on_chain(chain_, 1) is None
