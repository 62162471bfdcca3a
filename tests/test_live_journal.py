"""scripts/common/live.py: a run on a live network that stops (at any point around a transaction)
picks up where it stopped: nothing is sent twice, nothing is skipped, and a script that changed is
refused. Run here on the development chain: the journal does not care which chain it is on."""

from pathlib import Path

import pytest
from brownie import PesoToken, web3

from scripts.common.live import DemoStopped, JournalError, JournalMismatch, LiveActors, TxJournal, confirmations

DEPLOYER_KEY = "0x" + "5e" * 32


@pytest.fixture
def journal_path(tmp_path, accounts):
    accounts[0].transfer(web3.eth.account.from_key(DEPLOYER_KEY).address, "10 ether", silent=True)
    yield tmp_path / "journal.json"
    web3.eth.default_block = "latest"


def story(journal_path: Path, fresh: bool = False, mint: bool = True):
    """Fund two actors, deploy a token, mint (only when the actor has none: a branch on a read),
    transfer. Returns (token, actors, journal). mint=False is a changed script."""
    journal = TxJournal(journal_path, web3.chain_id, fresh=fresh)
    actors = LiveActors(DEPLOYER_KEY, journal)
    actors.fund(3, 10**17)
    token = PesoToken.deploy(actors[0], {"from": actors[0]})
    if mint and token.balanceOf(actors[1]) == 0:
        token.mint(actors[1], 100, {"from": actors[0]})
    token.transfer(actors[2], 40, {"from": actors[1]})
    return token, actors, journal


def sent_count(address: str) -> int:
    return web3.eth.get_transaction_count(address)


@pytest.mark.parametrize("stage", ["signed", "sent", "mined"])
@pytest.mark.parametrize("number", [3, 5])
def test_a_run_stopped_around_a_transaction_resumes_without_sending_anything_twice(journal_path, monkeypatch, stage, number):
    monkeypatch.setenv("DEMO_STOP_AT", f"{stage}:{number}")
    with pytest.raises(DemoStopped):
        story(journal_path, fresh=True)
    monkeypatch.delenv("DEMO_STOP_AT")
    token, actors, journal = story(journal_path)
    assert journal.replayed == number  # the stopped one too: rebroadcast (signed), awaited (sent) or read back (mined)
    assert len(journal.entries) == 5  # 2 fundings, deploy, mint, transfer
    assert token.balanceOf(actors[1]) == 60 and token.balanceOf(actors[2]) == 40 and token.totalSupply() == 100
    assert sent_count(actors[0].address) == 4 and sent_count(actors[1].address) == 1


def test_a_finished_run_replays_whole_with_reads_pinned_to_the_past(journal_path):
    """The mint happens only when the actor's balance is 0: replayed after the run, the read must
    see the state before the mint, or the script would ask for the transfer where the journal has
    the mint and be refused."""
    token, actors, _ = story(journal_path, fresh=True)
    before = sent_count(actors[0].address)
    again, _, journal = story(journal_path)
    assert journal.replayed == 5 and again.address == token.address
    assert again.tx is not None and again.tx.txid == token.tx.txid  # the manifest records its deploy transaction
    assert sent_count(actors[0].address) == before
    assert web3.eth.default_block == "latest"  # unpinned past the journal's end


def test_a_script_that_changed_since_it_stopped_is_refused_with_the_reason(journal_path):
    story(journal_path, fresh=True)
    with pytest.raises(JournalMismatch, match=r"transaction 4 of this run is 0xa9059cbb .* recorded 0x40c10f19 .*'fresh'"):
        story(journal_path, mint=False)


def test_fresh_starts_a_new_journal(journal_path):
    first, _, _ = story(journal_path, fresh=True)
    second, _, journal = story(journal_path, fresh=True)
    assert journal.replayed == 0 and second.address != first.address


def test_bad_settings_are_clear_errors(journal_path, monkeypatch):
    monkeypatch.setenv("DEMO_STOP_AT", "later")
    with pytest.raises(JournalError, match="DEMO_STOP_AT='later': expected signed:N"):
        story(journal_path, fresh=True)
    monkeypatch.delenv("DEMO_STOP_AT")
    monkeypatch.setenv("DEMO_CONFIRMATIONS", "0")
    with pytest.raises(JournalError, match="DEMO_CONFIRMATIONS='0'"):
        confirmations()
    journal_path.write_text("{not json")
    with pytest.raises(JournalError, match="cannot be read .* 'fresh'"):
        TxJournal(journal_path, web3.chain_id)
