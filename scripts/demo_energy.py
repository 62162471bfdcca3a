"""Certified generation walkthrough for `make demo` (scripts/demo.py): installations, a daily round
from synthetic 15-minute readings signed by two signers, certificates issued, transferred, retired,
locked for export, and energy sold into a project's revenue or to a beneficiary.

The readings are synthetic (a clear-sky triangle around solar noon scaled by capacity), not measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from brownie import chain, web3
from eth_account import Account

from oracle.chain.issuance import ClaimResult, claim_round
from oracle.chain.manifest import connect, load_manifest
from oracle.chain.transactions import MemoryJournal, Sender
from oracle.merkle import StandardMerkleTree, generation_leaf_types, reading_leaf_types
from oracle.signing import NodeSigningError, Round, node_sign_round, round_as_tuple, round_from_generation_tree, sign_round
from scripts.deploy import manifest_path

DAY_S = 86_400
INTERVAL_S = 900
READINGS_PER_DAY = 96
DEMO_FACTOR_G_PER_KWH = 285
DEMO_FACTOR_SOURCE = "synthetic demo value (see the CEN/CNE factor for real use)"
TARIFF_CLP_PER_KWH = 95
RELAYER_FUNDING = "1 ether"  # gas for the claim's relayer key


class DemoError(RuntimeError):
    """The walkthrough cannot continue; the message says why."""


@dataclass(frozen=True)
class DemoSite:
    name: str
    capacity_w: int
    beneficiary: Any
    project_id: int


def synthetic_readings_wh(capacity_w: int) -> list[int]:
    """96 synthetic 15-minute energies (Wh) of a clear day: zero at night, triangle peaking at
    interval 64 (16:00 UTC = noon in Chile, UTC-4), peak energy = capacity x 0.8 x 0.25 h."""
    peak_wh = capacity_w * 8 // 10 // 4
    return [max(0, peak_wh - abs(i - 64) * peak_wh // 24) for i in range(READINGS_PER_DAY)]


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


def node_or_key_signature(signer: Any, round_: Round, oracle_address: str) -> str:
    """Sign a round as `signer`: with its key through oracle/signing.py when brownie holds it,
    else through the node's eth_signTypedData_v4 with the JSON oracle/signing.py writes."""
    key = getattr(signer, "private_key", None)
    if key:
        return "0x" + sign_round(round_, chain.id, oracle_address, key).hex()
    try:
        return node_sign_round(web3.provider.make_request, signer.address, round_, chain.id, oracle_address)
    except NodeSigningError as exc:
        raise DemoError(str(exc)) from None


