"""Certified generation walkthrough for `make demo` (scripts/demo.py): the oracle over a week.

Two installations (a school's roof, and the crowdfunded marketplace project's roof when the market
walkthrough made one) are registered as commissioned a week ago. The oracle (``python -m oracle``,
run here in-process with the same arguments) then:

1. ingests a week of simulated 15-minute readings (pvlib clear sky + PVWatts with seeded clouds,
   marked synthetic) with injected faults: an inverter spike, a stuck logger, a day-long outage;
2. flags them (quality checks); a reviewer rejects them, with her name and a reason;
3. builds one round (daily leaves chained from each watermark; the outage day is spanned by the
   next day's leaf) and signs it with the operator's key;
4. the independent verifier re-checks the round file against its own irradiance station and
   co-signs it (``oracle cosign``, its own config and key);
5. submits the round (quorum 2) and claims the certificates (``issueBatch``).

Round files go to ``reports/demo/rounds/``, the configs and stores to ``reports/demo/oracle/`` and
``reports/demo/verifier/``. The certificates are then transferred, retired, locked for export and
sold to the offtaker (into the project's crowdfunding revenue, or to the school's municipality).
Keys are created for the run and passed through environment variables; none is printed.
"""

from __future__ import annotations

import io
import json
import os
import shlex
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brownie import chain, web3
from eth_account import Account
from eth_account.signers.local import LocalAccount

from oracle.cli import main as oracle_main
from oracle.site import Site
from oracle.sources.simulated import simulate_station
from oracle.store import open_store
from oracle.timeutil import DAY_S, ISO_UTC_FORMAT, iso_utc, utc_date, utc_year
from scripts.common.paths import PROJECT_ROOT

DEMO_DIR = PROJECT_ROOT / "reports" / "demo"
DEMO_DAYS = 7
DEMO_FACTOR_G_PER_KWH = 285
DEMO_FACTOR_SOURCE = "synthetic demo value (see the CEN/CNE factor for real use)"
TARIFF_CLP_PER_KWH = 95
GAS_FUNDING = "1 ether"  # for the oracle's sending key
LAT, LON = -33.4489, -70.6693
REVIEWER = "Ana Rojas (operator)"


class DemoError(RuntimeError):
    """The walkthrough cannot continue; the message says why."""


@dataclass(frozen=True)
class DemoSite:
    name: str
    capacity_w: int
    beneficiary: Any
    project_id: int
    seed: int
    faults: tuple[tuple[str, int, int], ...]  # (kind, start offset s, end offset s) from commissioning


@dataclass(frozen=True)
class OracleKeys:
    """The operator's round signer, the verifier's, and the key that pays gas (never printed)."""

    signer: LocalAccount
    verifier: LocalAccount
    sender: LocalAccount

    def environment(self) -> dict[str, str]:
        return {"ORACLE_SIGNER_KEY": self.signer.key.hex(), "VERIFIER_SIGNER_KEY": self.verifier.key.hex(),
                "ORACLE_SENDER_KEY": self.sender.key.hex()}


def funded_project(contracts: dict[str, Any]) -> tuple[int, str] | None:
    """(project id, owner) of a marketplace project whose crowdfunding campaign was finalized, if the
    deployment has one (ICrowdfunding: campaign state 1 = Finalized)."""
    crowdfunding = contracts.get("Crowdfunding")
    if crowdfunding is None or not hasattr(crowdfunding, "campaignCount"):
        return None
    for campaign_id in range(1, int(crowdfunding.campaignCount()) + 1):
        campaign = crowdfunding.campaign(campaign_id)
        if int(campaign["state"]) == 1:
            return int(campaign["projectId"]), str(campaign["owner"])
    return None


