"""`make demo`: the main job, printed step by step, with a report in reports/demo/.

Usage::

    brownie run scripts/demo.py                          # development (anvil started by brownie)
    brownie run scripts/demo.py --network ganache
    brownie run scripts/demo.py --network sepolia-env    # a live network (or volta): see below
    brownie run scripts/demo.py main fresh --network sepolia-env   # start a new run there

On a local chain: deploy the suite (scripts/deployment/suite.py) and print where each contract is
(the manifest is a file); the market walkthrough (one narrated project of each kind); the ~100-user
simulation's market phase (scripts/simulation); certified generation through the oracle's cron job
for the sample buildings and the simulation's roofs (scripts/walkthroughs/energy.py); the financed
project's last tranche; the simulation's commissioning, revenue, claims and invariants; then
reports/demo/report.md with its plots (scripts/report).

On a live network (no unlocked accounts): the deployer's key from $DEPLOYER_PRIVATE_KEY or
$DEPLOYER_KEYSTORE_ID (environment or .env), every other actor's key derived from it and funded by
it; each transaction waits for $DEMO_CONFIRMATIONS blocks (default 1). Every transaction is
journaled (reports/demo/live-<chain id>/journal.json, scripts/common/live.py): a run that was
interrupted resumes where it stopped when started again, sending nothing twice. The simulation runs
there too, with these differences: its users' keys are derived from the deployer's and funded by
it; its transactions go one by one through the journal (no batches); the clock cannot be moved,
so the operator gives the simulation's campaigns short terms ($DEMO_SIM_CAMPAIGN_S seconds,
default 1200: long enough for the matching, the self-funded payments and every contribution at
testnet block times) and the run waits for their deadline in real time before the failed
campaign's refunds (then sets the 30-day terms back). Its population is $DEMO_SIM_USERS (default
100 on a local chain, 20 on a live network: about 240 more transactions, a block each; at least 12).
"""

from __future__ import annotations

import os
import shutil
import time
from typing import Any

from brownie import accounts, chain, network, web3

from scripts.common.accounts import AccountError, account_from_env, is_local_chain
from scripts.common.format import section
from scripts.common.paths import PROJECT_ROOT
from scripts.common.live import DemoStopped, JournalError, LiveActors, TxJournal
from scripts.common.quiet import brownie_transaction_lines_hidden
from scripts.deployment import DeploymentError
from scripts.deployment.manifest import contracts_from_manifest, describe_manifest
from scripts.deployment.suite import deploy_suite
from scripts.report.chain_gas import ContractFunctions, MinedTx, mined_transactions
from scripts.report.figures import RunActivity
from scripts.report.markdown import ReportInputs, write_report
from scripts.simulation import Invariant, MarketSimulation, SimulationOutcome, settle_revenue_and_claim, simulate_market
from scripts.simulation.batch import BatchError
from scripts.simulation.population import MIN_USERS, SimulationError
from scripts.simulation.summary import print_summary, summary_lines
from scripts.toolchain.dashboard import DEFAULT_PORT, STATE_FILE, save_anvil_state
import scripts.walkthroughs.energy as energy_area  # energy_area.DEMO_DIR read at run time (tests move it)
from scripts.walkthroughs.energy import DEMO_DAYS, EnergyDemoResult, energy_walkthrough
from scripts.walkthroughs.market import completion_walkthrough, market_walkthrough

LIVE_ACTORS = 10  # accounts[0..9] of the market walkthrough: the deployer and nine derived keys
LIVE_ACTOR_FUNDING_WEI = 5 * 10**16  # 0.05 ETH each: a few dozen transactions at testnet gas prices
SIM_USERS_ENV, LOCAL_SIM_USERS, LIVE_SIM_USERS = "DEMO_SIM_USERS", 100, 20
# 20 users send ~45 transactions from the first campaign opened to the last finalized (measured): ~10 min at
# 12-second blocks, so 1200 s leaves about twice that; the run then waits out the rest
SIM_CAMPAIGN_ENV, LIVE_SIM_CAMPAIGN_S = "DEMO_SIM_CAMPAIGN_S", 1200


