"""oracle/chain/transactions.py on anvil: EIP-1559 fees, the journal written before the broadcast,
one transaction per key (also after a crash or a dropped transaction), the RPC down then back, and
reverts named by their custom error."""

import socket

import pytest
import requests
from web3 import Web3
from web3.exceptions import TransactionNotFound

import oracle.chain.transactions as transactions
from oracle.chain.manifest import Chain
from oracle.chain.transactions import MemoryJournal, Sender, custom_error_name
from oracle.errors import ChainError

SPENDER = "0x000000000000000000000000000000000000bEEF"


def approve(chain_, amount=5):
    """A call anyone may send: PaymentToken.approve(SPENDER, amount)."""
    return chain_.contract("PaymentToken").functions.approve(SPENDER, amount)


def nonce(chain_, account, block="latest"):
    return chain_.web3.eth.get_transaction_count(account.address, block)


class Crashed(Exception):
    """Stands for the SIGKILL of oracle.faults.crash_point."""


@pytest.fixture
def crash_at(monkeypatch):
    """crash_at(point): the Sender's crash point `point` raises Crashed instead of killing pytest."""

    def arm(point):
        def crash_point(name):
            if name == point:
                raise Crashed(name)

        monkeypatch.setattr(transactions, "crash_point", crash_point)

    return arm


def test_send_uses_eip1559_fees_and_journals_the_receipt(chain_, sender, journal, sender_account):
    receipt = sender.send("approve:1", approve(chain_))
    tx = chain_.web3.eth.get_transaction(receipt["transactionHash"])
    base_fee = chain_.web3.eth.get_block(receipt["blockNumber"] - 1)["baseFeePerGas"]
    assert tx["type"] == 2
    assert tx["maxPriorityFeePerGas"] > 0
    assert tx["maxFeePerGas"] == 2 * base_fee + tx["maxPriorityFeePerGas"]
    assert tx["from"] == sender_account.address
    record = journal.lookup("approve:1")
    assert record.tx_hash == "0x" + bytes(receipt["transactionHash"]).hex()
    assert (record.block, record.status, record.gas_used) == (receipt["blockNumber"], 1, receipt["gasUsed"])


def test_legacy_gas_price_when_blocks_have_no_base_fee(chain_, sender_account):
    class NoBaseFeeEth:
        gas_price = 7_000

        def get_block(self, _):
            return {"number": 1}

    class NoBaseFeeWeb3:
        eth = NoBaseFeeEth()

    sender = Sender(Chain(NoBaseFeeWeb3(), chain_.manifest), sender_account, MemoryJournal())
    assert sender._fees() == {"gasPrice": 7_000}


def test_the_journal_is_written_before_the_broadcast(chain_, sender_account):
    seen = {}

    class CheckingJournal(MemoryJournal):
        def record_sent(self, key, tx_hash, nonce_, raw_tx):
            try:
                chain_.web3.eth.get_transaction(tx_hash)
                seen["known"] = True
            except TransactionNotFound:
                seen["known"] = False
            super().record_sent(key, tx_hash, nonce_, raw_tx)

    Sender(chain_, sender_account, CheckingJournal()).send("approve:1", approve(chain_))
    assert seen == {"known": False}


def test_a_journal_that_fails_to_record_means_nothing_is_broadcast(chain_, sender_account):
    class FailingJournal(MemoryJournal):
        def record_sent(self, *args):
            raise OSError("disk full")

    before = nonce(chain_, sender_account, "pending")
    with pytest.raises(OSError, match="disk full"):
        Sender(chain_, sender_account, FailingJournal()).send("approve:1", approve(chain_))
    assert nonce(chain_, sender_account, "pending") == before


def test_one_key_sends_one_transaction(chain_, sender, sender_account):
    first = sender.send("approve:1", approve(chain_))
    again = sender.send("approve:1", approve(chain_, 6))
    assert again["transactionHash"] == first["transactionHash"]
    assert nonce(chain_, sender_account) == 1
    assert chain_.contract("PaymentToken").functions.allowance(sender_account.address, SPENDER).call() == 5


def test_killed_after_the_broadcast_then_rerun_sends_nothing_more(chain_, sender, journal, sender_account, crash_at):
    crash_at("x:sent")
    with pytest.raises(Crashed):
        sender.send("approve:1", approve(chain_), crash_after_send="x:sent", crash_after_receipt="x:receipt")
    assert journal.lookup("approve:1").status is None
    crash_at("none")
    receipt = sender.send("approve:1", approve(chain_), crash_after_send="x:sent", crash_after_receipt="x:receipt")
    assert "0x" + bytes(receipt["transactionHash"]).hex() == journal.lookup("approve:1").tx_hash
    assert journal.lookup("approve:1").status == 1
    assert nonce(chain_, sender_account) == 1


