"""How scripts print for people: pesos, short addresses, section titles."""

from __future__ import annotations

from typing import Any


def clp(amount: int) -> str:
    """Whole pesos with Chilean thousands separators: 5.100.000 CLP."""
    return f"{int(amount):,} CLP".replace(",", ".")


def short_address(address: Any) -> str:
    """0x1234ab...cdef: enough to tell accounts and contracts apart on a terminal."""
    text = str(address)
    return f"{text[:8]}...{text[-4:]}"


def section(title: str) -> None:
    """Print a section title line: ``=== title ====...``."""
    print(f"\n=== {title} " + "=" * max(0, 70 - len(title)))
