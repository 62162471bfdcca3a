"""The demo's report (reports/demo/report.md and its PNG plots), from what the demo did on chain."""