def test_killed_with_the_receipt_in_hand_then_rerun_records_it(chain_, sender, journal, sender_account, crash_at):
    crash_at("x:receipt")
    with pytest.raises(Crashed):
        sender.send("approve:1", approve(chain_), crash_after_receipt="x:receipt")
    assert journal.lookup("approve:1").status is None
    crash_at("none")
    sender.send("approve:1", approve(chain_))
    assert journal.lookup("approve:1").status == 1
    assert nonce(chain_, sender_account) == 1


@pytest.fixture
def automine_off(chain_):
    chain_.web3.provider.make_request("evm_setAutomine", [False])
    yield
    chain_.web3.provider.make_request("evm_setAutomine", [True])


def test_a_dropped_transaction_is_sent_again_at_the_same_nonce_and_mined_once(
    chain_, journal, sender_account, sleep, automine_off
):
    waiting = Sender(chain_, sender_account, journal, sleep=sleep, receipt_timeout_s=1)
    with pytest.raises(ChainError, match="not mined within 1 s: run again"):
        waiting.send("approve:1", approve(chain_))
    record = journal.lookup("approve:1")
    chain_.web3.provider.make_request("anvil_dropAllTransactions", [])
    with pytest.raises(TransactionNotFound):
        chain_.web3.eth.get_transaction(record.tx_hash)
    chain_.web3.provider.make_request("evm_setAutomine", [True])

    receipt = waiting.send("approve:1", approve(chain_))

    assert "0x" + bytes(receipt["transactionHash"]).hex() == record.tx_hash  # the same signed transaction
    assert nonce(chain_, sender_account) == record.nonce + 1
    assert waiting.send("approve:1", approve(chain_))["transactionHash"] == receipt["transactionHash"]


def test_a_pending_transaction_is_waited_for_not_sent_again(chain_, journal, sender_account, sleep, automine_off):
    waiting = Sender(chain_, sender_account, journal, sleep=sleep, receipt_timeout_s=1)
    with pytest.raises(ChainError, match="not mined"):
        waiting.send("approve:1", approve(chain_))
    with pytest.raises(ChainError, match="not mined"):
        waiting.send("approve:1", approve(chain_))  # still pending: waits again, no second transaction
    assert nonce(chain_, sender_account, "pending") == 1
    chain_.web3.provider.make_request("evm_mine", [])
    assert waiting.send("approve:1", approve(chain_))["status"] == 1
    assert nonce(chain_, sender_account) == 1


def closed_port_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_rpc_down_is_a_chain_error_after_backoff_then_the_right_url_works(chain_, journal, sender_account, sleep):
    down = Chain(Web3(Web3.HTTPProvider(closed_port_url(), exception_retry_configuration=None)), chain_.manifest)
    with pytest.raises(ChainError, match="cannot reach the RPC node .* after 4 attempts") as error:
        Sender(down, sender_account, journal, sleep=sleep, max_retries=3).send("approve:1", approve(down))
    assert error.value.exit_code == 3
    assert sleep.waits == [1.0, 2.0, 4.0]
    assert journal.lookup("approve:1") is None
    assert Sender(chain_, sender_account, journal, sleep=sleep).send("approve:1", approve(chain_))["status"] == 1


def test_rpc_down_then_back_within_the_retries(chain_, rpc_url, journal, sender_account, sleep, monkeypatch):
    flaky = Web3(Web3.HTTPProvider(rpc_url, exception_retry_configuration=None))
    real = flaky.provider.make_request
    failures = {"left": 2}

    def make_request(method, params):
        if failures["left"]:
            failures["left"] -= 1
            raise requests.ConnectionError("connection refused")
        return real(method, params)

    monkeypatch.setattr(flaky.provider, "make_request", make_request)
    chain_back = Chain(flaky, chain_.manifest)
    receipt = Sender(chain_back, sender_account, journal, sleep=sleep).send("approve:1", approve(chain_back))
    assert receipt["status"] == 1
    assert sleep.waits[:2] == [1.0, 2.0]
    assert nonce(chain_, sender_account) == 1


def test_a_revert_at_estimation_names_the_custom_error(chain_, sender, journal, sender_account):
    call = chain_.contract("GenerationOracle").functions.addSigner(SPENDER)
    with pytest.raises(ChainError, match=rf"signer:add: addSigner would revert: AccessControlUnauthorizedAccount\({sender_account.address}, 0x0{{64}}\)"):
        sender.send("signer:add", call)
    assert journal.lookup("signer:add") is None
    assert nonce(chain_, sender_account, "pending") == 0


def test_custom_error_name_decodes_a_selector_and_its_arguments(chain_):
    abi = chain_.contract("GenerationOracle").abi
    data = Web3.keccak(text="GenerationOracleRoundNotNext(uint64,uint64)")[:4] + (5).to_bytes(32, "big") + (2).to_bytes(32, "big")
    assert custom_error_name("0x" + data.hex(), abi) == "GenerationOracleRoundNotNext(5, 2)"
    assert custom_error_name("0xdeadbeef", abi) is None
