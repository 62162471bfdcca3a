"""The marketplace pages against the demo's chain: open offers and demands, projects and milestones,
campaigns and progress, participants; detail pages and their 404s; a phone-width screenshot."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest

from oracle import market_codes as codes
from oracle.chain.manifest import Chain, connect, load_manifest
from oracle.registry.reader import ChainReader
from oracle.web import market
from oracle.web.render import clp, short_address, utc_time
from tests.web.conftest import screenshot


@pytest.fixture(scope="module")
def chain(dashboard_config, dashboard_rpc_url) -> Chain:
    return connect(dashboard_rpc_url, load_manifest(dashboard_config.manifest))


@pytest.fixture(scope="module")
def raw(chain):
    """The market's records read with plain view calls (not through oracle.web.market)."""
    reader = ChainReader(chain.web3, int(chain.web3.eth.block_number))
    timestamp = int(chain.web3.eth.get_block(reader.block_number)["timestamp"])
    return {
        "timestamp": timestamp,
        "offers": reader.all_items(chain.contract("Marketplace"), "offerCount", "offer"),
        "demands": reader.all_items(chain.contract("Marketplace"), "demandCount", "demand"),
        "projects": reader.all_items(chain.contract("Projects"), "projectCount", "project"),
        "campaigns": reader.all_items(chain.contract("Crowdfunding"), "campaignCount", "campaign"),
    }


def assert_not_found(response) -> None:
    assert response.status_code == 404, response.text[:300]
    assert "Not found" in response.text and "Traceback" not in response.text


def test_role_names_decode_the_bitmask():
    assert market.role_names(codes.ROLE_OWNER | codes.ROLE_INVESTOR) == ("owner", "investor")
    assert market.role_names(0) == ()


def test_market_page_shows_open_offers_and_demands_only(client, raw):
    page = client.get("/market")
    assert page.status_code == 200
    live_offers = {o["id"] for o in raw["offers"] if o["open"] and o["expiresAt"] > raw["timestamp"]}
    live_demands = {d["id"] for d in raw["demands"] if d["open"] and d["expiresAt"] > raw["timestamp"]}
    assert live_offers and len(live_demands) < len(raw["demands"]), "the demo leaves open offers and matched demands"
    assert {int(i) for i in re.findall(r'id="offer-(\d+)"', page.text)} == live_offers
    assert {int(i) for i in re.findall(r'id="demand-(\d+)"', page.text)} == live_demands
    offer = next(o for o in raw["offers"] if o["id"] in live_offers)
    row = page.text.split(f'id="offer-{offer["id"]}"')[1].split("</tr>")[0]
    assert clp(offer["priceClpPerKwp"]) in row and f'{offer["availableKwp"]} kWp' in row
    assert html.escape(short_address(offer["seller"])) in row or short_address(offer["seller"]) in html.unescape(row)


def test_market_page_lists_every_project_with_its_state_and_anchor(client, raw):
    page = client.get("/market")
    for project in raw["projects"]:
        row = page.text.split(f'id="project-{project["id"]}"')[1].split("</tr>")[0]
        assert codes.PROJECT_STATE_NAMES[project["state"]] in row
        assert clp(project["totalClp"]) in row
        if project["campaignId"]:
            assert f'href="/market/campaigns/{project["campaignId"]}"' in row


