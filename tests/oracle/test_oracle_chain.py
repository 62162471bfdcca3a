"""The oracle end to end on anvil with the deployed suite: ingest (simulated source with an
injected fault), check, review, build, sign with two keys (the verifier through cosign), submit,
claim. The certified Wh are exactly the sum of the accepted and approved intervals."""

from __future__ import annotations

import json

import pytest

from oracle.cli import main
from oracle.store import open_store
from oracle.timeutil import DAY_S, iso_utc
from oracle_helpers import oracle_config


def run(config, *args):
    return main(["--config", str(config), *args])


def run_ok(capsys, config, *args):
    """run(), failing with the oracle's own error line (stderr) when it does not exit 0."""
    code = run(config, *args)
    if code != 0:
        pytest.fail(f"oracle {' '.join(args)} exited {code}: {capsys.readouterr().err.strip()[-2000:]}")


def test_readings_to_certificates_with_a_review_and_a_cosigned_round(tmp_path, manifest_file, rpc_url,
                                                                     simulated_installations, commissioned_s, env, capsys):
    contracts, ids = simulated_installations
    operator_dir, verifier_dir = tmp_path / "operator", tmp_path / "verifier"
    operator_dir.mkdir(), verifier_dir.mkdir()
    config = oracle_config(operator_dir, manifest_file, rpc_url, ids, commissioned_s)
    verifier = oracle_config(verifier_dir, manifest_file, rpc_url, ids, commissioned_s, signer_env="VERIFIER_SIGNER_KEY")

    assert run(config, "ingest") == 1  # the spike waits for review
    store = open_store(operator_dir / "var" / "oracle.sqlite")
    pending = store.pending()
    spike = commissioned_s + DAY_S + 15 * 3600
    assert spike in pending["interval_start"].tolist()
    assert "above_capacity" in pending.set_index("interval_start").loc[spike, "flags"]

    assert run(config, "build") == 1  # installation 1 waits from day 2 on; installation 2 goes ahead
    assert "pending review" in capsys.readouterr().out
    assert run(config, "review", "reject", str(ids[0]), iso_utc(spike), "--reviewer", "ana", "--reason", "inverter spike") == 0
    for installation_id, start in store.pending()[["installation_id", "interval_start"]].itertuples(index=False):
        assert run(config, "review", "approve", str(installation_id), iso_utc(int(start)), "--reviewer", "ana",
                   "--reason", "checked against the neighbour") == 0
    # round 1 (installation 2's days) is in flight: finish it, then build the next
    for command in (["sign"], ["cosign", "var/rounds/round-000001.json"], ["submit"], ["claim"]):
        target = verifier if command[0] == "cosign" else config
        args = command if command[0] != "cosign" else ["cosign", str(operator_dir / "var/rounds/round-000001.json")]
        run_ok(capsys, target, *args)
    run_ok(capsys, config, "build")
    round_file = operator_dir / "var" / "rounds" / "round-000002.json"
    run_ok(capsys, config, "sign")
    run_ok(capsys, verifier, "cosign", str(round_file))
    run_ok(capsys, config, "submit")
    run_ok(capsys, config, "claim")

    data = json.loads(round_file.read_text())
    assert len(data["signatures"]) == 2
    excluded = [e for inst in data["installations"] for e in inst["excluded"]]
    assert [(e["intervalStart"], e["decision"], e["reviewer"]) for e in excluded] == [(iso_utc(spike), "rejected", "ana")]

    certificates = contracts["GenerationCertificates"]
    issued = {}
    for token_id in range(1, certificates.certificateCount() + 1):
        cert = certificates.certificate(token_id)
        issued.setdefault(cert["installationId"], 0)
        issued[cert["installationId"]] += cert["energyWh"]
    end = commissioned_s + 3 * DAY_S
    for installation_id in ids:
        assert certificates.certifiedUntil(installation_id) == end
        rows = store.intervals(installation_id, commissioned_s, end)
        certifiable = rows[rows["status"].isin(["accepted", "approved"])]
        expected = int(sum(max(0, int(wh + 0.5)) for wh in certifiable["energy_wh"]))
        assert issued[installation_id] == expected > 0
    assert store.round(2).status == "issued"
    store.close()


