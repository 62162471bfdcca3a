"""The oracle's keys: the sender that pays gas and the round signers, each from an environment
variable (a 0x private key) or an eth-account keystore JSON file decrypted with a password read from
an environment variable.

Keys are handed to eth-account only. No message, log line or repr here ever contains a key or a
password: errors name the variable or the file, never the value.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from oracle.errors import ConfigError


def load_account(
    what: str,
    env_var: str | None = None,
    keystore_path: Path | None = None,
    password_env: str | None = None,
) -> LocalAccount:
    """The account `what` (e.g. "the sender") from `keystore_path` (decrypted with the password in
    `$password_env`) when given, else from the 0x private key in `$env_var`.

    Every failure is a ConfigError naming the variable or file ("ORACLE_SENDER_KEY is not set",
    "keystore sender.json: wrong password"), never the key."""
    if keystore_path is not None:
        return _from_keystore(what, Path(keystore_path), password_env)
    if env_var is None:
        raise ConfigError(f"no key configured for {what}: give an environment variable or a keystore file")
    value = os.environ.get(env_var, "").strip()
    if not value:
        raise ConfigError(f"{env_var} is not set: it must hold the 0x private key of {what}")
    try:
        return Account.from_key(value)
    except Exception:  # eth-account's messages may quote the value: never chain them
        raise ConfigError(f"{env_var} is not a valid private key (32 bytes, 0x hex) for {what} (value not shown)") from None


def _from_keystore(what: str, path: Path, password_env: str | None) -> LocalAccount:
    try:
        keystore = json.loads(path.read_text())
    except OSError as exc:
        raise ConfigError(f"keystore {path} for {what}: cannot read it ({exc.strerror or type(exc).__name__})") from None
    except json.JSONDecodeError:
        raise ConfigError(f"keystore {path} for {what}: not an eth-account keystore JSON file") from None
    if password_env is None:
        raise ConfigError(f"keystore {path} for {what}: no password variable configured")
    password = os.environ.get(password_env)
    if password is None:
        raise ConfigError(f"{password_env} is not set: it must hold the password of keystore {path}")
    try:
        key = Account.decrypt(keystore, password)
    except ValueError as exc:
        if "MAC mismatch" in str(exc):
            raise ConfigError(f"keystore {path}: wrong password (from {password_env})") from None
        raise ConfigError(f"keystore {path}: not a usable eth-account keystore ({type(exc).__name__})") from None
    except Exception as exc:  # malformed keystore fields: KeyError, TypeError, ...
        raise ConfigError(f"keystore {path}: not a usable eth-account keystore ({type(exc).__name__})") from None
    return Account.from_key(key)
