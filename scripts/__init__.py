"""brownie scripts; their logic is importable (``from scripts.deploy import deploy_suite``)."""

from scripts.toolchain.brownie_fixes import install as _install_brownie_fixes

_install_brownie_fixes()  # brownie 1.22.2 + anvil: a mined transaction must not be called "dropped"
