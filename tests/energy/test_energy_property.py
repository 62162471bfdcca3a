"""Property: whatever leaves the oracle verifies and whatever order anyone issues them in, alone or
in batches, no Wh of an installation is certified twice: its certificates cover disjoint periods,
each is a verified leaf, and their total never exceeds the sum over its distinct verified periods.
A batch mints all of its leaves or none."""

from collections import defaultdict

from brownie import chain
from brownie.exceptions import VirtualMachineError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from energy_helpers import DAY_S, day_start, issue, leaf_arg, make_round, submit

leaf_spec = st.tuples(
    st.sampled_from([1, 2]),  # installation
    st.integers(min_value=0, max_value=8),  # first day
    st.integers(min_value=1, max_value=3),  # length in days
    st.integers(min_value=1, max_value=10**9),  # energy Wh
    st.integers(min_value=0, max_value=2),  # round it is published in
)


@st.composite
def scenarios(draw):
    specs = draw(st.lists(leaf_spec, min_size=1, max_size=10, unique_by=lambda s: s[:4]))
    order = draw(st.permutations(range(len(specs))))
    # joins[k]: issue order[k] in the same batch as order[k - 1] (when both are in the same round)
    joins = draw(st.lists(st.booleans(), min_size=len(specs), max_size=len(specs)))
    return specs, order, joins


def batches_of(specs, order, joins):
    """Consecutive runs of `order` joined by `joins` and published in the same round."""
    batches = []
    for k, i in enumerate(order):
        if batches and joins[k] and specs[batches[-1][-1]][4] == specs[i][4]:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=scenarios())
def test_random_leaves_in_random_order_never_certify_wh_twice(
    certificates, oracle, site, project_site, signer_keys, mallory, scenario
):
    specs, order, joins = scenario
    chain.snapshot()
    try:
        leaves = [(inst, day_start(d), day_start(d) + n * DAY_S, wh, bytes([inst, d, n]) * 8 + b"\0" * 8) for inst, d, n, wh, _ in specs]
        rounds = {}
        for round_index in sorted({s[4] for s in specs}):
            members = [leaf for leaf, s in zip(leaves, specs) if s[4] == round_index]
            signed = make_round(len(rounds) + 1, members)
            submit(oracle, signed, signer_keys, mallory)
            rounds[round_index] = signed
        for batch in batches_of(specs, order, joins):
            signed = rounds[specs[batch[0]][4]]
            before = certificates.certificateCount()
            try:
                if len(batch) == 1:
                    issue(certificates, signed, leaves[batch[0]], mallory)
                else:
                    certificates.issueBatch(signed.round_id, [leaf_arg(leaves[i]) for i in batch],
                                            [signed.proof(leaves[i]) for i in batch], {"from": mallory})
                assert certificates.certificateCount() == before + len(batch)
            except VirtualMachineError as exc:
                assert "InstallationRegistryPeriodAlreadyCertified" in str(exc.revert_msg)
                assert certificates.certificateCount() == before, "a failed batch minted something"

        verified = defaultdict(dict)  # installation -> (start, end) -> max Wh verified for that period
        for inst, start, end, wh, _ in leaves:
            verified[inst][(start, end)] = max(wh, verified[inst].get((start, end), 0))
        issued = defaultdict(list)
        for token_id in range(1, certificates.certificateCount() + 1):
            cert = certificates.certificate(token_id)
            issued[cert["installationId"]].append((cert["periodStart"], cert["periodEnd"], cert["energyWh"]))
        assert certificates.certificateCount() >= 1
        for inst, certs in issued.items():
            spans = sorted((s, e) for s, e, _ in certs)
            assert all(prev[1] <= nxt[0] for prev, nxt in zip(spans, spans[1:])), "overlapping certificates"
            assert all((s, e) in verified[inst] for s, e, _ in certs), "certificate without a verified leaf"
            assert sum(wh for _, _, wh in certs) <= sum(verified[inst].values())
    finally:
        chain.revert()