def test_campaign_progress_toward_goal_and_deadline(client, raw):
    page = client.get("/market")
    for campaign_id, campaign in enumerate(raw["campaigns"], 1):
        row = page.text.split(f'id="campaign-{campaign_id}"')[1].split("</tr>")[0]
        percent = min(100, campaign["raisedClp"] * 100 // campaign["goalClp"])
        assert f"width: {percent}%" in row and f"{percent}% of {clp(campaign['goalClp'])}" in row
        assert utc_time(campaign["deadline"]) in row
        assert codes.CAMPAIGN_STATE_NAMES[campaign["state"]] in row


def test_participants_by_short_address_and_role(client, dashboard_app):
    page = html.unescape(client.get("/market").text)
    participants = client.app.state.cache.per_block(market.MARKET_KEY, market.read_market).participants
    assert len(participants) > 10
    section = page.split('id="participants"')[1]
    assert section.count("<tr><td") == len(participants)
    investor = next(p for p in participants if "investor" in p.roles)
    row = section.split(short_address(investor.address))[1].split("</tr>")[0]
    assert ", ".join(investor.roles) in row


def test_project_page_has_terms_milestones_and_installation(client, raw, dashboard_app):
    installations = {i.project_id: i.installation_id for i in dashboard_app.state.cache.snapshot().ledger.installations if i.project_id}
    project = next(p for p in raw["projects"] if p["state"] == codes.PROJECT_COMMISSIONED and p["id"] in installations)
    page = client.get(f"/market/projects/{project['id']}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for expected in (clp(project["totalClp"]), clp(project["providerClp"]), clp(project["feeClp"]), project["owner"],
                     project["installer"], f'href="/installations/{installations[project["id"]]}"'):
        assert expected in text, expected
    for milestone in ("Matched", "Funded", "Delivered", "Installed", "Commissioned"):
        assert re.search(rf'<li class="done" title="[^"]+ UTC">{milestone} <span class="when">\d{{4}}-\d\d-\d\d</span>', page.text), milestone
    assert page.text.count('<li class="done"') == 5
    assert "Cancelled" not in page.text.split("<h2>Milestones</h2>")[1].split("</section>")[0]


def test_cancelled_and_matched_projects_show_their_milestones(client, raw):
    cancelled = [p for p in raw["projects"] if p["state"] == codes.PROJECT_CANCELLED]
    matched = [p for p in raw["projects"] if p["state"] == codes.PROJECT_MATCHED]
    if cancelled:
        page = client.get(f"/market/projects/{cancelled[0]['id']}").text
        assert 'class="done cancelled"' in page
    if matched:
        page = client.get(f"/market/projects/{matched[0]['id']}").text
        assert page.count('<li class="done"') == 1 and page.count('<li class="ahead"') == 4


def test_campaign_page(client, raw):
    campaign = raw["campaigns"][0]
    page = client.get("/market/campaigns/1")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert clp(campaign["goalClp"]) in text and clp(campaign["raisedClp"]) in text
    assert f'href="/market/projects/{campaign["projectId"]}"' in text
    assert utc_time(campaign["deadline"]) in text


@pytest.mark.parametrize("path", ["/market/projects/0", "/market/projects/99999", "/market/projects/abc",
                                  "/market/campaigns/0", "/market/campaigns/99999", "/market/campaigns/x"])
def test_bad_ids_give_a_404_page(client, path):
    assert_not_found(client.get(path))


def test_installation_links_resolve_to_a_project_anchor(client, dashboard_app):
    snapshot = dashboard_app.state.cache.snapshot()
    item = next(i for i in snapshot.ledger.installations if i.project_id)
    assert f'href="/market#project-{item.project_id}"' in client.get(f"/installations/{item.installation_id}").text
    assert f'id="project-{item.project_id}"' in client.get("/market").text


def test_a_chain_without_the_market_says_so(chain, dashboard_app):
    manifest = chain.manifest
    without = replace(manifest, contracts={k: v for k, v in manifest.contracts.items() if k != "Marketplace"})
    view = market.read_market(Chain(chain.web3, without), dashboard_app.state.cache.snapshot())
    assert not view.deployed and view.open_offers == []
    from oracle.web.render import environment

    page = environment.get_template("market.html").render(request=None, user=None, csrf_token="", snapshot=None,
                                                         market=view, projects=[], campaigns=[], installations={},
                                                         state_counts={})
    assert "This chain has no marketplace" in page


def test_the_market_is_read_once_per_block(client, dashboard_app):
    from oracle.web.timing import counting_rpc

    cache = dashboard_app.state.cache
    client.get("/market")
    snapshot = cache.snapshot()
    first = cache.per_block(market.MARKET_KEY, market.read_market, snapshot)
    with counting_rpc(cache.chain.web3) as count:
        again = cache.per_block(market.MARKET_KEY, market.read_market, snapshot)
    assert again is first and count.requests == 0


def test_market_at_phone_width(phone_browser, live_dashboard):
    phone_browser.get(live_dashboard + "/market")
    assert phone_browser.find_element("css selector", "h1").text == "Marketplace"
    width = phone_browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the marketplace scrolls sideways at phone width ({width} px)"
    assert screenshot(phone_browser, "market").exists()