def demo_sites(contracts: dict[str, Any], accounts: Any) -> tuple[list[DemoSite], Any]:
    """The school's roof (with a spike and a stuck logger) and, if there is one, the crowdfunded
    project's roof (with a day-long outage on day 5). Returns the sites and the project owner."""
    hour = 3600
    sites = [DemoSite("Liceo A-12, Santiago (PTSP, no project)", 30_000, accounts[7], 0, 11,
                      (("spike", 2 * DAY_S + 16 * hour, 2 * DAY_S + 16 * hour + 900),
                       ("stuck", 5 * DAY_S + 14 * hour, 5 * DAY_S + 16 * hour)))]
    project = funded_project(contracts)
    if project is None:
        print("   note: no Crowdfunding with a finalized campaign in this deployment: the marketplace-"
              "project installation is skipped")
        return sites, None
    project_id, owner_address = project
    owner = next((a for a in accounts if a.address == owner_address), owner_address)
    sites.append(DemoSite(f"Rooftop of crowdfunded marketplace project {project_id}", 10_000, owner, project_id, 12,
                          (("outage", 4 * DAY_S, 5 * DAY_S),)))
    return sites, owner


def register_sites(contracts: dict[str, Any], sites: list[DemoSite], commissioned_s: int, operator: Any,
                   offtaker: Any) -> list[int]:
    """Step 1: the registrar registers each site; the offtaker accepts the tariff from commissioning."""
    registry, sales = contracts["InstallationRegistry"], contracts["EnergySales"]
    ids = []
    for n, site in enumerate(sites, start=1):
        params = (site.beneficiary, site.capacity_w, int(LAT * 1e6), int(LON * 1e6), 13101, commissioned_s,
                  site.project_id, "PV rooftop, monocrystalline", "blue'Log X-1000", f"BL-{n:04d}", "PTSP")
        ids.append(registry.registerInstallation(params, {"from": operator}).return_value)
        print(f"   installation {ids[-1]}: {site.name}, {site.capacity_w / 1000:.1f} kWp, beneficiary "
              f"{str(site.beneficiary)[:10]}..., project {site.project_id or 'none'}")
    print(f"   terms: {TARIFF_CLP_PER_KWH} CLP/kWh from {utc_date(commissioned_s)}, proposed by the operator, "
          f"accepted by the offtaker {str(offtaker)[:10]}...")
    for installation_id in ids:
        sales.proposeTerms(installation_id, offtaker, TARIFF_CLP_PER_KWH, commissioned_s, {"from": operator})
        sales.acceptTerms(installation_id, TARIFF_CLP_PER_KWH, commissioned_s, {"from": offtaker})
    return ids


def set_factor(registry: Any, year: int, operator: Any) -> None:
    print(f"2. Emission factor {year}: {DEMO_FACTOR_G_PER_KWH} gCO2e/kWh, source: {DEMO_FACTOR_SOURCE}")
    if registry.emissionFactorLocked(year):
        print(f"   already locked by earlier certificates: {registry.emissionFactor(year)[0]} gCO2e/kWh kept")
    elif int(registry.emissionFactor(year)[0]) == 0:
        registry.setEmissionFactor(year, DEMO_FACTOR_G_PER_KWH, DEMO_FACTOR_SOURCE, {"from": operator})


def install_oracle_keys(oracle: Any, operator: Any) -> OracleKeys:
    """Step 3: the operator's oracle key and the verifier's become the only signers (quorum 2); a
    sending key gets gas money."""
    keys = OracleKeys(Account.create(), Account.create(), Account.create())
    tx = {"from": operator}
    for account in (keys.signer, keys.verifier):
        oracle.addSigner(account.address, tx)
    oracle.setQuorum(2, tx)
    if oracle.isSigner(operator):
        oracle.removeSigner(operator, tx)
    operator.transfer(keys.sender.address, GAS_FUNDING, silent=True)
    print(f"   signers: operator's oracle {keys.signer.address[:10]}..., verifier {keys.verifier.address[:10]}...; "
          f"quorum {oracle.quorum()}; gas paid by {keys.sender.address[:10]}...")
    return keys


