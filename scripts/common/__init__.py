"""Helpers every script shares: accounts, paged contract reads, quiet and formatted output, paths."""
