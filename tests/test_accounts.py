"""scripts.common.accounts.account_from_env on a live network: bad settings are clear errors that never
show the key."""

import pytest

import scripts.common.accounts
from scripts.common.accounts import AccountError, account_from_env


@pytest.fixture
def live(monkeypatch):
    monkeypatch.setattr(scripts.common.accounts, "is_local_chain", lambda: False)
    for name in ("PVTEST_KEYSTORE_ID", "PVTEST_PRIVATE_KEY"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("bad_key", ["0xnot-a-key-SECRET", "0x" + "ab" * 31, "SECRET"])
def test_a_malformed_private_key_is_a_clear_error_without_the_key(live, bad_key):
    live.setenv("PVTEST_PRIVATE_KEY", bad_key)
    with pytest.raises(AccountError, match="PVTEST_PRIVATE_KEY is not a valid private key") as info:
        account_from_env("PVTEST")
    assert bad_key not in str(info.value) and "SECRET" not in str(info.value)


def test_an_unknown_keystore_id_is_a_clear_error(live):
    live.setenv("PVTEST_KEYSTORE_ID", "no-such-account-pvledger")
    with pytest.raises(AccountError, match="no brownie keystore account 'no-such-account-pvledger'"):
        account_from_env("PVTEST")


def test_nothing_set_names_both_variables(live):
    with pytest.raises(AccountError, match="PVTEST_KEYSTORE_ID .* or PVTEST_PRIVATE_KEY"):
        account_from_env("PVTEST", "an issuer")
