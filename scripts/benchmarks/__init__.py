"""Benchmarks of `make bench` (scripts/bench.py), one module per area."""
