"""onlineServices, requestServiceAccess, activateServiceAccess, and authorize."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.flows import (
    ACTIVATE_SERVICE_ACCESS,
    DASHBOARD,
    REQUEST_SERVICE_ACCESS,
    SAMPLE_SIREN,
    add_company,
    become_principal,
    logged_in_expert,
)
from tests.support import error_codes, read_letters

OTHER_SIREN = "300123478"
ONLINE_SERVICES = "{ onlineServices { code name supportedRights requiresSeparateSignup } }"
AUTHORIZE = """
query Authorize($input: AuthorizeInput!) { authorize(input: $input) { allowed reason } }
"""


async def _client(api, deliver, settings, make_api, email="claire.martin@example.fr"):
    return await logged_in_expert(api, deliver, settings.mail_dir, make_api, email=email)


def _request(company_ids, services=("DECLARER_TVA", "PAYER_TVA"), capacity="LEGAL_REPRESENTATIVE"):
    return {"companyIds": list(company_ids), "serviceCodes": list(services), "capacity": capacity}


async def test_catalogue(api):
    services = (await api.data(ONLINE_SERVICES))["onlineServices"]
    by_code = {service["code"]: service for service in services}
    assert len(services) == 13
    assert by_code["DECLARER_TVA"]["supportedRights"] == ["CONSULT", "DECLARE"]
    assert by_code["DECLARER_DAC6"]["requiresSeparateSignup"] is True
    assert by_code["MESSAGERIE"]["name"] == "Messagerie sécurisée"


async def test_request_posts_one_letter_per_company(api, deliver, settings, make_api, clock):
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    async with await _client(api, deliver, settings, make_api) as client:
        first = await add_company(client, SAMPLE_SIREN)
        second = await add_company(client, OTHER_SIREN)
        data = await client.data(
            REQUEST_SERVICE_ACCESS, input=_request([first["id"], second["id"]])
        )
        dashboard = (await client.data(DASHBOARD))["viewer"]["companies"]["edges"]

    payload = data["requestServiceAccess"]
    assert payload["userErrors"] == []
    assert [r["company"]["siren"] for r in payload["requests"]] == [SAMPLE_SIREN, OTHER_SIREN]
    assert {r["status"] for r in payload["requests"]} == {"PENDING"}
    assert payload["requests"][0]["expiresAt"] == "2026-05-01T22:00:00+00:00"
    await deliver()
    letters = read_letters(settings.letters_dir)
    assert sorted(letter["companyIdentifier"] for letter in letters) == [SAMPLE_SIREN, OTHER_SIREN]
    assert letters[0]["code"] != letters[1]["code"]
    assert [len(edge["node"]["pendingServiceRequests"]) for edge in dashboard] == [1, 1]


async def test_activation_makes_the_account_principal_administrator(
    api, deliver, settings, make_api
):
    async with await _client(api, deliver, settings, make_api) as client:
        company = await become_principal(
            client, deliver, settings.letters_dir, SAMPLE_SIREN, ["DECLARER_TVA", "PAYER_TVA"]
        )
        dashboard = (await client.data(DASHBOARD))["viewer"]["companies"]["edges"][0]["node"]

    assert company["myRole"] == "PRINCIPAL_ADMINISTRATOR"
    assert [(s["service"]["code"], s["rights"]) for s in company["services"]] == [
        ("DECLARER_TVA", ["CONSULT", "DECLARE"]),
        ("PAYER_TVA", ["CONSULT", "PAY"]),
    ]
    assert dashboard["principalAdministrator"]["lastName"] == "Martin"
    assert dashboard["pendingServiceRequests"] == []


async def test_basic_and_expert_paths_give_the_same_shape(api, deliver, settings, make_api):
    from tests.api.flows import log_in
    from tests.api.test_nodes import _basic_administrator

    basic = await _basic_administrator(api, deliver, settings)
    async with make_api(token=await log_in(api, basic["email"])) as client:
        basic_view = (await client.data(DASHBOARD))["viewer"]["companies"]["edges"][0]["node"]
    async with await _client(api, deliver, settings, make_api) as client:
        from tests.api.flows import STANDARD_CODES

        await become_principal(client, deliver, settings.letters_dir, OTHER_SIREN, STANDARD_CODES)
        expert_view = (await client.data(DASHBOARD))["viewer"]["companies"]["edges"][0]["node"]
    assert set(basic_view) == set(expert_view)
    assert [s["service"]["code"] for s in basic_view["services"]] == [
        s["service"]["code"] for s in expert_view["services"]
    ]
    assert basic_view["myRole"] == expert_view["myRole"] == "PRINCIPAL_ADMINISTRATOR"


@pytest.mark.parametrize(
    ("services", "code", "field"),
    [
        (["DECLARER_DAC6"], "SERVICE_REQUIRES_SEPARATE_SIGNUP", ["serviceCodes", "0"]),
        (["DECLARER_TVA", "NOPE"], "UNKNOWN_SERVICE", ["serviceCodes", "1"]),
        ([], "SERVICE_REQUIRED", ["serviceCodes"]),
    ],
)
async def test_request_service_errors(api, deliver, settings, make_api, services, code, field):
    async with await _client(api, deliver, settings, make_api) as client:
        company = await add_company(client, SAMPLE_SIREN)
        data = await client.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]], services))
    payload = data["requestServiceAccess"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert payload["requests"] == []
    await deliver()
    assert read_letters(settings.letters_dir) == []


async def test_request_for_a_company_not_added_changes_nothing(api, deliver, settings, make_api):
    async with await _client(api, deliver, settings, make_api) as client:
        added = await add_company(client, SAMPLE_SIREN)
        from app.schema.nodes import to_global_id

        data = await client.data(
            REQUEST_SERVICE_ACCESS, input=_request([added["id"], to_global_id("Company", 2)])
        )
        assert [(e["code"], e["field"]) for e in data["requestServiceAccess"]["userErrors"]] == [
            ("COMPANY_NOT_ADDED", ["companyIds", "1"])
        ]
        assert (await client.data(DASHBOARD))["viewer"]["companies"]["edges"][0]["node"][
            "pendingServiceRequests"
        ] == []
    await deliver()
    assert read_letters(settings.letters_dir) == []


async def test_request_for_a_company_with_a_principal_is_refused(api, deliver, settings, make_api):
    async with await _client(api, deliver, settings, make_api) as owner:
        await become_principal(owner, deliver, settings.letters_dir, SAMPLE_SIREN, ["DECLARER_TVA"])
    async with await _client(api, deliver, settings, make_api, email="firm@example.fr") as firm:
        company = await add_company(firm, SAMPLE_SIREN)
        data = await firm.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]]))
    [error] = data["requestServiceAccess"]["userErrors"]
    assert error["code"] == "COMPANY_ALREADY_HAS_ADMINISTRATOR"
    assert "delegation" in error["message"]


async def test_the_principal_may_request_more_services(api, deliver, settings, make_api):
    async with await _client(api, deliver, settings, make_api) as client:
        await become_principal(
            client, deliver, settings.letters_dir, SAMPLE_SIREN, ["DECLARER_TVA"]
        )
        company = await become_principal(
            client, deliver, settings.letters_dir, SAMPLE_SIREN, ["PAYER_IS"]
        )
    assert [s["service"]["code"] for s in company["services"]] == ["DECLARER_TVA", "PAYER_IS"]


async def test_a_second_pending_request_is_refused(api, deliver, settings, make_api):
    async with await _client(api, deliver, settings, make_api) as client:
        company = await add_company(client, SAMPLE_SIREN)
        await client.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]]))
        data = await client.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]]))
    assert error_codes(data["requestServiceAccess"]) == ["SERVICE_REQUEST_ALREADY_PENDING"]


async def _pending_request(client, deliver, settings, siren=SAMPLE_SIREN):
    company = await add_company(client, siren)
    data = await client.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]]))
    await deliver()
    return data["requestServiceAccess"]["requests"][0], read_letters(settings.letters_dir)[-1][
        "code"
    ]


async def _activate(client, request_id, code):
    data = await client.data(ACTIVATE_SERVICE_ACCESS, input={"requestId": request_id, "code": code})
    return error_codes(data["activateServiceAccess"])


async def test_activation_code_errors(api, deliver, settings, make_api):
    async with await _client(api, deliver, settings, make_api) as client:
        request, code = await _pending_request(client, deliver, settings)
        assert [
            await _activate(client, request["id"], "0000-0000-0000-0000") for _ in range(5)
        ] == [["CODE_INVALID"]] * 4 + [["CODE_ATTEMPTS_EXHAUSTED"]]
        assert await _activate(client, request["id"], code) == ["CODE_ATTEMPTS_EXHAUSTED"]
        assert await _activate(client, "garbage", code) == ["SERVICE_REQUEST_NOT_FOUND"]


async def test_code_works_once_and_expires_after_60_days(api, deliver, settings, make_api, clock):
    async with await _client(api, deliver, settings, make_api) as client:
        request, code = await _pending_request(client, deliver, settings)
        assert await _activate(client, request["id"], code) == []
        assert await _activate(client, request["id"], code) == ["CODE_ALREADY_USED"]
    async with await _client(api, deliver, settings, make_api, email="late@example.fr") as late:
        request, code = await _pending_request(late, deliver, settings, OTHER_SIREN)
    clock.advance(timedelta(days=61))
    from tests.api.flows import log_in

    async with make_api(token=await log_in(api, "late@example.fr")) as late:
        assert await _activate(late, request["id"], code) == ["CODE_EXPIRED"]


async def test_a_stranger_cannot_activate_someone_elses_request(api, deliver, settings, make_api):
    async with await _client(api, deliver, settings, make_api) as client:
        request, code = await _pending_request(client, deliver, settings)
    async with await _client(
        api, deliver, settings, make_api, email="stranger@example.fr"
    ) as stranger:
        assert await _activate(stranger, request["id"], code) == ["SERVICE_REQUEST_NOT_FOUND"]
        from tests.api.test_nodes import NODE

        assert (await stranger.data(NODE, id=request["id"]))["node"] is None


async def test_two_accounts_racing_for_one_company_make_one_principal(
    api, deliver, settings, make_api
):
    clients, pending = [], []
    for email in ("first@example.fr", "second@example.fr"):
        client = await _client(api, deliver, settings, make_api, email=email)
        await client.__aenter__()
        clients.append(client)
        pending.append(await _pending_request(client, deliver, settings))
    try:
        outcomes = await asyncio.gather(
            *(
                _activate(client, request["id"], code)
                for client, (request, code) in zip(clients, pending, strict=True)
            )
        )
    finally:
        for client in clients:
            await client.__aexit__()
    assert sorted(outcomes) == [[], ["COMPANY_ALREADY_HAS_ADMINISTRATOR"]]


async def test_service_mutations_need_a_session(api):
    response = await api.call(REQUEST_SERVICE_ACCESS, input=_request(["x"]))
    assert response.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    response = await api.call(ACTIVATE_SERVICE_ACCESS, input={"requestId": "x", "code": "y"})
    assert response.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    response = await api.call(
        AUTHORIZE,
        input={
            "companyIdentifier": SAMPLE_SIREN,
            "serviceCode": "DECLARER_TVA",
            "right": "DECLARE",
        },
    )
    assert response.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_authorize(api, deliver, settings, make_api):
    async with await _client(api, deliver, settings, make_api) as owner:
        await become_principal(owner, deliver, settings.letters_dir, SAMPLE_SIREN, ["DECLARER_TVA"])
        await add_company(owner, OTHER_SIREN)

        async def ask(identifier, service, right, client=owner):
            data = await client.data(
                AUTHORIZE,
                input={"companyIdentifier": identifier, "serviceCode": service, "right": right},
            )
            return data["authorize"]["allowed"], data["authorize"]["reason"]

        assert await ask(SAMPLE_SIREN, "DECLARER_TVA", "DECLARE") == (
            True,
            "PRINCIPAL_ADMINISTRATOR",
        )
        assert await ask("300 123 403", "DECLARER_TVA", "CONSULT") == (
            True,
            "PRINCIPAL_ADMINISTRATOR",
        )
        assert await ask(SAMPLE_SIREN, "DECLARER_TVA", "PAY") == (False, "RIGHT_NOT_SUPPORTED")
        assert await ask(SAMPLE_SIREN, "PAYER_TVA", "PAY") == (False, "SERVICE_NOT_HELD")
        assert await ask(SAMPLE_SIREN, "NOPE", "PAY") == (False, "UNKNOWN_SERVICE")
        assert await ask(OTHER_SIREN, "DECLARER_TVA", "DECLARE") == (False, "NO_ROLE_ON_COMPANY")
        assert await ask("732829320", "DECLARER_TVA", "DECLARE") == (False, "NO_ROLE_ON_COMPANY")
        assert await ask("12", "DECLARER_TVA", "DECLARE") == (False, "INVALID_COMPANY_IDENTIFIER")
    async with await _client(
        api, deliver, settings, make_api, email="stranger@example.fr"
    ) as stranger:
        assert await ask(SAMPLE_SIREN, "DECLARER_TVA", "DECLARE", stranger) == (
            False,
            "NO_ROLE_ON_COMPANY",
        )
