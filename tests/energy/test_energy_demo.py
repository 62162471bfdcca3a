"""scripts/walkthroughs/energy.py end to end on a deployment made by the energy component (a mock project
revenue, no crowdfunding campaigns): every sample installation certified through the oracle's cron
job, the sum invariant, certificate use, energy sales, the CADT export, and the project-roof path."""

import contextlib
import io
import json
import re
from collections import Counter, defaultdict

import pytest
from brownie import chain

from oracle.roundfile import load_round_file
from oracle.store import REJECTED, open_store
from oracle.timeutil import DAY_S
from scripts.walkthroughs import energy as demo_energy
from scripts.deployment.market import create_live_project, deploy_projects
from scripts.walkthroughs.energy import (BUYER, BUYER_RETIRES, DEMO_DAYS, DEMO_FAULTS, EXPORT_REGISTRY, EXPORTS, RETIRES_OWN,
                                 REVIEWER, SELLS_TO_BUYER, TARIFF_CLP_PER_KWH, ProjectRoof, energy_walkthrough, events_of,
                                 municipality)
from scripts.deployment.energy import deploy_energy
from scripts.walkthroughs.sample_installations import load_sample_installations

SAMPLES = load_sample_installations()
COMMUNE = {sample.name: sample.commune for sample in SAMPLES}
MAX_LINES = 44  # "at most ~40 lines" for the whole walkthrough (+2: today's fault, left for the dashboard's reviewer)


@pytest.fixture(scope="module")
def deployment(token, MockProjectRevenue, operator):
    crowdfunding = MockProjectRevenue.deploy(token, {"from": operator})
    projects = deploy_projects(operator, token)
    contracts = deploy_energy(operator, {"PaymentToken": token, "Projects": projects, "Crowdfunding": crowdfunding})
    contracts.update(PaymentToken=token, Projects=projects, Crowdfunding=crowdfunding)  # the mock: no campaigns
    return contracts


@pytest.fixture(scope="module")
def walked(deployment, accounts, tmp_path_factory):
    """The walkthrough run once for the module: (its result, what it printed)."""
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.setattr(demo_energy, "DEMO_DIR", tmp_path_factory.mktemp("demo"))
        result = energy_walkthrough(deployment, accounts)
    return result, printed.getvalue()


def by_commune(result):
    return {COMMUNE[o.name]: o for o in result.installations}


def test_every_sample_installation_is_registered_and_certified_for_each_day_of_the_week(walked, deployment):
    result, _ = walked
    registry, certificates = deployment["InstallationRegistry"], deployment["GenerationCertificates"]
    assert [o.name for o in result.installations] == [s.name for s in SAMPLES]  # the mock has no campaign: no project roof
    for outcome, sample in zip(result.installations, SAMPLES):
        record = registry.installation(outcome.installation_id)
        assert (record["capacityW"], record["communeCode"], record["projectId"]) == (sample.capacity_w,
                                                                                    int(sample.commune_code), 0)
        assert certificates.certifiedUntil(outcome.installation_id) == record["commissionedAt"] + DEMO_DAYS * DAY_S
        assert len(outcome.daily) == DEMO_DAYS and outcome.issued_wh > 0
    beneficiaries = {registry.installation(o.installation_id)["beneficiary"] for o in result.installations}
    assert len(beneficiaries) == len(set(COMMUNE.values()))  # one municipality per commune
    assert result.rounds == 1 and [p.name for p in result.round_files] == ["round-000001.json"]


def test_certified_wh_equals_the_oracles_accepted_wh_per_installation_and_in_total(walked, deployment):
    result, _ = walked
    certificates = deployment["GenerationCertificates"]
    on_chain = defaultdict(int)
    for token_id in range(1, certificates.certificateCount() + 1):
        record = certificates.certificate(token_id)
        on_chain[record["installationId"]] += record["energyWh"]
    for outcome in result.installations:
        assert on_chain[outcome.installation_id] == outcome.issued_wh == sum(d.accepted_wh for d in outcome.daily)
    assert result.certified_wh == result.oracle_accepted_wh == sum(on_chain.values())


