"""Components of the suite deployed by scripts/deploy.py, one module per area.

A component is a function ``deploy_<area>(deployer, deployed) -> dict[name, Contract]``: it deploys
its contracts (the deployer becomes their admin), grants the roles they need on each other and on
what earlier components deployed (``deployed``, by manifest name), and returns its contracts by the
names the manifest will use.
"""


class DeploymentError(Exception):
    """A deployment cannot proceed; the message says what to fix."""
