"""designate/suspend/reactivate/removeAlternateAdministrator, and what an alternate may do."""

from __future__ import annotations

import pytest

from tests.api.delegation_flows import (
    ALTERNATE_MUTATIONS,
    GRANT,
    ask,
    grant_input,
    other_account,
    principal_with_company,
)
from tests.api.flows import REQUEST_SERVICE_ACCESS, SAMPLE_SIREN
from tests.support import error_codes

ALTERNATE = "alternate@example.fr"


@pytest.fixture
async def world(api, deliver, settings, make_api):
    owner, company = await principal_with_company(api, deliver, settings, make_api)
    alternate = await other_account(api, deliver, settings, make_api, ALTERNATE)
    firm = await other_account(api, deliver, settings, make_api, "firm@example.fr")
    yield owner, company, alternate, firm
    for client in (owner, alternate, firm):
        await client.__aexit__()


async def _do(client, action, company, **extra):
    return await client.call(
        ALTERNATE_MUTATIONS[action], input={"companyId": company["id"], **extra}
    )


def _payload(response):
    assert response.errors is None, response.errors
    return next(iter(response.data.values()))


async def test_designated_alternate_manages_delegations_and_holds_rights(world):
    owner, company, alternate, firm = world
    payload = _payload(await _do(owner, "designate", company, accountEmail=ALTERNATE))
    assert payload["userErrors"] == []
    assert payload["company"]["alternateAdministrator"] == {
        "lastName": "Martin",
        "suspended": False,
    }

    granted = (await alternate.data(GRANT, input=grant_input(company["id"], "firm@example.fr")))[
        "grantDelegation"
    ]
    assert granted["userErrors"] == []
    assert await ask(alternate) == (True, "ALTERNATE_ADMINISTRATOR")
    assert await ask(firm) == (True, "DELEGATION")


async def test_suspended_alternate_keeps_the_role_but_no_powers(world):
    owner, company, alternate, _ = world
    await _do(owner, "designate", company, accountEmail=ALTERNATE)
    payload = _payload(await _do(owner, "suspend", company))
    assert payload["company"]["alternateAdministrator"]["suspended"] is True

    refused = await alternate.call(GRANT, input=grant_input(company["id"], "firm@example.fr"))
    assert refused.errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert await ask(alternate) == (False, "ALTERNATE_SUSPENDED")
    data = await alternate.data(
        "{ viewer { companies { edges { node { myRole services { rights } } } } } }"
    )
    assert data["viewer"]["companies"]["edges"][0]["node"] == {
        "myRole": "ALTERNATE_ADMINISTRATOR",
        "services": [],
    }

    assert _payload(await _do(owner, "reactivate", company))["userErrors"] == []
    assert await ask(alternate) == (True, "ALTERNATE_ADMINISTRATOR")


async def test_removed_alternate_loses_everything(world):
    owner, company, alternate, _ = world
    await _do(owner, "designate", company, accountEmail=ALTERNATE)
    payload = _payload(await _do(owner, "remove", company))
    assert payload["company"]["alternateAdministrator"] is None
    assert await ask(alternate) == (False, "NO_ROLE_ON_COMPANY")


async def test_alternate_errors(world):
    owner, company, _, _ = world
    assert error_codes(_payload(await _do(owner, "suspend", company))) == [
        "NO_ALTERNATE_ADMINISTRATOR"
    ]
    assert error_codes(_payload(await _do(owner, "remove", company))) == [
        "NO_ALTERNATE_ADMINISTRATOR"
    ]
    assert error_codes(
        _payload(await _do(owner, "designate", company, accountEmail="owner@example.fr"))
    ) == ["CANNOT_DESIGNATE_SELF"]
    assert error_codes(
        _payload(await _do(owner, "designate", company, accountEmail="nobody@example.fr"))
    ) == ["ACCOUNT_NOT_FOUND"]
    await _do(owner, "designate", company, accountEmail=ALTERNATE)
    assert error_codes(
        _payload(await _do(owner, "designate", company, accountEmail="firm@example.fr"))
    ) == ["ALTERNATE_ALREADY_DESIGNATED"]
    assert error_codes(_payload(await _do(owner, "reactivate", company))) == [
        "ALTERNATE_NOT_SUSPENDED"
    ]
    await _do(owner, "suspend", company)
    assert error_codes(_payload(await _do(owner, "suspend", company))) == [
        "ALTERNATE_ALREADY_SUSPENDED"
    ]


@pytest.mark.parametrize("action", ["designate", "suspend", "reactivate", "remove"])
async def test_only_the_principal_manages_the_alternate(world, action):
    owner, company, alternate, firm = world
    await _do(owner, "designate", company, accountEmail=ALTERNATE)
    extra = {"accountEmail": "firm@example.fr"} if action == "designate" else {}
    for client in (alternate, firm):
        response = await _do(client, action, company, **extra)
        assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_alternate_mutations_need_a_session(make_api, world):
    _, company, _, _ = world
    async with make_api() as anonymous:
        response = await anonymous.call(
            ALTERNATE_MUTATIONS["suspend"], input={"companyId": company["id"]}
        )
    assert response.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


COMPANY_FIELDS = """
fragment CompanyFields on Company {
  myRole
  services { service { code } rights since }
  principalAdministrator { firstName lastName since }
  alternateAdministrator { lastName suspended }
  pendingServiceRequests { id status }
  delegations(first: 10) { totalCount edges { node { id status delegate { email } grantor { email } } } }
  delegationRequests { id }
}
"""
PAGE = "{ viewer { companies { edges { node { ...CompanyFields } } } } }" + COMPANY_FIELDS
ONE = "query ($id: String!) { company(identifier: $id) { ...CompanyFields } }" + COMPANY_FIELDS


async def test_a_page_of_companies_answers_what_each_company_answers(world):
    """A page loads its companies' fields in one batch per loader (Company.prefetch); a single
    company loads them field by field: the answers are the same for every role."""
    owner, company, alternate, firm = world
    await _do(owner, "designate", company, accountEmail=ALTERNATE)
    granted = await owner.data(GRANT, input=grant_input(company["id"], "firm@example.fr"))
    assert granted["grantDelegation"]["userErrors"] == []
    requested = await owner.data(
        REQUEST_SERVICE_ACCESS,
        input={
            "companyIds": [company["id"]],
            "serviceCodes": ["PAYER_CFE"],
            "capacity": "LEGAL_REPRESENTATIVE",
        },
    )
    assert len(requested["requestServiceAccess"]["requests"]) == 1

    async def both(client):
        page = (await client.data(PAGE))["viewer"]["companies"]["edges"]
        one = (await client.data(ONE, id=SAMPLE_SIREN))["company"]
        assert [edge["node"] for edge in page] == [one]
        return one

    assert (await both(owner))["myRole"] == "PRINCIPAL_ADMINISTRATOR"
    seen_by_owner = await both(owner)
    assert len(seen_by_owner["services"]) == 3
    assert [request["status"] for request in seen_by_owner["pendingServiceRequests"]] == ["PENDING"]
    assert (await both(alternate))["myRole"] == "ALTERNATE_ADMINISTRATOR"
    seen_by_firm = await both(firm)
    assert seen_by_firm["myRole"] == "DELEGATE"
    assert seen_by_firm["services"][0]["rights"] == ["CONSULT", "DECLARE"]
    await _do(owner, "suspend", company)
    assert (await both(alternate))["services"] == []
