"""Helpers of the dashboard's tests: the demo's test keys, signing in through the pages, CSRF tokens."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from eth_account import Account
from eth_account.messages import encode_defunct


@dataclass(frozen=True)
class TestKey:
    __test__ = False  # not a test class
    address: str
    key: str



def sign_message(key: str, message: str) -> str:
    return "0x" + bytes(Account.from_key(key).sign_message(encode_defunct(text=message)).signature).hex()


def csrf_of(page_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_text).group(1)


def sign_in_message(client, address: str) -> tuple[str, str]:
    """The SIWE message the sign-in page issues for `address`, and the page's CSRF token."""
    page = client.get(f"/sign-in?address={address}")
    assert page.status_code == 200, page.text
    message = html.unescape(re.search(r'<textarea name="message"[^>]*>(.*?)</textarea>', page.text, re.S).group(1))
    return message, csrf_of(page.text)


def signed_in(client, key: str, host: str | None = None):
    """Sign `client` in with `key` through the sign-in pages (the message signed here): the POST's response."""
    message, csrf = sign_in_message(client, Account.from_key(key).address)
    headers = {"host": host} if host else {}
    return client.post("/sign-in", data={"message": message, "signature": sign_message(key, message), "csrf_token": csrf},
                       headers=headers, follow_redirects=False)
