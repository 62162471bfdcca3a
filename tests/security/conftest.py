"""Security fixtures: the whole suite deployed and wired exactly as scripts/deploy.py wires it
(the `suite` fixture of tests/conftest.py), and the accounts an attacker uses.

One test file per finding of the security review (issue 9); each performs the attack and asserts
that it fails, beside a test that the legitimate path still works. Fixtures that only one finding
needs live in its file.
"""

from __future__ import annotations

import pytest
from brownie import accounts as brownie_accounts



@pytest.fixture(scope="session")
def attacker(accounts):
    """The attacker's main address: no role anywhere until it gives itself one."""
    return accounts[9]


@pytest.fixture(scope="session")
def accomplices(accounts):
    """Three more addresses the attacker controls (for the four-colluding-addresses attacks)."""
    return [accounts[6], accounts[7], accounts[8]]


@pytest.fixture(scope="session")
def honest_investors(accounts):
    return [accounts[2], accounts[3]]


@pytest.fixture(scope="module")
def honest_sellers(operator):
    """A provider, an installer and a manager with no stake in any attack: fresh accounts (funded
    with 1 ether of gas money), so no named account's roles leak into them."""
    created = [brownie_accounts.add() for _ in range(3)]
    for seller in created:
        operator.transfer(seller, "1 ether")
    return created
