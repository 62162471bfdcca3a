"""`make demo` run from a test, its output captured, its files in a folder of the test's."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from types import SimpleNamespace

import pytest


def run_demo_captured(folder: Path) -> SimpleNamespace:
    """Run the demo on the test chain writing into `folder` (the manifest there, the reports in
    ``folder / "demo"``): its printed output, manifest, contracts and transactions."""
    from brownie import history

    from scripts import demo
    from scripts.deployment import manifest as deployment_manifest
    from scripts.walkthroughs import energy as demo_energy

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deployment_manifest, "MANIFEST_DIR", folder)
        patch.setattr(demo_energy, "DEMO_DIR", folder / "demo")
        buffer = io.StringIO()  # capsys is function-scoped: the run is captured by hand
        with contextlib.redirect_stdout(buffer):
            manifest = demo.run_demo()
    return SimpleNamespace(manifest=manifest, out=buffer.getvalue(), folder=folder,
                           contracts=deployment_manifest.contracts_from_manifest(manifest), txs=list(history))
