"""`make lint`: slither and solhint over contracts/ and interfaces/.

Fails when slither reports a high or medium finding that is not triaged, or when solhint reports an
error. Accepted slither findings are listed in slither-triage.json, each with the detector, the
element it points at (as slither names it, e.g. ``Crowdfunding.claimRevenue(uint256)``) and the
reason it is accepted; a triage entry that no longer matches any finding is reported as stale so
the file does not rot. Run from the project root (the Makefile does).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
TRIAGE_PATH = PROJECT_ROOT / "slither-triage.json"
SOLC = PROJECT_ROOT / ".solcx" / "solc-v0.8.28"
FAILING_IMPACTS = ("High", "Medium")
REMAP = "@openzeppelin/contracts=node_modules/@openzeppelin/contracts"


class LintError(Exception):
    """Lint could not run (missing tool, unreadable triage file)."""


@dataclass(frozen=True)
class Finding:
    detector: str
    impact: str
    elements: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class TriageEntry:
    detector: str
    element: str
    reason: str

    def matches(self, finding: Finding) -> bool:
        return finding.detector == self.detector and self.element in finding.elements


def _element_name(element: dict[str, Any]) -> str:
    if element.get("type") == "function":
        parent = element.get("type_specific_fields", {}).get("parent", {}).get("name", "")
        signature = element.get("type_specific_fields", {}).get("signature", element.get("name", ""))
        return f"{parent}.{signature}" if parent else signature
    return str(element.get("name", ""))


def parse_findings(report: dict[str, Any]) -> list[Finding]:
    """Findings of a slither ``--json`` report."""
    if not report.get("success", False):
        raise LintError(f"slither failed: {report.get('error')}")
    findings = []
    for result in report.get("results", {}).get("detectors", []):
        findings.append(
            Finding(
                detector=result["check"],
                impact=result["impact"],
                elements=tuple(_element_name(e) for e in result.get("elements", [])),
                description=result.get("description", "").strip(),
            )
        )
    return findings


def load_triage(path: Path = TRIAGE_PATH) -> list[TriageEntry]:
    """Accepted findings; every entry needs detector, element and a non-empty reason."""
    if not path.exists():
        return []
    try:
        raw = json.loads(path.read_text())
        entries = [TriageEntry(e["detector"], e["element"], e["reason"]) for e in raw["accepted"]]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise LintError(f"{path.name}: expected {{'accepted': [{{detector, element, reason}}]}} ({exc})") from exc
    for entry in entries:
        if not entry.reason.strip():
            raise LintError(f"{path.name}: entry {entry.detector} {entry.element} has no reason")
    return entries


def unexplained(findings: list[Finding], triage: list[TriageEntry]) -> list[Finding]:
    """High/medium findings that no triage entry accepts."""
    return [
        f for f in findings if f.impact in FAILING_IMPACTS and not any(t.matches(f) for t in triage)
    ]


def stale_entries(findings: list[Finding], triage: list[TriageEntry]) -> list[TriageEntry]:
    return [t for t in triage if not any(t.matches(f) for f in findings)]


def run_slither() -> list[Finding]:
    if not SOLC.exists():
        raise LintError(f"{SOLC} is missing: run `make install`")
    slither = Path(sys.executable).parent / "slither"
    if not slither.exists():
        raise LintError(f"{slither} is missing: run `make install` (slither-analyzer is in requirements.txt)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "slither.json"
        run = subprocess.run(
            [
                str(slither), "contracts/", "--solc", str(SOLC), "--solc-standard-json",
                "--solc-remaps", REMAP, "--filter-paths", "node_modules|contracts/test",
                "--json", str(out), "--disable-color",
            ],
            cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
        )
        if not out.exists():
            tail = "\n".join(run.stderr.strip().splitlines()[-5:])
            raise LintError(f"slither produced no report; its last lines:\n{tail}")
        return parse_findings(json.loads(out.read_text()))


def run_solhint() -> int:
    solhint = PROJECT_ROOT / "node_modules" / ".bin" / "solhint"
    if not solhint.exists():
        raise LintError("solhint is missing: run `make install`")
    return subprocess.run(
        [str(solhint), "--disc", "--noPoster", "contracts/**/*.sol", "interfaces/**/*.sol"],
        cwd=PROJECT_ROOT, check=False, env={**os.environ, "FORCE_COLOR": "0"},
    ).returncode


def main() -> int:
    try:
        findings = run_slither()
        triage = load_triage()
    except LintError as exc:
        print(f"lint: {exc}", file=sys.stderr)
        return 2
    by_impact: dict[str, int] = {}
    for f in findings:
        by_impact[f.impact] = by_impact.get(f.impact, 0) + 1
    print("slither: " + (", ".join(f"{n} {impact.lower()}" for impact, n in sorted(by_impact.items())) or "no findings"))
    failing = unexplained(findings, triage)
    for f in failing:
        print(f"  UNTRIAGED {f.impact.upper()} {f.detector}: {(f.description.splitlines() or [''])[0]}")
    for t in stale_entries(findings, triage):
        print(f"  stale triage entry (no longer found): {t.detector} {t.element}")
    accepted = sum(1 for f in findings if f.impact in FAILING_IMPACTS) - len(failing)
    print(f"slither: {accepted} high/medium finding(s) accepted in {TRIAGE_PATH.name}, {len(failing)} untriaged")
    solhint_rc = run_solhint()
    print("solhint: " + ("clean of errors" if solhint_rc == 0 else f"errors (exit {solhint_rc})"))
    return 1 if failing or solhint_rc else 0


if __name__ == "__main__":
    sys.exit(main())
