"""The company's business email: designated by the principal, in force once its link is used."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.company_flows import (
    BUSINESS_ADDRESS,
    BUSINESS_EMAIL,
    CONFIRM_BUSINESS_EMAIL,
    DESIGNATE,
    confirmed_business_email,
    events,
)
from tests.api.delegation_flows import other_account, principal_with_company
from tests.api.flows import SAMPLE_SIREN, log_in
from tests.api.test_nodes import _basic_administrator
from tests.support import mail_to, token_in


@pytest.fixture
async def owner(api, deliver, settings, make_api):
    client, company = await principal_with_company(api, deliver, settings, make_api)
    yield client, company
    await client.__aexit__()


async def _state(client):
    return (await client.data(BUSINESS_EMAIL, identifier=SAMPLE_SIREN))["company"]["businessEmail"]


async def test_basic_mode_sign_up_brings_its_confirmed_business_email(
    api, deliver, settings, make_api
):
    account = await _basic_administrator(api, deliver, settings)
    async with make_api(token=await log_in(api, account["email"])) as client:
        state = await _state(client)
    assert state["address"] == "contact@boulangerie-epis.example.fr"
    assert state["confirmedAt"] is not None
    assert state["pendingAddress"] is None


async def test_a_designation_waits_for_its_link_then_replaces_the_old_address(
    app, api, owner, deliver, settings
):
    client, company = owner
    assert await _state(client) == {"address": None, "confirmedAt": None, "pendingAddress": None}
    await confirmed_business_email(client, api, deliver, settings.mail_dir, company["id"])
    assert (await _state(client))["address"] == BUSINESS_ADDRESS

    data = await client.data(
        DESIGNATE, input={"companyId": company["id"], "email": "nouvelle@boulangerie.example.fr"}
    )
    payload = data["designateBusinessEmail"]
    assert payload["userErrors"] == []
    assert payload["businessEmail"]["address"] == BUSINESS_ADDRESS
    assert payload["businessEmail"]["pendingAddress"] == "nouvelle@boulangerie.example.fr"
    await deliver()
    [link] = mail_to(settings.mail_dir, "nouvelle@boulangerie.example.fr")
    assert "BOULANGERIE DES TROIS EPIS" in link.get_content()
    notice = mail_to(settings.mail_dir, BUSINESS_ADDRESS)[-1]
    assert notice["Subject"] == "New business email designated: BOULANGERIE DES TROIS EPIS"
    assert (await _state(client))["address"] == BUSINESS_ADDRESS

    token = token_in(link)
    confirmed = await api.data(CONFIRM_BUSINESS_EMAIL, input={"token": token})
    assert confirmed["confirmBusinessEmail"] == {"confirmed": True, "userErrors": []}
    assert await _state(client) == {
        "address": "nouvelle@boulangerie.example.fr",
        "confirmedAt": (await _state(client))["confirmedAt"],
        "pendingAddress": None,
    }
    again = await api.data(CONFIRM_BUSINESS_EMAIL, input={"token": token})
    assert [e["code"] for e in again["confirmBusinessEmail"]["userErrors"]] == [
        "TOKEN_ALREADY_USED"
    ]
    assert len(await events(app, "BUSINESS_EMAIL_DESIGNATED")) == 2
    assert len(await events(app, "BUSINESS_EMAIL_CONFIRMED")) == 2


async def test_links_expire_after_72_hours_and_a_newer_one_replaces_them(
    api, owner, deliver, settings, clock, make_api
):
    client, company = owner
    for address in ("a@boulangerie.example.fr", "b@boulangerie.example.fr"):
        await client.data(DESIGNATE, input={"companyId": company["id"], "email": address})
    await deliver()
    first = token_in(mail_to(settings.mail_dir, "a@boulangerie.example.fr")[-1])
    second = token_in(mail_to(settings.mail_dir, "b@boulangerie.example.fr")[-1])
    assert (await _state(client))["pendingAddress"] == "b@boulangerie.example.fr"

    superseded = await api.data(CONFIRM_BUSINESS_EMAIL, input={"token": first})
    clock.advance(timedelta(hours=72))
    expired = await api.data(CONFIRM_BUSINESS_EMAIL, input={"token": second})
    unknown = await api.data(CONFIRM_BUSINESS_EMAIL, input={"token": "x" * 43})

    assert [
        (e["code"], e["field"])
        for payload in (superseded, expired, unknown)
        for e in payload["confirmBusinessEmail"]["userErrors"]
    ] == [("TOKEN_INVALID", ["token"]), ("TOKEN_EXPIRED", ["token"]), ("TOKEN_INVALID", ["token"])]
    async with make_api(token=await log_in(api, "owner@example.fr")) as again:
        assert await _state(again) == {"address": None, "confirmedAt": None, "pendingAddress": None}


async def test_the_login_email_may_be_the_business_email(api, owner, deliver, settings):
    client, company = owner
    await confirmed_business_email(
        client, api, deliver, settings.mail_dir, company["id"], "owner@example.fr"
    )
    assert (await _state(client))["address"] == "owner@example.fr"
    data = await client.data(
        DESIGNATE, input={"companyId": company["id"], "email": "OWNER@example.fr"}
    )
    assert [e["code"] for e in data["designateBusinessEmail"]["userErrors"]] == [
        "BUSINESS_EMAIL_UNCHANGED"
    ]


async def test_bad_addresses_and_other_callers_are_refused(api, owner, deliver, settings, make_api):
    client, company = owner
    data = await client.data(
        DESIGNATE, input={"companyId": company["id"], "email": "pas une adresse"}
    )
    assert [(e["code"], e["field"]) for e in data["designateBusinessEmail"]["userErrors"]] == [
        ("INVALID_EMAIL", ["email"])
    ]
    stranger = await other_account(api, deliver, settings, make_api, "stranger@example.fr")
    response = await stranger.call(
        DESIGNATE, input={"companyId": company["id"], "email": "pirate@example.fr"}
    )
    await stranger.__aexit__()
    assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"
    await deliver()
    assert mail_to(settings.mail_dir, "pirate@example.fr") == []


async def test_designations_to_one_address_are_capped(owner, deliver, settings):
    client, company = owner
    codes = []
    for _ in range(6):
        data = await client.data(
            DESIGNATE, input={"companyId": company["id"], "email": "victim@example.fr"}
        )
        codes.append([e["code"] for e in data["designateBusinessEmail"]["userErrors"]])
    assert codes == [[]] * 5 + [["TOO_MANY_EMAILS"]]


async def test_the_link_page_shows_a_form_and_the_post_confirms(api, owner, deliver, settings, app):
    import httpx

    client, company = owner
    await client.data(DESIGNATE, input={"companyId": company["id"], "email": BUSINESS_ADDRESS})
    await deliver()
    token = token_in(mail_to(settings.mail_dir, BUSINESS_ADDRESS)[-1])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        page = await http.get("/confirm-business-email", params={"token": token})
        assert page.status_code == 200
        assert (await _state(client))["address"] is None  # a GET spends nothing
        done = await http.post("/confirm-business-email", data={"token": token})
        assert done.status_code == 200
        used = await http.post("/confirm-business-email", data={"token": token})
        assert used.status_code == 400
    assert (await _state(client))["address"] == BUSINESS_ADDRESS