def test_the_injected_faults_are_flagged_rejected_by_the_reviewer_and_not_certified(walked):
    result, _ = walked
    for outcome in result.installations:
        flagged_days = [n for n, day in enumerate(outcome.daily) if day.flagged_intervals]
        if outcome.name in DEMO_FAULTS:
            assert DEMO_FAULTS[outcome.name][1] in flagged_days
    round_file = load_round_file(result.round_files[0])
    certified = {(int(v[0]), int(v[1])) for period in round_file.periods for v in period.readings.values}
    excluded = [e for entries in round_file.excluded.values() for e in entries]
    store = open_store(result.store_path)
    rejected = set()
    for outcome in result.installations:
        rows = store.intervals(outcome.installation_id, 0, 2**40)
        rejected |= {(outcome.installation_id, int(s)) for s in rows[rows["status"] == REJECTED]["interval_start"]}
        if outcome.name not in DEMO_FAULTS:  # the region's station agrees with a healthy plant every day
            assert not rows["flags"].str.contains("pr_").any()
    store.close()
    assert rejected and not rejected & certified
    assert len(excluded) == len(rejected) and {e["reviewer"] for e in excluded} == {REVIEWER}
    assert len(round_file.signatures) == 2  # the operator's oracle and the verifier (cosign)


def test_retirements_and_export_locks_are_on_chain_with_their_beneficiaries_and_registry(walked, deployment):
    result, _ = walked
    certificates = deployment["GenerationCertificates"]
    communes = by_commune(result)
    retired = events_of(certificates, "CertificateRetired", 0)
    assert Counter(e["beneficiary"] for e in retired) == {municipality(RETIRES_OWN): DEMO_DAYS, BUYER: BUYER_RETIRES}
    assert {e["purpose"] for e in retired} == {demo_energy.SCOPE_2}
    assert communes[RETIRES_OWN].retired_wh == communes[RETIRES_OWN].issued_wh
    exported = events_of(certificates, "ExportLocked", 0)
    assert {e["registry"] for e in exported} == {EXPORT_REGISTRY}
    assert len({e["externalReference"] for e in exported}) == len(exported) == 2 * DEMO_DAYS  # a certificate a day each
    for commune in EXPORTS:
        assert communes[commune].export_locked_wh == communes[commune].issued_wh > 0
    sold = communes[SELLS_TO_BUYER]
    assert sold.transferred_wh == sold.issued_wh
    assert sold.retired_wh == sum(e["amountWh"] for e in retired if e["beneficiary"] == BUYER) < sold.issued_wh
    untouched = [o for c, o in communes.items() if c not in (RETIRES_OWN, SELLS_TO_BUYER, *EXPORTS)]
    assert untouched and all(o.retired_wh == o.export_locked_wh == o.transferred_wh == 0 for o in untouched)


def test_every_certificate_is_settled_at_the_tariff_and_owed_to_its_municipality(walked, deployment):
    result, _ = walked
    certificates, sales = deployment["GenerationCertificates"], deployment["EnergySales"]
    expected = defaultdict(int)
    for token_id in range(1, certificates.certificateCount() + 1):
        record = certificates.certificate(token_id)
        assert sales.isSettled(token_id)
        expected[record["installationId"]] += record["energyWh"] * TARIFF_CLP_PER_KWH // 1000
    registry = deployment["InstallationRegistry"]
    for outcome in result.installations:
        assert outcome.settled_clp == expected[outcome.installation_id] > 0
        assert sales.owedTo(registry.installation(outcome.installation_id)["beneficiary"]) == outcome.settled_clp


def test_the_cadt_export_lists_every_certificate_and_what_was_retired_and_locked(walked, deployment):
    result, out = walked
    for kind in ("projects", "locations", "issuances", "units", "ledger"):
        assert (result.cadt_export_dir / f"{kind}.json").exists() and (result.cadt_export_dir / f"{kind}.csv").exists()
    issuances = json.loads((result.cadt_export_dir / "issuances.json").read_text())
    assert len(issuances) == deployment["GenerationCertificates"].certificateCount()
    units = json.loads((result.cadt_export_dir / "units.json").read_text())
    retired = [u for u in units if u["unitStatus"] == "Retired"]
    assert len(retired) == DEMO_DAYS + BUYER_RETIRES
    assert sum(municipality(RETIRES_OWN) in u["unitStatusReason"] for u in retired) == DEMO_DAYS
    exported = [u for u in units if u["unitStatus"] == "Exported"]
    references = {e["externalReference"] for e in events_of(deployment["GenerationCertificates"], "ExportLocked", 0)}
    assert {re.search(r"reference (\S+)", u["unitStatusReason"])[1] for u in exported} == references
    assert all(EXPORT_REGISTRY in u["unitStatusReason"] for u in exported)
    assert f"-> {result.cadt_export_dir}" in out


