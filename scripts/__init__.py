"""brownie scripts; their logic is importable (``from scripts.deploy import deploy_suite``)."""