def test_a_chain_id_that_does_not_match_the_manifest_is_a_clear_error(tmp_path, manifest_file, rpc_url,
                                                                    simulated_installations, commissioned_s, env, capsys):
    _, ids = simulated_installations
    config = oracle_config(tmp_path, manifest_file, rpc_url, ids, commissioned_s)
    config.write_text(config.read_text().replace("chain_id = 31337", "chain_id = 11155111"))
    assert run(config, "build") == 2
    assert "manifest" in capsys.readouterr().err


def test_an_unreachable_node_is_exit_3_and_the_next_run_works(tmp_path, manifest_file, rpc_url,
                                                            simulated_installations, commissioned_s, env, capsys):
    _, ids = simulated_installations
    config = oracle_config(tmp_path, manifest_file, rpc_url, ids, commissioned_s)
    assert run(config, "--rpc-url", "http://127.0.0.1:9", "status") in (0, 1)  # status still reports the store
    assert "chain not reachable" in capsys.readouterr().out
    assert run(config, "--rpc-url", "http://127.0.0.1:9", "build") == 3
    assert "cannot reach the RPC node" in capsys.readouterr().err
    assert run(config, "build") in (0, 1)


def cosigned_round_in_flight(tmp_path, manifest_file, rpc_url, ids, commissioned_s):
    """ingest, approve what is flagged, build, sign, cosign into the cosigned folder: round 1 ready."""
    operator_dir, verifier_dir = tmp_path / "operator", tmp_path / "verifier"
    operator_dir.mkdir(), verifier_dir.mkdir()
    config = oracle_config(operator_dir, manifest_file, rpc_url, ids, commissioned_s)
    verifier = oracle_config(verifier_dir, manifest_file, rpc_url, ids, commissioned_s, signer_env="VERIFIER_SIGNER_KEY")
    run(config, "ingest")
    store = open_store(operator_dir / "var" / "oracle.sqlite")
    for installation_id, start in store.pending()[["installation_id", "interval_start"]].itertuples(index=False):
        run(config, "review", "approve", str(installation_id), iso_utc(int(start)), "--reviewer", "ana", "--reason", "ok")
    store.close()
    assert run(config, "build") == 0 and run(config, "sign") == 0
    round_file = operator_dir / "var" / "rounds" / "round-000001.json"
    cosigned = operator_dir / "var" / "cosigned" / round_file.name
    assert run(verifier, "cosign", str(round_file), "--out", str(cosigned)) == 0
    return config, operator_dir


def test_a_round_id_taken_by_another_root_is_set_aside_and_built_again(tmp_path, manifest_file, rpc_url,
                                                                     simulated_installations, commissioned_s, env, oracle_keys, operator, chain, capsys):
    from oracle.leaves import generation_tree, installation_period
    from oracle.signing import round_as_tuple, round_from_generation_tree, sign_round

    contracts, ids = simulated_installations
    config, operator_dir = cosigned_round_in_flight(tmp_path, manifest_file, rpc_url, ids, commissioned_s)
    # another oracle instance with the same keys submits its own round 1 first
    other = installation_period(ids[0], commissioned_s, commissioned_s + DAY_S, [(commissioned_s + 43_200, 1_000)])
    tree = generation_tree([other.leaf])
    oracle = contracts["GenerationOracle"]
    round_ = round_from_generation_tree(1, commissioned_s, commissioned_s + DAY_S, tree)
    signatures = ["0x" + sign_round(round_, chain.id, oracle.address, key).hex()
                  for key in (oracle_keys.operator_signer, oracle_keys.verifier_signer)]
    oracle.submitRound(round_as_tuple(round_), signatures, {"from": operator})
    capsys.readouterr()
    assert run(config, "submit", "--round-file", str(operator_dir / "var" / "cosigned" / "round-000001.json")) == 3
    assert "this round was set aside" in capsys.readouterr().err
    store = open_store(operator_dir / "var" / "oracle.sqlite")
    assert store.open_round() is None and store.round(1) is None
    store.close()
    assert run(config, "build") == 0
    assert (operator_dir / "var" / "rounds" / "round-000002.json").exists()


