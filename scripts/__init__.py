"""brownie entry points (``brownie run scripts/<name>.py``), thin, over the packages beside them:
common/, deployment/, market/, walkthroughs/, benchmarks/, toolchain/. Their logic is importable
(``from scripts.deployment.suite import deploy_suite``)."""

from scripts.toolchain.brownie_fixes import install as _install_brownie_fixes

_install_brownie_fixes()  # brownie 1.22.2 + anvil: a mined transaction must not be called "dropped"
