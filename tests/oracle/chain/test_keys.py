"""oracle/chain/keys.py: keys from the environment or an eth-account keystore; no message or repr
ever shows the key or the password."""

import json

import pytest
from eth_account import Account

from oracle.chain.keys import load_account
from oracle.errors import ConfigError

KEY = "0x" + f"{0x5E4D:064x}"
PASSWORD = "correct horse battery"


@pytest.fixture
def keystore(tmp_path):
    path = tmp_path / "sender.json"
    path.write_text(json.dumps(Account.encrypt(KEY, PASSWORD, iterations=2)))
    return path


def assert_secret_free(text):
    assert KEY[2:] not in text and KEY[-12:] not in text and PASSWORD not in text


def test_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("ORACLE_SENDER_KEY", KEY)
    account = load_account("the sender", env_var="ORACLE_SENDER_KEY")
    assert account.address == Account.from_key(KEY).address
    assert_secret_free(repr(account) + str(account))


def test_missing_variable_is_named(monkeypatch):
    monkeypatch.delenv("ORACLE_SENDER_KEY", raising=False)
    with pytest.raises(ConfigError, match="^ORACLE_SENDER_KEY is not set"):
        load_account("the sender", env_var="ORACLE_SENDER_KEY")


def test_a_bad_key_is_named_but_not_shown(monkeypatch):
    bad = KEY[:-2] + "zz"
    monkeypatch.setenv("ORACLE_SENDER_KEY", bad)
    with pytest.raises(ConfigError, match="ORACLE_SENDER_KEY is not a valid private key") as error:
        load_account("the sender", env_var="ORACLE_SENDER_KEY")
    assert bad[2:20] not in str(error.value)
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_keystore_with_its_password(keystore, monkeypatch):
    monkeypatch.setenv("SENDER_PASSWORD", PASSWORD)
    account = load_account("the sender", keystore_path=keystore, password_env="SENDER_PASSWORD")
    assert account.address == Account.from_key(KEY).address


def test_keystore_with_a_wrong_password(keystore, monkeypatch):
    monkeypatch.setenv("SENDER_PASSWORD", "wrong")
    with pytest.raises(ConfigError, match=f"keystore {keystore}: wrong password") as error:
        load_account("the sender", keystore_path=keystore, password_env="SENDER_PASSWORD")
    assert_secret_free(str(error.value))


def test_keystore_without_its_password_variable(keystore, monkeypatch):
    monkeypatch.delenv("SENDER_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="SENDER_PASSWORD is not set"):
        load_account("the sender", keystore_path=keystore, password_env="SENDER_PASSWORD")


def test_missing_keystore_file(tmp_path):
    with pytest.raises(ConfigError, match="keystore .*missing.json for the sender: cannot read it"):
        load_account("the sender", keystore_path=tmp_path / "missing.json", password_env="SENDER_PASSWORD")


def test_a_keystore_that_is_not_json(tmp_path, monkeypatch):
    path = tmp_path / "garbage.json"
    path.write_text("not json")
    with pytest.raises(ConfigError, match="not an eth-account keystore"):
        load_account("the sender", keystore_path=path, password_env="SENDER_PASSWORD")


def test_no_source_at_all():
    with pytest.raises(ConfigError, match="no key configured for the sender"):
        load_account("the sender")
