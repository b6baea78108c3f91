"""Who may do what on delegations: every role against every delegation operation.

Roles: principal, active alternate, suspended alternate, delegate, stranger. "allowed" means the
operation goes through; "forbidden" is a top-level FORBIDDEN; reads show what each role sees.
"""

from __future__ import annotations

import pytest

from tests.api.delegation_flows import (
    ALTERNATE_MUTATIONS,
    COMPANY_DELEGATIONS,
    GRANT,
    REVOKE,
    UPDATE,
    ask,
    grant_input,
    other_account,
    principal_with_company,
)
from tests.api.flows import SAMPLE_SIREN
from tests.api.test_change_feed import FEED
from tests.api.test_delegation_requests import ACCEPT, DECLINE, REQUEST, WHAT
from tests.api.test_nodes import NODE

MANAGERS = {"principal", "alternate"}
# What each role sees of the company's two delegations (to the delegate and to a third party).
VISIBLE = {"principal": 2, "alternate": 2, "suspended": 0, "delegate": 1, "stranger": None}
FEED_SIZE = {"principal": 2, "alternate": 2, "suspended": 0, "delegate": 1, "stranger": 0}


@pytest.fixture
async def world(api, deliver, settings, make_api):
    owner, company = await principal_with_company(api, deliver, settings, make_api)
    clients = {"principal": owner}
    for role in ("alternate", "suspended", "delegate", "stranger", "third", "asker", "target"):
        clients[role] = await other_account(api, deliver, settings, make_api, f"{role}@example.fr")
    await owner.data(
        ALTERNATE_MUTATIONS["designate"],
        input={"companyId": company["id"], "accountEmail": "alternate@example.fr"},
    )
    mine = (await owner.data(GRANT, input=grant_input(company["id"], "delegate@example.fr")))[
        "grantDelegation"
    ]["delegation"]
    theirs = (await owner.data(GRANT, input=grant_input(company["id"], "third@example.fr")))[
        "grantDelegation"
    ]["delegation"]
    request = (
        await clients["asker"].data(
            REQUEST, input={"companyIdentifier": SAMPLE_SIREN, "services": WHAT, "message": ""}
        )
    )["requestDelegation"]["delegationRequest"]
    yield clients, company, mine, theirs, request
    for client in clients.values():
        await client.__aexit__()


async def _suspend_if_needed(world, role):
    clients, company, *_ = world
    if role == "suspended":
        # The suspended role is the alternate, suspended: swap who plays it.
        await clients["principal"].data(
            ALTERNATE_MUTATIONS["suspend"], input={"companyId": company["id"]}
        )
        return clients["alternate"]
    return clients[role]


def _forbidden(response):
    return response.errors is not None and response.errors[0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("role", ["principal", "alternate", "suspended", "delegate", "stranger"])
async def test_matrix(world, role):
    _clients, company, mine, theirs, request = world
    client = await _suspend_if_needed(world, role)
    manager = role in MANAGERS

    # Reads
    view = (await client.data(COMPANY_DELEGATIONS, identifier=SAMPLE_SIREN))["company"]
    seen = None if view is None else view["delegations"]["totalCount"]
    assert seen == VISIBLE[role]
    assert ((await client.data(NODE, id=theirs["id"]))["node"] is not None) == manager
    assert ((await client.data(NODE, id=request["id"]))["node"] is not None) == manager
    feed = (await client.data(FEED))["viewer"]["delegationChanges"]
    assert len(feed["edges"]) == FEED_SIZE[role]
    allowed, _ = await ask(client)
    assert allowed == (role in {"principal", "alternate", "delegate"})

    # Writes on someone else's delegation and on the pending request
    update = await client.call(UPDATE, input={"delegationId": theirs["id"], "services": WHAT})
    assert _forbidden(update) != manager
    decline = await client.call(DECLINE, input={"requestId": request["id"]})
    assert _forbidden(decline) != manager
    accept = await client.call(ACCEPT, input={"requestId": request["id"]})
    assert _forbidden(accept) != manager
    grant = await client.call(GRANT, input=grant_input(company["id"], "target@example.fr"))
    assert _forbidden(grant) != manager
    revoke = await client.call(REVOKE, input={"delegationId": theirs["id"]})
    assert _forbidden(revoke) != manager

    # The delegate never touches its own delegation; only the principal manages the alternate.
    own = await client.call(REVOKE, input={"delegationId": mine["id"]})
    if role == "delegate":
        assert _forbidden(own)
    for action in ("suspend", "reactivate", "remove"):
        response = await client.call(
            ALTERNATE_MUTATIONS[action], input={"companyId": company["id"]}
        )
        assert _forbidden(response) == (role != "principal")