def write_manifest(contracts: dict[str, Any], path: Path) -> None:
    """The deployment manifest the oracle reads (chain id, names, contract types, addresses)."""
    entries = {name: {"contractType": getattr(c, "_name", name), "address": c.address} for name, c in contracts.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"chainId": chain.id, "contracts": entries}, indent=2) + "\n")


def write_configs(workdir: Path, ids: list[int], sites: list[DemoSite], commissioned_s: int) -> tuple[Path, Path]:
    """The operator's oracle config (simulated sources with faults) and the verifier's (its own
    signing key and irradiance station per site). Returns both paths."""
    station_dir = workdir / "verifier" / "stations"
    station_dir.mkdir(parents=True, exist_ok=True)
    operator_parts, verifier_parts = [], []
    for installation_id, site in zip(ids, sites):
        faults = ", ".join(f'{{ kind = "{kind}", start = "{iso_utc(commissioned_s + a)}", end = "{iso_utc(commissioned_s + b)}" }}'
                           for kind, a, b in site.faults)
        table = (f'[[installations]]\nid = {installation_id}\nname = "{site.name}"\ncapacity_w = {site.capacity_w}\n'
                 f'lat = {LAT}\nlon = {LON}\n')
        operator_parts.append(table + f'source = {{ kind = "simulated", seed = {site.seed}, start = "{iso_utc(commissioned_s)}", '
                                      f'faults = [{faults}] }}\n')
        verifier_parts.append(table + f'station = "station-{installation_id}"\n'
                                      f'source = {{ kind = "simulated", seed = {site.seed} }}\n')
        ghi = simulate_station(Site(site.capacity_w, LAT, LON), commissioned_s, commissioned_s + DEMO_DAYS * DAY_S, site.seed)
        lines = ["timestamp,ghi_w_m2"] + [f"{t.strftime(ISO_UTC_FORMAT)},{v:.1f}" for t, v in ghi.items()]
        (station_dir / f"station-{installation_id}.csv").write_text("\n".join(lines) + "\n")
    for name, signer, body, extra in (
        ("oracle", "ORACLE_SIGNER_KEY", operator_parts, 'rounds_dir = "../rounds"\n'),
        ("verifier", "VERIFIER_SIGNER_KEY", verifier_parts,
         "".join(f'[[stations]]\nid = "station-{i}"\npath = "stations/station-{i}.csv"\n' for i in ids)),
    ):
        (workdir / name).mkdir(parents=True, exist_ok=True)
        (workdir / name / "oracle.toml").write_text(
            f'# written by scripts/demo_energy.py (synthetic demo data)\ndata_dir = "var"\n'
            + (extra if name == "oracle" else "")
            + f'[network]\nrpc_url = "{web3.provider.endpoint_uri}"\nchain_id = {chain.id}\nmanifest = "../deployment.json"\n'
            + f'[keys]\nsender = "ORACLE_SENDER_KEY"\nsigner = "{signer}"\n[rounds]\nsettle_hours = 0\n\n'
            + "\n".join(body) + (extra if name == "verifier" else ""))
    return workdir / "oracle" / "oracle.toml", workdir / "verifier" / "oracle.toml"


@contextmanager
def key_environment(keys: OracleKeys) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in keys.environment()}
    os.environ.update(keys.environment())
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def oracle(config: Path, *args: str, expect: tuple[int, ...] = (0,)) -> int:
    """Run ``python -m oracle --config CONFIG ARGS`` in-process; print the command line and its
    output, indented."""
    shown = [str(Path(a).relative_to(PROJECT_ROOT)) if a.startswith(str(PROJECT_ROOT)) else a for a in (str(config), *args)]
    print(f"   $ python -m oracle --config {shlex.join(shown)}")
    output = io.StringIO()
    with redirect_stdout(output), redirect_stderr(output):
        code = oracle_main(["--config", str(config), *args])
    for line in output.getvalue().splitlines():
        print(f"     {line}")
    if code not in expect:
        raise DemoError(f"`python -m oracle {' '.join(args)}` exited {code}")
    return code