def whole_number_from_env(name: str, default: int, minimum: int) -> int:
    """$name as a whole number of at least `minimum`, or `default` when unset; SimulationError otherwise."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        raise SimulationError(f"{name}={value!r}: expected a whole number, at least {minimum}")
    return int(value)


def simulation_settings(live: bool) -> tuple[int, int | None]:
    """(users, campaign duration in seconds or None on a local chain) of the demo's simulation, from
    the environment (see the module docstring)."""
    users = whole_number_from_env(SIM_USERS_ENV, LIVE_SIM_USERS if live else LOCAL_SIM_USERS, MIN_USERS)
    return users, whole_number_from_env(SIM_CAMPAIGN_ENV, LIVE_SIM_CAMPAIGN_S, 1) if live else None


def demo_accounts(fresh: bool) -> tuple[Any, TxJournal | None]:
    """brownie's accounts on a local chain; on a live network the journaled actors (see the module
    docstring) and their journal."""
    if is_local_chain():
        clear_demo_dir()
        return accounts, None
    deployer = account_from_env("DEPLOYER", "a deployer")
    journal = TxJournal(energy_area.DEMO_DIR / f"live-{chain.id}" / "journal.json", chain.id, fresh=fresh)
    sent = sum(entry.tx_hash is not None for entry in journal.entries)
    if sent:
        print(f"   resuming: {sent} transaction(s) of the stopped run are on chain or on their way; they are "
              f"not sent again ({journal.path})")
    if not os.environ.get("ORACLE_SIGNERS", "").strip():
        # the deployer signs rounds until the energy walkthrough installs the oracle's and the verifier's keys
        os.environ["ORACLE_SIGNERS"], os.environ["ORACLE_QUORUM"] = deployer.address, "1"
    actors = LiveActors(deployer.private_key, journal)
    actors.fund(LIVE_ACTORS, LIVE_ACTOR_FUNDING_WEI)
    return actors, journal


def clear_demo_dir() -> None:
    """A local chain is new on every run: so are the oracle's stores, round files and exports of the
    last one (reports/demo/, but for live networks' journals)."""
    if energy_area.DEMO_DIR.exists():
        for entry in energy_area.DEMO_DIR.iterdir():
            if not entry.name.startswith("live-"):
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def contract_functions(contracts: dict[str, Any]) -> dict[str, ContractFunctions]:
    """Every deployed contract by lower-case address, with its functions by selector."""
    return {c.address.lower(): ContractFunctions(name, dict(c.selectors)) for name, c in contracts.items()}


def run_activity(contracts: dict[str, Any], energy: EnergyDemoResult, txs: list[MinedTx]) -> RunActivity:
    """What the run did (both walkthroughs and the simulation together), from the chain."""
    campaigns = int(contracts["Crowdfunding"].campaignCount())
    contributions = sum(1 for tx in txs if tx.status == 1 and tx.label == "Crowdfunding.contribute")
    return RunActivity(financed_projects=campaigns, self_funded_projects=int(contracts["Projects"].projectCount()) - campaigns,
                       contributors_per_financed_project=contributions / campaigns if campaigns else 0.0,
                       certified_mwh=energy.certified_wh / 1e6, days=DEMO_DAYS)


def write_demo_report(contracts: dict[str, Any], manifest: dict[str, Any], first_block: int, energy: EnergyDemoResult,
                      sim: MarketSimulation, outcome: SimulationOutcome) -> None:
    """reports/demo/report.md and its plots, from the chain and the walkthroughs' results."""
    txs = mined_transactions(web3.provider.endpoint_uri, first_block, web3.eth.block_number, contract_functions(contracts))
    invariants = [*outcome.invariants,
                  Invariant("Wh certified = Wh accepted by the oracle", energy.oracle_accepted_wh, energy.certified_wh,
                            energy.oracle_accepted_wh == energy.certified_wh)]
    inputs = ReportInputs(
        network=network.show_active(), chain_id=chain.id, git_commit=manifest.get("gitCommit", "unknown"),
        installations=energy.installations,
        simulation_lines=summary_lines(sim, outcome),
        invariants=invariants, txs=txs, block_gas_limit=int(web3.eth.get_block("latest")["gasLimit"]),
        crowdfunding_address=contracts["Crowdfunding"].address, activity=run_activity(contracts, energy, txs),
        round_files=energy.round_files, cadt_export_dir=energy.cadt_export_dir)
    path = write_report(inputs, energy_area.DEMO_DIR)
    heaviest = max(tx.gas_used for tx in txs)
    print(f"   {len(txs):,} transactions, heaviest {heaviest:,} gas ({heaviest / inputs.block_gas_limit:.1%} of a block); "
          f"{sum(i.ok for i in invariants)} of {len(invariants)} invariants hold")
    shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    print(f"   report with plots: {shown}")


def print_dashboard_hint() -> None:
    """Save the local chain for `make dashboard` and say how to open it (anvil only)."""
    path = energy_area.DEMO_DIR / STATE_FILE
    if save_anvil_state(web3.provider.endpoint_uri, path):
        print(f"   dashboard on this state: `make dashboard`, then open http://127.0.0.1:{DEFAULT_PORT}/ "
              f"(the chain saved in {path.name})")
    else:
        print("   the dashboard's `make dashboard` needs the demo run on anvil (the default network)")


def run_demo(fresh: bool = False) -> dict[str, Any]:
    """Deploy (fresh), print the contracts, run every part (see the module docstring). Returns the
    manifest. brownie's own per-transaction lines are hidden: each part prints what matters."""
    started_s = time.monotonic()
    users, campaign_s = simulation_settings(live=not is_local_chain())
    with brownie_transaction_lines_hidden():
        section(f"Deploying PV Ledger on {network.show_active()} (chain id {chain.id})")
        actors, journal = demo_accounts(fresh)
        manifest = deploy_suite(actors[0], fresh=True, quiet=True)
        first_block = min(entry["block"] for entry in manifest["contracts"].values() if entry.get("block"))  # a resumed run's too
        for line in describe_manifest(manifest):
            print(f"   {line}")
        contracts = contracts_from_manifest(manifest)
        section("Market: participants, offers, matching, projects, crowdfunding, revenue")
        market_walkthrough(contracts, actors)
        section(f"Simulation, market phase: {users} users build projects with and without financing")
        if campaign_s is not None:
            print(f"   live network: the users' keys are derived from the deployer's, campaigns last {campaign_s} s "
                  f"(${SIM_CAMPAIGN_ENV}) and the run waits for their deadline")
        sim = simulate_market(contracts, actors, users=users, live_campaign_s=campaign_s)
        print(f"   {len(sim.users)} users, {len(sim.projects)} projects matched, {len(sim.installed)} roofs "
              f"registered as installations ({sim.elapsed_s:.0f} s)")
        section("Certified generation: the oracle over a week, certificates, retirement, export, energy sales")
        energy = energy_walkthrough(contracts, actors, project_roofs=sim.installed)
        section("Market, completion: a financed project's last tranche after its first certificate")
        completion_walkthrough(contracts, actors)
        section("Simulation, revenue: commissioning, energy sales, claims, and the invariants")
        outcome = settle_revenue_and_claim(contracts, sim, actors)
        print_summary(sim, outcome)
        section("Report")
        write_demo_report(contracts, manifest, first_block, energy, sim, outcome)
        if journal is None:
            print_dashboard_hint()
        section(f"Done in {time.monotonic() - started_s:.0f} s")
    return manifest


def main(*args: str) -> None:
    """brownie entry point; ``main fresh`` starts a new journal on a live network."""
    unknown = [a for a in args if a not in ("fresh", "--fresh")]
    if unknown:
        raise SystemExit(f"demo: unknown argument(s) {unknown}; the only one is 'fresh'")
    try:
        run_demo(fresh=bool(args))
    except (AccountError, DemoStopped, JournalError, DeploymentError, SimulationError, BatchError) as error:
        raise SystemExit(f"demo: {error}") from None
