"""The only place that deploys and wires the suite's contracts.

- ``suite.py``: the components in order and :func:`~scripts.deployment.suite.deploy_suite`, which
  deploys them (or reuses a matching deployment) and records the manifest;
- ``manifest.py``: ``deployments/<chain-id>.json``, written, checked against the chain, read back;
- one module per area (``token.py``, ``market.py``, ``energy.py``): a component is a function
  ``deploy_<area>(deployer, deployed) -> dict[name, Contract]`` that deploys its contracts (the
  deployer becomes their admin), grants the roles they need on each other and on what earlier
  components deployed (``deployed``, by manifest name), and returns its contracts by the names the
  manifest uses. Benchmarks and tests that need one contract with a different peer (a mock) use the
  same per-contract functions of these modules.
"""


class DeploymentError(Exception):
    """A deployment cannot proceed; the message says what to fix."""
