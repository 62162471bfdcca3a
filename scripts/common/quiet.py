"""Quiet output for scripts that send many transactions (`make demo`, `make bench`)."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from typing import Iterator, TextIO


class _TransactionLineFilter(io.TextIOBase):
    """Drops brownie's per-transaction report lines (and the blank line closing each report) from
    what passes through it."""

    NOISE = re.compile(r"^\s*(Transaction sent:|Waiting for confirmation\.\.\.|(Gas price|Max fee):.*\bNonce:|\S+ confirmed\b.*\bBlock:|\S+ deployed at: 0x)")
    ANSI = re.compile(r"\x1b\[[0-9;]*m")

    def __init__(self, target: TextIO) -> None:
        self._target = target
        self._pending = ""
        self._in_report = False

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            plain = self.ANSI.sub("", line.lstrip("\r"))
            if self.NOISE.match(plain):
                self._in_report = True
            elif self._in_report and not plain.strip():
                self._in_report = False
            else:
                self._in_report = False
                self._target.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        self._target.flush()


@contextlib.contextmanager
def brownie_transaction_lines_hidden() -> Iterator[None]:
    """brownie 1.22.2 ignores ``--silent`` for transactions sent without ``silent=True`` (its
    compiled account module never reads the flag), so filter its report lines out of stdout."""
    with contextlib.redirect_stdout(_TransactionLineFilter(sys.stdout)):
        yield
