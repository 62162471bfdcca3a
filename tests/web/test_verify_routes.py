"""The verify area's routes: proof.json, leaf.json, readings.csv, the round file, and the Verify panel.

Every figure is checked against the chain (read here through web3, not through the app) and the
Python StandardMerkleTree, so a route that served a wrong leaf, proof or reading would fail.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from dataclasses import replace

import pytest

from oracle.leaves import reading_tree
from oracle.merkle import StandardMerkleTree, generation_leaf_types, reading_leaf_types
from oracle.roundfile import load_round_file, round_file_name
from oracle.timeutil import parse_utc
from oracle.web.app import create_app
from oracle.web.settings import web_settings
from oracle.web.state import StateCache
from oracle.web.verify import round_root_calldata


@pytest.fixture(scope="module")
def chain(dashboard_app):
    return dashboard_app.state.cache.chain


@pytest.fixture(scope="module")
def token_ids(dashboard_app) -> list[int]:
    """The first and the last certificate of the demo."""
    ids = sorted(dashboard_app.state.cache.snapshot().certificates)
    assert len(ids) > 1, "the demo issues certificates"
    return [ids[0], ids[-1]]


def on_chain_certificate(chain, token_id: int):
    return chain.contract("GenerationCertificates").functions.certificate(token_id).call()


def chain_root(chain, round_id: int) -> bytes:
    return bytes(chain.contract("GenerationOracle").functions.roundRoot(round_id).call())


def test_proof_json_proves_the_certificate_against_the_chains_root(client, chain, token_ids):
    for token_id in token_ids:
        response = client.get(f"/certificates/{token_id}/proof.json")
        assert response.status_code == 200, response.text
        proof = response.json()
        certificate = on_chain_certificate(chain, token_id)
        assert proof["format"] == "pv-ledger-certificate-proof/1"
        assert (proof["tokenId"], proof["roundId"], proof["chainId"]) == (token_id, certificate.roundId, chain.chain_id)
        assert proof["leafTypes"] == generation_leaf_types and proof["readingTypes"] == reading_leaf_types
        root = chain_root(chain, proof["roundId"])
        assert StandardMerkleTree.verify(root, proof["leafTypes"], proof["leaf"], proof["proof"])
        assert proof["root"] == "0x" + root.hex()
        installation_id, start, end, energy_wh, readings_root = proof["leaf"]
        assert [int(installation_id), int(start), int(end), int(energy_wh)] == [
            certificate.installationId, certificate.periodStart, certificate.periodEnd, certificate.energyWh]
        readings = [(int(i), int(s), int(wh)) for i, s, wh in proof["readings"]]
        assert {i for i, _, _ in readings} == {certificate.installationId}
        assert sum(wh for _, _, wh in readings) == certificate.energyWh
        rebuilt = reading_tree(certificate.installationId, [(s, wh) for _, s, wh in readings])
        assert rebuilt.root_hex == readings_root
        assert proof["contracts"] == {"GenerationOracle": chain.manifest.entry("GenerationOracle").address,
                                      "GenerationCertificates": chain.manifest.entry("GenerationCertificates").address}
        issued = chain.web3.eth.get_transaction_receipt(proof["issueTx"])
        assert issued["to"] == proof["contracts"]["GenerationCertificates"]


def test_a_tampered_proof_does_not_verify_in_python(client, chain, token_ids):
    """The round trip above could not pass by accident: one changed sibling or Wh breaks it."""
    proof = client.get(f"/certificates/{token_ids[0]}/proof.json").json()
    root = chain_root(chain, proof["roundId"])
    sibling = proof["proof"][0]
    flipped = sibling[:-1] + ("0" if sibling[-1] != "0" else "1")
    assert not StandardMerkleTree.verify(root, proof["leafTypes"], proof["leaf"], [flipped, *proof["proof"][1:]])
    more = [*proof["leaf"][:3], str(int(proof["leaf"][3]) + 1), proof["leaf"][4]]
    assert not StandardMerkleTree.verify(root, proof["leafTypes"], more, proof["proof"])


def test_leaf_json_is_a_download_of_the_leaf_and_its_proof(client, token_ids):
    token_id = token_ids[-1]
    response = client.get(f"/certificates/{token_id}/leaf.json")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="certificate-{token_id}-leaf.json"'
    leaf = response.json()
    proof = client.get(f"/certificates/{token_id}/proof.json").json()
    assert leaf["format"] == "pv-ledger-leaf-proof/1"
    assert {k: leaf[k] for k in ("leaf", "proof", "leafTypes", "root", "roundId")} == \
        {k: proof[k] for k in ("leaf", "proof", "leafTypes", "root", "roundId")}
    assert "readings" not in leaf
    assert leaf["roundFile"] == f"/rounds/{leaf['roundId']}/file.json"


def test_readings_csv_has_every_reading_of_the_leaf_and_sums_to_the_certificate(client, chain, token_ids):
    for token_id in token_ids:
        response = client.get(f"/certificates/{token_id}/readings.csv")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert f"certificate-{token_id}-readings.csv" in response.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["interval_start_utc", "energy_wh"]
        body = rows[1:]
        certificate = on_chain_certificate(chain, token_id)
        starts = [parse_utc(start) for start, _ in body]
        assert starts == sorted(starts) and len(set(starts)) == len(starts)
        assert all(certificate.periodStart <= s < certificate.periodEnd and s % 900 == 0 for s in starts)
        assert all(start.endswith("Z") for start, _ in body)
        assert sum(int(wh) for _, wh in body) == certificate.energyWh
        proof = client.get(f"/certificates/{token_id}/proof.json").json()
        assert [(s, int(wh)) for s, (_, wh) in zip(starts, body)] == [(int(s), int(wh)) for _, s, wh in proof["readings"]]


def test_round_file_is_served_as_published_and_matches_the_chain(client, chain, dashboard_app, tmp_path):
    round_id = 1
    response = client.get(f"/rounds/{round_id}/file.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert round_file_name(round_id) in response.headers["content-disposition"]
    published = dashboard_app.state.settings.config.rounds_dir / round_file_name(round_id)
    assert response.content == published.read_bytes()
    saved = tmp_path / round_file_name(round_id)
    saved.write_bytes(response.content)
    assert load_round_file(saved).generation.root == chain_root(chain, round_id)


@pytest.mark.parametrize("path, status, message", [
    ("/certificates/999999/proof.json", 404, "there is no certificate 999999"),
    ("/certificates/999999/leaf.json", 404, "there is no certificate 999999"),
    ("/certificates/abc/proof.json", 404, "token_id must be a number"),
    ("/rounds/999/file.json", 404, "there is no round 999"),
    ("/rounds/x/file.json", 404, "round_id must be a number"),
])
def test_bad_ids_give_a_json_404(client, path, status, message):
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert message in response.json()["error"]


def test_bad_certificate_of_readings_csv_gives_the_404_page(client):
    response = client.get("/certificates/999999/readings.csv")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "there is no certificate 999999" in response.text and "Traceback" not in response.text


def test_writes_are_not_routes_of_verify(client, token_ids):
    response = client.post(f"/certificates/{token_ids[0]}/proof.json")
    assert response.status_code == 405


@pytest.fixture
def app_over_rounds_dir(dashboard_app, tmp_path):
    """An app whose oracle publishes round files in `tmp_path` only (the store's paths forgotten)."""
    settings = dashboard_app.state.settings
    config = replace(settings.config, rounds_dir=tmp_path)
    snapshot = dashboard_app.state.cache.snapshot()
    forgotten = replace(snapshot, rounds={i: replace(r, file=None) for i, r in snapshot.rounds.items()})
    cache = StateCache(config, rpc_url=dashboard_app.state.cache.rpc_url)
    cache.snapshot = lambda: forgotten  # type: ignore[method-assign]
    return create_app(web_settings(config, settings.public_rpc_url), cache)


def _client(app):
    from starlette.testclient import TestClient

    return TestClient(app, raise_server_exceptions=False)


def test_an_unpublished_round_file_is_a_404(app_over_rounds_dir, token_ids):
    with _client(app_over_rounds_dir) as client:
        response = client.get("/rounds/1/file.json")
        assert response.status_code == 404
        assert "has not published the file of round 1" in response.json()["error"]
        assert client.get(f"/certificates/{token_ids[0]}/readings.csv").status_code == 404


def test_a_round_file_that_is_not_the_chains_round_is_never_served(app_over_rounds_dir, dashboard_app, tmp_path):
    source = dashboard_app.state.settings.config.rounds_dir / round_file_name(1)
    data = json.loads(source.read_text())
    data["typedData"]["message"]["merkleRoot"] = "0x" + "11" * 32
    (tmp_path / round_file_name(1)).write_text(json.dumps(data))
    with _client(app_over_rounds_dir) as client:
        response = client.get("/rounds/1/file.json")
        assert response.status_code == 404
        assert "no file of round 1 matching the chain" in response.json()["error"]
        shutil.copyfile(source, tmp_path / round_file_name(1))  # rewritten: read again, and served
        assert client.get("/rounds/1/file.json").status_code == 200


def test_certificate_page_has_the_verify_panel_and_downloads(client, chain, dashboard_app, token_ids):
    token_id = token_ids[0]
    response = client.get(f"/certificates/{token_id}")
    assert response.status_code == 200
    page = response.text
    settings = dashboard_app.state.settings
    assert f'data-proof-url="/certificates/{token_id}/proof.json"' in page
    assert f'value="{settings.public_rpc_url}"' in page
    assert "Verify in this browser" in page and "needs JavaScript" in page
    round_id = on_chain_certificate(chain, token_id).roundId
    for link in (f"/certificates/{token_id}/leaf.json", f"/certificates/{token_id}/readings.csv", f"/rounds/{round_id}/file.json"):
        assert f'href="{link}"' in page
        assert client.get(link).status_code == 200
    assert chain.manifest.entry("GenerationOracle").address in page
    assert round_root_calldata(round_id) in page


def test_the_by_hand_eth_call_reads_the_round_root(chain):
    oracle = chain.manifest.entry("GenerationOracle").address
    result = chain.web3.eth.call({"to": oracle, "data": round_root_calldata(1)})
    assert bytes(result) == chain_root(chain, 1)


def test_the_by_hand_node_commands_verify_the_downloads(client, chain, token_ids, tmp_path):
    """Steps 2 and 3 of "Verify by hand", run as printed (node and the repo's @openzeppelin/merkle-tree)."""
    token_id = token_ids[-1]
    page = client.get(f"/certificates/{token_id}").text
    commands = [html.unescape(block) for block in re.findall(r"<pre>(.*?)</pre>", page, re.S)]
    for link in (f"/certificates/{token_id}/leaf.json", f"/rounds/{on_chain_certificate(chain, token_id).roundId}/file.json"):
        response = client.get(link)
        name = re.search(r'filename="([^"]+)"', response.headers["content-disposition"]).group(1)
        (tmp_path / name).write_bytes(response.content)
    node_env = dict(os.environ, NODE_PATH=str(Path(__file__).resolve().parents[2] / "node_modules"))
    root = "0x" + chain_root(chain, on_chain_certificate(chain, token_id).roundId).hex()
    proof_step = commands[1].split("\n", 1)[1].replace("ROOT", root)  # past the npm install line
    for command, expected in ((proof_step, "true"), (commands[2], f"true {on_chain_certificate(chain, token_id).energyWh}n")):
        done = subprocess.run(command, shell=True, capture_output=True, text=True, cwd=tmp_path, env=node_env, timeout=60)
        assert done.stdout.strip() == expected, done.stderr
    wrong_root = proof_step.replace(root, "0x" + "22" * 32)
    done = subprocess.run(wrong_root, shell=True, capture_output=True, text=True, cwd=tmp_path, env=node_env, timeout=60)
    assert done.stdout.strip() == "false"
