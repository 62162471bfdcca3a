"""oracle/chain/submit.py: a signed round submitted once through web3, checked before sending."""

import pytest
from eth_account import Account

import oracle.chain.transactions as transactions
from generation_helpers import day_leaf, make_round
from oracle.chain.reads import last_round_id, round_on_chain
from oracle.chain.submit import submit_round
from oracle.chain.transactions import MemoryJournal, Sender
from oracle.errors import ChainError, ConfigError

UNKNOWN_KEY = "0x" + f"{0xBADBAD:064x}"


@pytest.fixture
def round1():
    return make_round(1, [day_leaf(1, 10), day_leaf(2, 10, 50_000)]).round


def nonce(chain_, account):
    return chain_.web3.eth.get_transaction_count(account.address, "pending")


def test_submit_sends_the_round(chain_, sender, sign, round1):
    result = submit_round(chain_, sender, round1, sign(round1))
    assert result.status == "submitted"
    assert result.tx_hash.startswith("0x") and len(result.tx_hash) == 66
    assert result.block == chain_.web3.eth.get_transaction_receipt(result.tx_hash)["blockNumber"]
    assert last_round_id(chain_) == 1
    on_chain = round_on_chain(chain_, 1)
    assert (on_chain.root, on_chain.leaf_count, on_chain.total_energy_wh) == (round1.merkle_root, 2, round1.total_energy_wh)


def test_a_rerun_finds_the_round_on_chain_and_sends_nothing(chain_, sender, sender_account, sign, round1):
    first = submit_round(chain_, sender, round1, sign(round1))
    again = submit_round(chain_, sender, round1, sign(round1))
    assert (again.status, again.tx_hash, again.block) == ("already on chain", first.tx_hash, first.block)
    elsewhere = submit_round(chain_, Sender(chain_, sender_account, MemoryJournal()), round1, sign(round1))
    assert (elsewhere.status, elsewhere.tx_hash) == ("already on chain", None)
    assert nonce(chain_, sender_account) == 1


def test_killed_after_the_broadcast_then_rerun_reports_the_one_submission(
    chain_, sender, sender_account, journal, sign, round1, monkeypatch
):
    class Crashed(Exception):
        pass

    def crash_point(point):
        if point == "submit:sent":
            raise Crashed(point)

    monkeypatch.setattr(transactions, "crash_point", crash_point)
    with pytest.raises(Crashed):
        submit_round(chain_, sender, round1, sign(round1))
    monkeypatch.setattr(transactions, "crash_point", lambda point: None)
    again = submit_round(chain_, sender, round1, sign(round1))
    assert again.status == "already on chain"
    assert again.tx_hash == journal.lookup("submit:round:1").tx_hash
    assert journal.lookup("submit:round:1").status == 1
    assert nonce(chain_, sender_account) == 1


def test_a_round_on_chain_with_another_root_is_refused(chain_, sender, sign, round1):
    submit_round(chain_, sender, round1, sign(round1))
    other = make_round(1, [day_leaf(1, 10, 1)]).round
    with pytest.raises(ChainError, match="round 1 on chain has another root .*: rebuild from the chain's state"):
        submit_round(chain_, sender, other, sign(other))


def test_a_round_id_that_is_not_next_says_which_is(chain_, sender, sender_account, sign):
    round3 = make_round(3, [day_leaf(1, 10)]).round
    with pytest.raises(ChainError, match="round 3 cannot be submitted: the next round id on chain is 1"):
        submit_round(chain_, sender, round3, sign(round3))
    assert nonce(chain_, sender_account) == 0


def test_too_few_signatures_for_the_quorum(chain_, sender, sender_account, sign, oracle_keys, round1):
    with pytest.raises(ConfigError, match="round 1 has 1 valid signature.s. of current signers, quorum is 2"):
        submit_round(chain_, sender, round1, sign(round1, oracle_keys.operator_signer))
    assert nonce(chain_, sender_account) == 0


def test_a_signature_by_an_unknown_signer_is_named(chain_, sender, sender_account, sign, oracle_keys, round1):
    unknown = Account.from_key(UNKNOWN_KEY).address
    with pytest.raises(ConfigError, match=f"signature 2 is by {unknown}, not a current signer"):
        submit_round(chain_, sender, round1, sign(round1, oracle_keys.operator_signer, UNKNOWN_KEY))
    assert nonce(chain_, sender_account) == 0


def test_a_signature_of_another_round_does_not_count(chain_, sender, sign, oracle_keys, round1):
    other = make_round(1, [day_leaf(1, 10, 1)]).round
    signatures = sign(round1, oracle_keys.operator_signer) + sign(other, oracle_keys.verifier_signer)
    with pytest.raises(ConfigError, match="signature 2 is by 0x[0-9a-fA-F]{40}, not a current signer"):
        submit_round(chain_, sender, round1, signatures)
