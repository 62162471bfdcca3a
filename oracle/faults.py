"""Crash points for the fault tests: the process kills itself (SIGKILL) at a named step.

Set ``ORACLE_CRASH_AT=<point>`` in the environment of a test subprocess; nothing happens otherwise.
Points: ``ingest:stored``, ``build:stored``, ``sign:stored``, ``submit:sent`` (transaction
broadcast, receipt not awaited), ``submit:receipt`` (receipt in hand, not yet recorded),
``claim:batch`` (after the first claim batch is mined).
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "ORACLE_CRASH_AT"


def crash_point(point: str) -> None:
    """Die here, like a power cut, when the environment names this point."""
    if os.environ.get(CRASH_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