def review_faults(config: Path, workdir: Path) -> None:
    """Step 5: the reviewer looks at what the checks flagged and rejects each day's flagged intervals
    (an inverter spike, a stuck logger, an outage: none of it is measured generation)."""
    oracle(config, "review", "list", expect=(1,))
    store = open_store(workdir / "oracle" / "var" / "oracle.sqlite")
    pending = store.pending()
    store.close()
    days = sorted({(int(i), int(s) // DAY_S * DAY_S) for i, s in pending[["installation_id", "interval_start"]].itertuples(index=False)})
    for installation_id, day in days:
        oracle(config, "review", "reject", str(installation_id), utc_date(day), "--reviewer", REVIEWER,
               "--reason", "fault confirmed with the installer: not measured generation")


def run_oracle(workdir: Path, configs: tuple[Path, Path], keys: OracleKeys) -> None:
    """Steps 4 to 8 through the oracle's command line."""
    config, verifier_config = configs
    with key_environment(keys):
        print(f"4. Ingest and check {DEMO_DAYS} days of simulated readings (with injected faults)")
        oracle(config, "ingest", expect=(0, 1))
        print("5. Review the flagged intervals")
        review_faults(config, workdir)
        print("6. Build the round and sign it (the operator's oracle)")
        oracle(config, "build")
        oracle(config, "sign")
        round_file = next(iter(sorted((workdir / "rounds").glob("round-*.json"))))
        print("7. The independent verifier re-checks the round file against its station and co-signs it")
        cosigned = workdir / "oracle" / "var" / "cosigned" / round_file.name
        cosigned.parent.mkdir(parents=True, exist_ok=True)
        oracle(verifier_config, "cosign", str(round_file), "--out", str(cosigned))
        print("8. Submit the round with both signatures and claim the certificates")
        oracle(config, "submit", "--round-file", str(cosigned))
        oracle(config, "claim")
        oracle(config, "status")


def issued_certificates(certificates: Any, ids: list[int]) -> dict[int, list[int]]:
    """Token ids per installation, in period order."""
    by_installation: dict[int, list[int]] = {i: [] for i in ids}
    for token_id in range(1, int(certificates.certificateCount()) + 1):
        installation_id = int(certificates.certificate(token_id)["installationId"])
        if installation_id in by_installation:
            by_installation[installation_id].append(token_id)
    return by_installation


def use_certificates(certificates: Any, token_id: int, holder: Any, buyer: Any, year: int) -> None:
    """Steps 9 to 11: transfer, retire, lock for export (one certificate of the school)."""
    energy_wh = int(certificates.certificate(token_id)["energyWh"])
    transfer_wh, retire_wh, export_wh = energy_wh // 2, energy_wh // 4, energy_wh // 5
    print(f"9. Transfer {transfer_wh:,} Wh of certificate {token_id} from the municipality to a buyer")
    certificates.safeTransferFrom(holder, buyer, token_id, transfer_wh, b"", {"from": holder})
    print(f"10. Retire {retire_wh:,} Wh for the buyer's Scope 2 claim")
    receipt = certificates.retire(token_id, retire_wh, "Buyer SpA", "Scope 2 market-based", str(year), "CL", {"from": buyer})
    print(f"   retirement {receipt.return_value}, gas {receipt.gas_used:,}")
    print(f"11. Lock {export_wh:,} Wh for export to the national registry")
    receipt = certificates.lockForExport(token_id, export_wh, "RENAMI Chile", f"CL-{year}-000001", {"from": holder})
    print(f"   export {receipt.return_value}, gas {receipt.gas_used:,}")


def sell_energy(contracts: dict[str, Any], by_installation: dict[int, list[int]], offtaker: Any, municipality: Any,
                operator: Any) -> None:
    """Step 12: the offtaker deposits and settles every certificate at the agreed tariff."""
    certificates, sales, token = contracts["GenerationCertificates"], contracts["EnergySales"], contracts["PaymentToken"]
    total_wh = sum(int(certificates.certificate(t)["energyWh"]) for tokens in by_installation.values() for t in tokens)
    needed = total_wh * TARIFF_CLP_PER_KWH // 1000  # settle pays floor(Wh x tariff / 1000) per certificate
    print(f"12. The offtaker deposits {needed:,} CLP and settles every certificate at {TARIFF_CLP_PER_KWH} CLP/kWh")
    if hasattr(token, "mint"):
        token.mint(offtaker, needed, {"from": operator})
    token.approve(sales, needed, {"from": offtaker})
    sales.deposit(needed, {"from": offtaker})
    for installation_id, tokens in by_installation.items():
        paid, target = 0, "the beneficiary (claimable)"
        for token_id in tokens:
            event = sales.settle(installation_id, token_id, {"from": offtaker}).events["Settled"]
            paid += int(event["amountClp"])
            target = f"project {event['projectId']} revenue" if event["projectId"] else target
        print(f"   installation {installation_id}: {len(tokens)} certificate(s), {paid:,} CLP into {target}")
    owed = sales.owedTo(municipality)
    if owed:
        sales.claim({"from": municipality})
        print(f"   municipality claimed {owed:,} CLP")


def print_balances(certificates: Any, by_installation: dict[int, list[int]]) -> None:
    print("13. Certified generation and mitigation per installation")
    for installation_id, tokens in by_installation.items():
        energy_wh = sum(int(certificates.certificate(t)["energyWh"]) for t in tokens)
        grams = sum(int(certificates.mitigationGrams(t, certificates.certificate(t)["energyWh"])) for t in tokens)
        print(f"   installation {installation_id}: {len(tokens)} certificate(s), {energy_wh / 1000:,.3f} kWh, "
              f"{grams / 1000:,.3f} kgCO2e, certified until {iso_utc(certificates.certifiedUntil(installation_id))}")


def energy_walkthrough(contracts: dict[str, Any], accounts: Any) -> None:
    """Run and print every step (see the module docstring). Needs the energy contracts deployed by
    scripts/deployment/energy.py, with the deployer (accounts[0]) as admin and registrar."""
    operator, offtaker, municipality, buyer = accounts[0], accounts[6], accounts[7], accounts[8]
    commissioned_s = (int(chain.time()) // DAY_S - DEMO_DAYS) * DAY_S
    print(f"1. Register installations commissioned {utc_date(commissioned_s)} (registrar = operator)")
    sites, _ = demo_sites(contracts, accounts)
    ids = register_sites(contracts, sites, commissioned_s, operator, offtaker)
    year = utc_year(commissioned_s)
    set_factor(contracts["InstallationRegistry"], year, operator)
    if utc_year(commissioned_s + DEMO_DAYS * DAY_S) != year:
        set_factor(contracts["InstallationRegistry"], utc_year(commissioned_s + DEMO_DAYS * DAY_S), operator)
    print("3. Oracle keys: the operator's oracle and the independent verifier sign rounds")
    keys = install_oracle_keys(contracts["GenerationOracle"], operator)
    workdir = DEMO_DIR
    write_manifest(contracts, workdir / "deployment.json")
    configs = write_configs(workdir, ids, sites, commissioned_s)
    run_oracle(workdir, configs, keys)
    certificates = contracts["GenerationCertificates"]
    by_installation = issued_certificates(certificates, ids)
    if not by_installation[ids[0]]:
        raise DemoError("the oracle issued no certificate for the school's roof")
    use_certificates(certificates, by_installation[ids[0]][0], municipality, buyer, year)
    sell_energy(contracts, by_installation, offtaker, municipality, operator)
    print_balances(certificates, by_installation)
