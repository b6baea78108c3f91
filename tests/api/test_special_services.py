"""requestSpecialService (principal), specialServiceRequests and decideSpecialServiceRequest (staff)."""

from __future__ import annotations

import pytest

from tests.api.delegation_flows import ask, other_account, principal_with_company
from tests.api.flows import SAMPLE_SIREN, add_company
from tests.api.test_staff import _log_in, _member
from tests.support import error_codes, mail_to

REQUEST = """
mutation Ask($input: RequestSpecialServiceInput!) {
  requestSpecialService(input: $input) {
    specialServiceRequest { id status service { code supportedRights } justification }
    userErrors { code field }
  }
}
"""
LIST = """
query List($status: SpecialServiceRequestStatus, $after: String) {
  specialServiceRequests(status: $status, first: 10, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { requesterEmail company { siren office } request { id status service { code } } } }
  }
}
"""
DECIDE = """
mutation Decide($input: DecideSpecialServiceRequestInput!) {
  decideSpecialServiceRequest(input: $input) {
    specialServiceRequest { status decidedAt }
    userErrors { code field }
  }
}
"""
JUSTIFICATION = "Nous vendons à des particuliers dans trois États membres."
REASON = "Pièces justificatives reçues et vérifiées"


@pytest.fixture
async def owner(api, deliver, settings, make_api):
    client, company = await principal_with_company(api, deliver, settings, make_api)
    yield client, company
    await client.__aexit__()


@pytest.fixture
async def agent(app, staff_api, clock):
    totp = await _member(app)
    token = (await _log_in(staff_api, totp, clock))["token"]
    async with staff_api(token=token) as client:
        yield client


def _ask(company, service="GUICHET_TVA_UE", justification=JUSTIFICATION):
    return {"companyId": company["id"], "serviceCode": service, "justification": justification}


async def test_approval_gives_the_company_the_service(owner, agent, deliver, settings):
    client, company = owner
    asked = (await client.data(REQUEST, input=_ask(company)))["requestSpecialService"]
    assert asked["userErrors"] == []
    assert asked["specialServiceRequest"]["status"] == "PENDING"
    assert asked["specialServiceRequest"]["service"]["supportedRights"] == [
        "CONSULT",
        "DECLARE",
        "PAY",
    ]
    assert await ask(client, right="PAY", service="GUICHET_TVA_UE") == (False, "SERVICE_NOT_HELD")

    listed = (await agent.data(LIST, status="PENDING"))["specialServiceRequests"]
    [edge] = listed["edges"]
    assert edge["node"]["requesterEmail"] == "owner@example.fr"
    assert edge["node"]["company"] == {"siren": SAMPLE_SIREN, "office": "75"}
    decided = await agent.data(
        DECIDE,
        input={"requestId": edge["node"]["request"]["id"], "approve": True, "reason": REASON},
    )

    assert decided["decideSpecialServiceRequest"]["specialServiceRequest"]["status"] == "APPROVED"
    assert await ask(client, right="PAY", service="GUICHET_TVA_UE") == (
        True,
        "PRINCIPAL_ADMINISTRATOR",
    )
    again = await agent.data(
        DECIDE,
        input={"requestId": edge["node"]["request"]["id"], "approve": False, "reason": REASON},
    )
    assert error_codes(again["decideSpecialServiceRequest"]) == [
        "SPECIAL_SERVICE_REQUEST_ALREADY_DECIDED"
    ]
    held = await client.data(REQUEST, input=_ask(company))
    assert error_codes(held["requestSpecialService"]) == ["SERVICE_ALREADY_HELD"]
    await deliver()
    assert "approved" in mail_to(settings.mail_dir, "owner@example.fr")[-1]["Subject"]


async def test_refusal_grants_nothing_and_tells_the_requester(owner, agent, deliver, settings):
    client, company = owner
    asked = (await client.data(REQUEST, input=_ask(company, "DECLARER_DAC6")))[
        "requestSpecialService"
    ]
    request_id = asked["specialServiceRequest"]["id"]
    refused = await agent.data(
        DECIDE, input={"requestId": request_id, "approve": False, "reason": REASON}
    )
    assert refused["decideSpecialServiceRequest"]["specialServiceRequest"]["status"] == "REFUSED"
    assert await ask(client, service="DECLARER_DAC6") == (False, "SERVICE_NOT_HELD")
    await deliver()
    assert "refused" in mail_to(settings.mail_dir, "owner@example.fr")[-1]["Subject"]
    assert (await agent.data(LIST, status="PENDING"))["specialServiceRequests"]["totalCount"] == 0
    assert (await agent.data(LIST))["specialServiceRequests"]["totalCount"] == 1


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"service": "DECLARER_TVA"}, "SERVICE_NOT_SPECIAL", ["serviceCode"]),
        ({"service": "NOPE"}, "SERVICE_NOT_SPECIAL", ["serviceCode"]),
        ({"justification": "parce que"}, "JUSTIFICATION_REQUIRED", ["justification"]),
    ],
)
async def test_request_errors(owner, overrides, code, field):
    client, company = owner
    data = await client.data(REQUEST, input=_ask(company, **overrides))
    payload = data["requestSpecialService"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]


async def test_one_pending_request_per_service(owner):
    client, company = owner
    await client.data(REQUEST, input=_ask(company))
    second = await client.data(REQUEST, input=_ask(company))
    assert error_codes(second["requestSpecialService"]) == [
        "SPECIAL_SERVICE_REQUEST_ALREADY_PENDING"
    ]


async def test_only_the_principal_asks(owner, api, deliver, settings, make_api):
    _, company = owner
    firm = await other_account(api, deliver, settings, make_api, "firm@example.fr")
    try:
        await add_company(firm, SAMPLE_SIREN)
        response = await firm.call(REQUEST, input=_ask(company))
    finally:
        await firm.__aexit__()
    assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_staff_see_and_decide_their_office_only(app, owner, staff_api, clock):
    client, company = owner
    asked = (await client.data(REQUEST, input=_ask(company)))["requestSpecialService"]
    totp = await _member(app, email="lyon@dgfip.finances.gouv.fr", office="69")
    token = (await _log_in(staff_api, totp, clock, email="lyon@dgfip.finances.gouv.fr"))["token"]
    async with staff_api(token=token) as lyon:
        assert (await lyon.data(LIST))["specialServiceRequests"]["totalCount"] == 0
        refused = await lyon.call(
            DECIDE,
            input={
                "requestId": asked["specialServiceRequest"]["id"],
                "approve": True,
                "reason": REASON,
            },
        )
        unknown = await lyon.data(
            DECIDE, input={"requestId": "nope", "approve": True, "reason": "x"}
        )
    assert refused.errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert error_codes(unknown["decideSpecialServiceRequest"]) == [
        "REASON_REQUIRED",
        "SPECIAL_SERVICE_REQUEST_NOT_FOUND",
    ]