def test_a_revoked_round_is_set_aside_and_its_days_go_into_the_next_round(tmp_path, manifest_file, rpc_url,
                                                                        simulated_installations, commissioned_s, env, operator, capsys):
    contracts, ids = simulated_installations
    config, operator_dir = cosigned_round_in_flight(tmp_path, manifest_file, rpc_url, ids, commissioned_s)
    assert run(config, "submit", "--round-file", str(operator_dir / "var" / "cosigned" / "round-000001.json")) == 0
    contracts["GenerationOracle"].revokeRound(1, "wrong meter", {"from": operator})
    capsys.readouterr()
    assert run(config, "claim") == 0
    assert "was revoked on chain" in capsys.readouterr().out
    assert contracts["GenerationCertificates"].certificateCount() == 0
    store = open_store(operator_dir / "var" / "oracle.sqlite")
    assert store.round(1).status == "revoked" and store.open_round() is None
    first_leaves = [(leaf["installation_id"], leaf["period_start"], leaf["energy_wh"]) for leaf in store.leaves(1)]
    assert run(config, "build") == 0
    assert [(leaf["installation_id"], leaf["period_start"], leaf["energy_wh"]) for leaf in store.leaves(2)] == first_leaves
    store.close()


def test_with_wait_for_review_the_cron_job_certifies_every_day_in_one_round_after_the_review(
        tmp_path, manifest_file, rpc_url, simulated_installations, commissioned_s, env, capsys):
    contracts, ids = simulated_installations
    operator_dir, verifier_dir = tmp_path / "operator", tmp_path / "verifier"
    operator_dir.mkdir(), verifier_dir.mkdir()
    config = oracle_config(operator_dir, manifest_file, rpc_url, ids, commissioned_s, rounds="wait_for_review = true")
    verifier = oracle_config(verifier_dir, manifest_file, rpc_url, ids, commissioned_s, signer_env="VERIFIER_SIGNER_KEY")
    now = ("--now", iso_utc(commissioned_s + 3 * DAY_S))
    store = open_store(operator_dir / "var" / "oracle.sqlite")

    assert run(config, *now, "run") == 1  # ingested; the spike waits for review, and so does the round
    assert "wait for review (rounds.wait_for_review)" in capsys.readouterr().out
    assert store.rounds() == []
    days = {(int(i), iso_utc(int(s) // DAY_S * DAY_S)[:10]) for i, s in
            store.pending()[["installation_id", "interval_start"]].itertuples(index=False)}
    for installation_id, day in sorted(days):
        assert run(config, "review", "reject", str(installation_id), day, "--reviewer", "ana", "--reason", "fault") == 0

    assert run(config, *now, "run") == 0  # builds and signs round 1; it waits for the verifier
    assert "waits for the verifier" in capsys.readouterr().out
    assert store.open_round().status == "signed"
    round_file = operator_dir / "var" / "rounds" / "round-000001.json"
    assert run(verifier, "cosign", str(round_file), "--out", str(operator_dir / "var" / "cosigned" / round_file.name)) == 0
    assert run(config, *now, "run") == 0  # merges the cosignature, submits, claims

    assert [(row.round_id, row.status) for row in store.rounds()] == [(1, "issued")]
    certificates = contracts["GenerationCertificates"]
    assert [certificates.certifiedUntil(i) for i in ids] == [commissioned_s + 3 * DAY_S] * 2
    assert certificates.certificateCount() == 6  # every day of both installations, in the one round
    store.close()


def test_a_store_of_a_restarted_chain_is_refused_with_a_clear_error_not_a_traceback(
        tmp_path, manifest_file, rpc_url, simulated_installations, commissioned_s, env, chain, capsys):
    _, ids = simulated_installations
    chain.snapshot()  # the chain as it was before the oracle's first round: a local chain restarted later
    config, operator_dir = cosigned_round_in_flight(tmp_path, manifest_file, rpc_url, ids, commissioned_s)
    cosigned = operator_dir / "var" / "cosigned" / "round-000001.json"
    assert run(config, "submit", "--round-file", str(cosigned)) == 0 and run(config, "claim") == 0
    chain.revert()  # same chain id and contracts' addresses, but no round on it any more
    capsys.readouterr()
    for command in (["build"], ["build", "--dry-run"], ["run"]):
        assert run(config, *command) == 2, command
        err = capsys.readouterr().err
        assert "records round(s) 1 on chain" in err and "has 0 round(s)" in err and "own data_dir" in err
        assert "Traceback" not in err and "IntegrityError" not in err
    store = open_store(operator_dir / "var" / "oracle.sqlite")
    assert store.round(1).status == "issued" and [r.round_id for r in store.rounds()] == [1]  # nothing rewritten
    store.close()