def test_the_output_is_short_names_people_and_has_no_raw_addresses_or_json(walked):
    _, out = walked
    lines = out.splitlines()
    assert len(lines) <= MAX_LINES, "\n".join(lines)
    assert not re.search(r"0x[0-9a-fA-F]{40}", out) and '{"' not in out
    commands = [line.split(" --now ")[1].split()[1] for line in lines if "$ python -m oracle" in line]
    assert commands == ["run", "review", "review", "run", "cosign", "run", "status", "export"]
    assert "kWh" in out and municipality(RETIRES_OWN) in out and BUYER in out and EXPORT_REGISTRY in out


def test_project_roofs_are_certified_in_the_same_run_and_their_sales_go_to_project_revenue(
        deployment, accounts, operator, tmp_path, monkeypatch, capsys):
    registry, sales, projects = deployment["InstallationRegistry"], deployment["EnergySales"], deployment["Projects"]
    commissioned_s = (int(chain.time()) // DAY_S - DEMO_DAYS) * DAY_S + 15 * 3600  # commissioned at noon in Chile
    offtaker, tariff = accounts[5], 90
    roofs = []
    for n, (region, lat, lon, commune) in enumerate((("Biobío", -36.80, -73.05, 8101),
                                                     ("Metropolitana de Santiago", -33.45, -70.66, 13101)), start=1):
        project_id = create_live_project(projects, accounts[n], operator)
        tx = registry.registerInstallation((accounts[n], 5_000, int(lat * 1e6), int(lon * 1e6), commune, commissioned_s,
                                            project_id, "PV rooftop", "simulated", f"P-{n}", "marketplace"),
                                           {"from": operator})
        installation_id = tx.events["InstallationRegistered"]["installationId"]
        sales.proposeTerms(installation_id, offtaker, tariff, commissioned_s, {"from": operator})
        sales.acceptTerms(installation_id, tariff, commissioned_s, {"from": offtaker})
        roofs.append(ProjectRoof(installation_id, project_id, f"Roof of project {project_id}", 5_000, lat, lon, region))
    monkeypatch.setattr(demo_energy, "DEMO_DIR", tmp_path)
    capsys.readouterr()

    result = energy_walkthrough(deployment, accounts, roofs)
    out = capsys.readouterr().out
    certificates, revenue = deployment["GenerationCertificates"], deployment["Crowdfunding"]
    outcomes = {o.installation_id: o for o in result.installations}
    assert len(outcomes) == len(SAMPLES) + len(roofs)
    for roof in roofs:
        outcome = outcomes[roof.installation_id]
        assert certificates.certifiedUntil(roof.installation_id) == (commissioned_s // DAY_S + DEMO_DAYS) * DAY_S
        assert outcome.issued_wh == sum(d.accepted_wh for d in outcome.daily) > 0
        first = min(t for t in range(1, certificates.certificateCount() + 1)
                    if certificates.certificate(t)["installationId"] == roof.installation_id)
        assert certificates.certificate(first)["periodStart"] == commissioned_s  # simulated from its commissioning
        settled = [e for e in events_of(sales, "Settled", 0) if e["installationId"] == roof.installation_id]
        assert settled and all(e["projectId"] == roof.project_id for e in settled)
        assert revenue.revenueOf(roof.project_id) == outcome.settled_clp == sum(
            e["energyWh"] * tariff // 1000 for e in settled)
    assert result.certified_wh == result.oracle_accepted_wh
    assert len(out.splitlines()) <= MAX_LINES and "2 marketplace project roof(s)" in out
