"""requestDelegation, company.delegationRequests, acceptDelegationRequest, declineDelegationRequest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.delegation_flows import ask, other_account, principal_with_company
from tests.api.flows import SAMPLE_SIREN
from tests.api.test_nodes import NODE
from tests.support import error_codes, mail_to

FIRM = "firm@example.fr"
REQUEST = """
mutation Request($input: RequestDelegationInput!) {
  requestDelegation(input: $input) {
    delegationRequest { id status message expiresAt services { service { code } rights } requester { email } company { siren } }
    userErrors { code field message }
  }
}
"""
ACCEPT = """
mutation Accept($input: AcceptDelegationRequestInput!) {
  acceptDelegationRequest(input: $input) { delegation { id status delegate { email } } userErrors { code field message } }
}
"""
DECLINE = """
mutation Decline($input: DeclineDelegationRequestInput!) {
  declineDelegationRequest(input: $input) { delegationRequest { id status } userErrors { code field message } }
}
"""
REQUESTS_OF_COMPANY = """
query($identifier: String!) { company(identifier: $identifier) { delegationRequests { id status requester { email } } } }
"""
WHAT = [{"serviceCode": "DECLARER_TVA", "rights": ["CONSULT", "DECLARE"]}]


@pytest.fixture
async def world(api, deliver, settings, make_api):
    owner, company = await principal_with_company(api, deliver, settings, make_api)
    firm = await other_account(api, deliver, settings, make_api, FIRM)
    yield owner, company, firm
    for client in (owner, firm):
        await client.__aexit__()


async def _ask_for(
    firm, identifier=SAMPLE_SIREN, services=WHAT, message="Cabinet Aubert, votre expert-comptable."
):
    data = await firm.data(
        REQUEST, input={"companyIdentifier": identifier, "services": services, "message": message}
    )
    return data["requestDelegation"]


async def test_request_then_accept(world, deliver, settings):
    owner, _, firm = world
    payload = await _ask_for(firm)
    assert payload["userErrors"] == []
    request = payload["delegationRequest"]
    assert request["status"] == "PENDING"
    assert request["company"]["siren"] == SAMPLE_SIREN
    await deliver()
    assert [m["Subject"] for m in mail_to(settings.mail_dir, "owner@example.fr")][-1].startswith(
        "Delegation request"
    )

    listed = (await owner.data(REQUESTS_OF_COMPANY, identifier=SAMPLE_SIREN))["company"][
        "delegationRequests"
    ]
    assert [(r["id"], r["requester"]["email"]) for r in listed] == [(request["id"], FIRM)]
    accepted = (await owner.data(ACCEPT, input={"requestId": request["id"]}))[
        "acceptDelegationRequest"
    ]
    assert accepted["userErrors"] == []
    assert accepted["delegation"]["delegate"]["email"] == FIRM
    assert await ask(firm) == (True, "DELEGATION")
    assert (await firm.data(NODE, id=request["id"]))["node"]["id"] == request["id"]
    again = (await owner.data(ACCEPT, input={"requestId": request["id"]}))[
        "acceptDelegationRequest"
    ]
    assert error_codes(again) == ["DELEGATION_REQUEST_NOT_PENDING"]


async def test_decline_tells_the_requester(world, deliver, settings):
    owner, _, firm = world
    request = (await _ask_for(firm))["delegationRequest"]
    payload = (await owner.data(DECLINE, input={"requestId": request["id"]}))[
        "declineDelegationRequest"
    ]
    assert payload["delegationRequest"]["status"] == "DECLINED"
    await deliver()
    assert mail_to(settings.mail_dir, FIRM)[-1]["Subject"].startswith("Delegation request declined")
    assert await ask(firm) == (False, "NO_ROLE_ON_COMPANY")


async def test_requests_lapse_after_30_days(world, clock, api, make_api):
    _owner, _, firm = world
    request = (await _ask_for(firm))["delegationRequest"]
    assert error_codes(await _ask_for(firm)) == ["DELEGATION_REQUEST_ALREADY_PENDING"]
    clock.advance(timedelta(days=30))
    from tests.api.flows import log_in

    async with make_api(token=await log_in(api, "owner@example.fr")) as fresh_owner:
        assert (await fresh_owner.data(REQUESTS_OF_COMPANY, identifier=SAMPLE_SIREN))["company"][
            "delegationRequests"
        ] == []
        late = (await fresh_owner.data(ACCEPT, input={"requestId": request["id"]}))[
            "acceptDelegationRequest"
        ]
        assert error_codes(late) == ["DELEGATION_REQUEST_NOT_PENDING"]
    async with make_api(token=await log_in(api, FIRM)) as fresh_firm:
        assert (await _ask_for(fresh_firm))["userErrors"] == []


@pytest.mark.parametrize(
    ("identifier", "services", "message", "code"),
    [
        ("12", WHAT, "", "INVALID_COMPANY_IDENTIFIER"),
        ("732829320", WHAT, "", "COMPANY_NOT_FOUND"),
        (SAMPLE_SIREN, [{"serviceCode": "PAYER_IS", "rights": ["PAY"]}], "", "SERVICE_NOT_HELD"),
        (SAMPLE_SIREN, WHAT, "x" * 1001, "MESSAGE_TOO_LONG"),
        ("300123478", WHAT, "", "SERVICE_NOT_HELD"),
    ],
)
async def test_request_errors(world, identifier, services, message, code):
    _, _, firm = world
    assert code in error_codes(await _ask_for(firm, identifier, services, message))


async def test_the_principal_cannot_ask_and_a_delegate_cannot_ask_twice(world):
    owner, _company, firm = world
    assert error_codes(await _ask_for(owner)) == ["CANNOT_DELEGATE_TO_PRINCIPAL"]
    request = (await _ask_for(firm))["delegationRequest"]
    await owner.data(ACCEPT, input={"requestId": request["id"]})
    assert error_codes(await _ask_for(firm)) == ["DELEGATION_ALREADY_EXISTS"]


async def test_only_administrators_answer_or_see_requests(world, api, deliver, settings, make_api):
    _owner, _, firm = world
    request = (await _ask_for(firm))["delegationRequest"]
    stranger = await other_account(api, deliver, settings, make_api, "stranger@example.fr")
    try:
        for client in (firm, stranger):
            for document in (ACCEPT, DECLINE):
                response = await client.call(document, input={"requestId": request["id"]})
                assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"
        assert (await stranger.data(NODE, id=request["id"]))["node"] is None
        assert (await firm.data(REQUESTS_OF_COMPANY, identifier=SAMPLE_SIREN))["company"] is None
    finally:
        await stranger.__aexit__()