def energy_walkthrough(contracts: dict[str, Any], accounts: Any) -> None:
    """Run and print every step (see the module docstring). Needs the energy contracts deployed by
    scripts/deployment/energy.py, the deployer (accounts[0]) as admin, registrar and oracle signer."""
    registry = contracts["InstallationRegistry"]
    oracle = contracts["GenerationOracle"]
    certificates = contracts["GenerationCertificates"]
    sales = contracts["EnergySales"]
    token = contracts["PaymentToken"]
    operator, offtaker, municipality, buyer = accounts[0], accounts[6], accounts[7], accounts[8]
    tx = {"from": operator}

    day_start = (chain.time() // DAY_S - 1) * DAY_S  # yesterday 00:00 UTC
    print(f"1. Register installations commissioned {utc_date(day_start)} (registrar = operator)")
    sites = [DemoSite("Liceo A-12, Santiago (PTSP, no project)", 30_000, municipality, 0)]
    project = funded_project(contracts)
    project_owner = None
    if project is None:
        print("   note: no Crowdfunding with a finalized campaign in this deployment: the marketplace-"
              "project installation is skipped")
    else:
        project_id, owner_address = project
        project_owner = next((a for a in accounts if a.address == owner_address), None)
        sites.append(DemoSite(f"Rooftop of crowdfunded marketplace project {project_id}", 10_000,
                              project_owner or owner_address, project_id))
    ids = []
    for site in sites:
        params = (site.beneficiary, site.capacity_w, -33_448_900, -70_669_300, 13101, day_start,
                  site.project_id, "PV rooftop, monocrystalline", "blue'Log X-1000", f"BL-{len(ids) + 1:04d}", "PTSP")
        receipt = registry.registerInstallation(params, tx)
        ids.append(receipt.return_value)
        print(f"   installation {ids[-1]}: {site.name}, {site.capacity_w / 1000:.1f} kWp, beneficiary "
              f"{str(site.beneficiary)[:10]}..., project {site.project_id or 'none'}")
    _agree_terms(sales, ids, offtaker, day_start, operator)

    year = _utc_year(day_start)
    print(f"2. Emission factor {year}: {DEMO_FACTOR_G_PER_KWH} gCO2e/kWh, source: {DEMO_FACTOR_SOURCE}")
    if registry.emissionFactorLocked(year):
        print(f"   already locked by earlier certificates: {registry.emissionFactor(year)[0]} gCO2e/kWh kept")
    else:
        registry.setEmissionFactor(year, DEMO_FACTOR_G_PER_KWH, DEMO_FACTOR_SOURCE, tx)

    verifier = Account.create()  # the independent station-network verifier (key never printed)
    print(f"3. Add the independent verifier {verifier.address[:10]}... as second signer, quorum 2")
    if not oracle.isSigner(operator):
        raise DemoError("the operator is not an oracle signer: deploy with scripts/deployment/energy.py on a local chain")
    oracle.addSigner(verifier.address, tx)
    oracle.setQuorum(2, tx)
    print(f"   signers {oracle.signerCount()}, quorum {oracle.quorum()}")

    print(f"4. Daily round for {utc_date(day_start)} from 96 synthetic 15-minute readings per installation")
    leaves = []
    for installation_id, site in zip(ids, sites):
        readings = synthetic_readings_wh(site.capacity_w)
        tree = StandardMerkleTree.of(
            [(installation_id, day_start + i * INTERVAL_S, wh) for i, wh in enumerate(readings)], reading_leaf_types
        )
        leaves.append((installation_id, day_start, day_start + DAY_S, sum(readings), tree.root))
        print(f"   installation {installation_id}: {sum(readings):,} Wh, readings root 0x{tree.root.hex()[:16]}...")
    generation = StandardMerkleTree.of(leaves, generation_leaf_types)
    round_ = round_from_generation_tree(int(oracle.lastRoundId()) + 1, day_start, day_start + DAY_S, generation)

    print("5. Sign with two keys (EIP-712, oracle/signing.py) and submit")
    sigs = [node_or_key_signature(operator, round_, oracle.address),
            "0x" + sign_round(round_, chain.id, oracle.address, verifier.key).hex()]
    receipt = oracle.submitRound(round_as_tuple(round_), sigs, tx)
    print(f"   round {round_.round_id}: root 0x{generation.root.hex()[:16]}..., {round_.leaf_count} leaves, "
          f"{round_.total_energy_wh:,} Wh, gas {receipt.gas_used:,}")

    print("6. Issue the certificates in one batch (the oracle's claim on web3, from a fresh relayer key; "
          "anyone may; minted to each beneficiary)")
    claimed = claim_with_relayer(operator, round_.round_id, generation)
    issued = {certificate.installation_id: certificate for certificate in claimed.certificates}
    token_ids = [issued[installation_id].token_id for installation_id in ids]
    for installation_id, token_id in zip(ids, token_ids):
        print(f"   certificate {token_id}: installation {installation_id}, {issued[installation_id].energy_wh:,} Wh")

    first = token_ids[0]
    energy_wh = leaves[0][3]
    transfer_wh, retire_wh, export_wh = energy_wh // 2, energy_wh // 4, energy_wh // 5
    print(f"7. Transfer {transfer_wh:,} Wh of certificate {first} from the municipality to a buyer")
    certificates.safeTransferFrom(municipality, buyer, first, transfer_wh, b"", {"from": municipality})
    print(f"8. Retire {retire_wh:,} Wh for the buyer's Scope 2 claim")
    receipt = certificates.retire(first, retire_wh, "Buyer SpA", "Scope 2 market-based", str(year), "CL", {"from": buyer})
    print(f"   retirement {receipt.return_value}, gas {receipt.gas_used:,}")
    print(f"9. Lock {export_wh:,} Wh for export to the national registry")
    receipt = certificates.lockForExport(first, export_wh, "RENAMI Chile", f"CL-{year}-000001", {"from": municipality})
    print(f"   export {receipt.return_value}, gas {receipt.gas_used:,}")

    print(f"10. Offtaker deposits and settles at {TARIFF_CLP_PER_KWH} CLP/kWh")
    needed = sum(leaf[3] for leaf in leaves) * TARIFF_CLP_PER_KWH // 1000
    if hasattr(token, "mint"):
        token.mint(offtaker, needed, tx)
    token.approve(sales, needed, {"from": offtaker})
    sales.deposit(needed, {"from": offtaker})
    for installation_id, token_id in zip(ids, token_ids):
        receipt = sales.settle(installation_id, token_id, {"from": offtaker})
        ev = receipt.events["Settled"]
        target = f"project {ev['projectId']} revenue" if ev["projectId"] else "the beneficiary (claimable)"
        print(f"   certificate {token_id}: {ev['amountClp']:,} CLP into {target}, gas {receipt.gas_used:,}")
    owed = sales.owedTo(municipality)
    if owed:
        sales.claim({"from": municipality})
        print(f"   municipality claimed {owed:,} CLP")

    print("11. Certificate balances and mitigation")
    for token_id in token_ids:
        cert = certificates.certificate(token_id)
        print(f"   certificate {token_id}: {cert['energyWh']:,} Wh issued, {cert['retiredWh']:,} retired, "
              f"{cert['exportedWh']:,} exported; mitigation "
              f"{certificates.mitigationGrams(token_id, cert['energyWh']) / 1000:,.3f} kgCO2e")
        holders = [("municipality", municipality), ("buyer", buyer)]
        if project_owner is not None:
            holders.append(("project owner", project_owner))
        for name, holder in holders:
            balance = certificates.balanceOf(holder, token_id)
            if balance:
                print(f"     {name}: {balance:,} Wh ({certificates.mitigationGrams(token_id, balance) / 1000:,.3f} kgCO2e)")


def claim_with_relayer(operator: Any, round_id: int, generation: StandardMerkleTree) -> ClaimResult:
    """Step 6: oracle/chain/issuance.py's claim_round over web3 (the deployment's manifest, brownie's
    RPC URL), sent by a fresh eth-account key that the operator funds (key never printed)."""
    relayer = Account.create()
    operator.transfer(relayer.address, RELAYER_FUNDING, silent=True)
    oracle_chain = connect(web3.provider.endpoint_uri, load_manifest(manifest_path(chain.id)))
    sender = Sender(oracle_chain, relayer, MemoryJournal())
    return claim_round(oracle_chain, sender, round_id, generation, say=lambda line: print(f"   {line}"))


def _agree_terms(sales: Any, installation_ids: list[int], offtaker: Any, valid_from: int, operator: Any) -> None:
    """Step 1b: the tariff role proposes terms from the commissioning date, the offtaker accepts
    them (before any certificate: terms never start before an installation's watermark)."""
    print(f"   terms: {TARIFF_CLP_PER_KWH} CLP/kWh from {utc_date(valid_from)}, proposed by the operator, "
          f"accepted by the offtaker {str(offtaker)[:10]}...")
    for installation_id in installation_ids:
        sales.proposeTerms(installation_id, offtaker, TARIFF_CLP_PER_KWH, valid_from, {"from": operator})
        sales.acceptTerms(installation_id, TARIFF_CLP_PER_KWH, valid_from, {"from": offtaker})


def _utc_year(timestamp: int) -> int:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).year


def utc_date(timestamp: int) -> str:
    """A unix timestamp as its UTC date, 2027-05-31."""
    return datetime.fromtimestamp(int(timestamp), tz=timezone.utc).date().isoformat()
