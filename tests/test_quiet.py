"""scripts/common/quiet.py: brownie's per-transaction lines are dropped, everything else passes through."""

import io
import sys

from scripts.common.quiet import brownie_transaction_lines_hidden

BROWNIE_TX_REPORT = (
    "Transaction sent: \x1b[0;1;34m0xabc\x1b[0;m\n"
    "  Gas price: \x1b[0;1;34m0.0\x1b[0;m gwei   Gas limit: 30000000   Nonce: 0\n"
    "  PesoToken.constructor confirmed   Block: 1   Gas used: 801228 (2.67%)\n"
    "  PesoToken deployed at: 0x5FbDB2315678afecb367f032d93F642f64180aa3\n"
    "\n"
)


def test_transaction_report_lines_are_dropped_and_others_kept(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    with brownie_transaction_lines_hidden():
        print("1. Deploy the token")
        print()  # a blank line of the script's own stays
        sys.stdout.write(BROWNIE_TX_REPORT)
        sys.stdout.write("   certificate 1: ")  # a line written in pieces
        sys.stdout.write("19,000 Wh\n")
        print("   gas confirmed by the node: 117,000")
    assert out.getvalue() == "1. Deploy the token\n\n   certificate 1: 19,000 Wh\n   gas confirmed by the node: 117,000\n"


def test_a_live_network_report_and_a_confirmation_spinner_are_dropped(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    with brownie_transaction_lines_hidden():
        sys.stdout.write("  Max fee: \x1b[0;1;34m1.6\x1b[0;m gwei   Priority fee: 1.0 gwei   Gas limit: 882022   Nonce: 9\n")
        sys.stdout.write("  Waiting for confirmation... -\r  Projects.grantRole confirmed   Block: 8   Gas used: 51515 (0.17%)\n\n")
        print("   waiting for confirmation of nothing: a line of the script's own")
    assert out.getvalue() == "   waiting for confirmation of nothing: a line of the script's own\n"
