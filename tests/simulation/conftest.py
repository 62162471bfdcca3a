"""Simulation fixtures: the suite as scripts/deploy.py wires it (tests/conftest.py `suite`) and a
small seeded run of both phases (simulation_helpers.py)."""

from __future__ import annotations

import pytest

from simulation_helpers import CERTIFIED_DAYS, SMALL_SEED, SMALL_USERS, run_simulation


@pytest.fixture(scope="module")
def small_run(suite, accounts, operator):
    """A 30-user simulation, certified for two days (the first sold before the second phase)."""
    return run_simulation(suite, accounts, operator, SMALL_USERS, SMALL_SEED, CERTIFIED_DAYS)
