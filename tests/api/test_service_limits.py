"""requestServiceAccess within bounds: list sizes, letters per account and company, cool-down."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import func, insert, select

from app.domain.letters import LETTERS_PER_ACCOUNT, LETTERS_PER_COMPANY
from app.graphql_view import MAX_LIST_ITEMS
from app.models import Account, OneTimeCode, OutboxMessage, ServiceRequest
from app.schema.nodes import to_global_id
from tests.api.flows import (
    LOG_IN,
    REQUEST_SERVICE_ACCESS,
    SAMPLE_SIREN,
    add_company,
    log_in,
    logged_in_expert,
)
from tests.dataloaders.counting import count_statements
from tests.dataloaders.fixtures import add_directory_companies
from tests.support import STRONG_PASSWORD, error_codes, read_letters

REMOVE_COMPANY = """
mutation Remove($input: RemoveCompanyInput!) { removeCompany(input: $input) { userErrors { code } } }
"""
HUGE = 40_000


def _request(company_ids, services=("DECLARER_TVA",)):
    return {
        "companyIds": list(company_ids),
        "serviceCodes": list(services),
        "capacity": "LEGAL_REPRESENTATIVE",
    }


async def _count(app, model, *where):
    async with app.state.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def test_a_huge_list_is_refused_at_the_door(app, api, deliver, settings, make_api):
    ids = [to_global_id("Company", index) for index in range(1, HUGE + 1)]
    await logged_in_expert(api, deliver, settings.mail_dir, make_api)
    token = await log_in(api, "claire.martin@example.fr")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        response = await http.post(
            "/graphql",
            json={"query": REQUEST_SERVICE_ACCESS, "variables": {"input": _request(ids)}},
            headers={"authorization": f"Bearer {token}"},
        )
    assert response.status_code == 400
    assert f"more than {MAX_LIST_ITEMS} items" in response.text
    assert await _count(app, ServiceRequest) == 0


async def test_a_long_list_is_refused_without_touching_the_database(
    app, api, deliver, settings, make_api
):
    ids = [to_global_id("Company", index) for index in range(1, MAX_LIST_ITEMS + 1)]
    async with await logged_in_expert(api, deliver, settings.mail_dir, make_api) as client:
        with count_statements(app.state.engine) as statements:
            data = await client.data(REQUEST_SERVICE_ACCESS, input=_request(ids))

    payload = data["requestServiceAccess"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("TOO_MANY_COMPANIES", ["companyIds"])
    ]
    # Only the session look-up (the query-cost accounting is not counted): no transaction was
    # opened for the request itself.
    assert len(statements) <= 2, statements
    assert await _count(app, ServiceRequest) == 0
    assert await _count(app, OneTimeCode) == 1  # the sign-up's own code


async def test_long_requests_do_not_hold_up_another_users_log_in(
    app, api, deliver, settings, make_api
):
    ids = [to_global_id("Company", index) for index in range(1, MAX_LIST_ITEMS + 1)]
    async with await logged_in_expert(api, deliver, settings.mail_dir, make_api) as client:
        *refusals, log_in_answer = await asyncio.gather(
            *(client.call(REQUEST_SERVICE_ACCESS, input=_request(ids)) for _ in range(3)),
            api.call(LOG_IN, input={"email": "claire.martin@example.fr", "password": "wrong"}),
        )
    # Three at once used to lock the database ("Unexpected error." for everyone else).
    for refusal in refusals:
        assert refusal.errors is None
        assert error_codes(refusal.data["requestServiceAccess"]) == ["TOO_MANY_COMPANIES"]
    assert log_in_answer.errors is None
    assert error_codes(log_in_answer.data["logIn"]) == ["INVALID_CREDENTIALS"]


async def test_other_lists_are_bounded_too(api, deliver, settings, make_api):
    async with await logged_in_expert(api, deliver, settings.mail_dir, make_api) as client:
        company = await add_company(client, SAMPLE_SIREN)
        data = await client.data(
            REQUEST_SERVICE_ACCESS,
            input=_request([company["id"]], services=["DECLARER_TVA"] * 1000),
        )
    assert [(e["code"], e["field"]) for e in data["requestServiceAccess"]["userErrors"]] == [
        ("TOO_MANY_ITEMS", ["serviceCodes"])
    ]


async def test_duplicated_ids_make_one_request(api, deliver, settings, make_api):
    async with await logged_in_expert(api, deliver, settings.mail_dir, make_api) as client:
        company = await add_company(client, SAMPLE_SIREN)
        data = await client.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]] * 50))
    assert len(data["requestServiceAccess"]["requests"]) == 1


async def test_companies_are_read_with_a_fixed_number_of_statements(
    app, api, deliver, settings, make_api
):
    sirens = await add_directory_companies(app.state.runtime, 60)
    async with await logged_in_expert(api, deliver, settings.mail_dir, make_api) as client:
        ids = [(await add_company(client, siren))["id"] for siren in sirens]
        counts = []
        for group in (ids[:2], ids[2:60]):
            with count_statements(app.state.engine) as statements:
                data = await client.data(REQUEST_SERVICE_ACCESS, input=_request(group))
            assert data["requestServiceAccess"]["userErrors"] == []
            counts.append(len([s for s in statements if s.lstrip().upper().startswith("SELECT")]))
    assert counts[0] == counts[1]


async def test_errors_name_the_field_the_client_sent(api, deliver, settings, make_api):
    async with await logged_in_expert(api, deliver, settings.mail_dir, make_api) as client:
        company = await add_company(client, SAMPLE_SIREN)
        stranger = to_global_id("Company", 2)
        data = await client.data(
            REQUEST_SERVICE_ACCESS, input=_request([company["id"], company["id"], stranger])
        )
    assert [(e["code"], e["field"]) for e in data["requestServiceAccess"]["userErrors"]] == [
        ("COMPANY_NOT_ADDED", ["companyIds", "2"])
    ]


async def test_a_company_receives_a_limited_number_of_letters(api, deliver, settings, make_api):
    clients = [
        await logged_in_expert(
            api, deliver, settings.mail_dir, make_api, email=f"user{index}@example.fr"
        )
        for index in range(LETTERS_PER_COMPANY + 1)
    ]
    answers = []
    for client in clients:
        async with client:
            company = await add_company(client, SAMPLE_SIREN)
            data = await client.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]]))
            answers.append(
                [(e["code"], e["field"]) for e in data["requestServiceAccess"]["userErrors"]]
            )

    assert answers == [[]] * LETTERS_PER_COMPANY + [[("LETTER_LIMIT_REACHED", ["companyIds", "0"])]]
    await deliver()
    assert len(read_letters(settings.letters_dir)) == LETTERS_PER_COMPANY


async def test_an_account_causes_a_limited_number_of_letters(app, api, deliver, settings, make_api):
    async with await logged_in_expert(api, deliver, settings.mail_dir, make_api) as client:
        runtime = app.state.runtime
        async with runtime.sessions() as session:
            account_id = await session.scalar(select(Account.id))
            now = runtime.clock.now()
            await session.execute(
                insert(OutboxMessage),
                [
                    {
                        "kind": "LETTER",
                        "message_id": f"<old{index}@test>",
                        "recipient": f"P{index:09d}",
                        "recipient_key": f"P{index:09d}",
                        "requested_by_account_id": account_id,
                        "subject": "Old letter",
                        "created_at": now - timedelta(days=29),
                        "next_attempt_at": now,
                        "delivered_at": now,
                    }
                    for index in range(LETTERS_PER_ACCOUNT)
                ],
            )
            await session.commit()
        company = await add_company(client, SAMPLE_SIREN)
        refused = await client.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]]))
    runtime.clock.advance(timedelta(days=1, seconds=1))
    async with make_api(token=await log_in(api, "claire.martin@example.fr")) as client:
        accepted = await client.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]]))

    assert [(e["code"], e["field"]) for e in refused["requestServiceAccess"]["userErrors"]] == [
        ("LETTER_LIMIT_REACHED", ["companyIds"])
    ]
    assert accepted["requestServiceAccess"]["userErrors"] == []


async def test_a_cancelled_request_starts_a_cool_down(api, deliver, settings, make_api, clock):
    async with await logged_in_expert(api, deliver, settings.mail_dir, make_api) as client:
        company = await add_company(client, SAMPLE_SIREN)
        await client.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]]))
        await client.data(REMOVE_COMPANY, input={"companyId": company["id"]})
        company = await add_company(client, SAMPLE_SIREN)
        during = await client.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]]))
    clock.advance(timedelta(days=7, seconds=1))
    async with make_api(token=await log_in(api, "claire.martin@example.fr")) as client:
        after = await client.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]]))

    assert [(e["code"], e["field"]) for e in during["requestServiceAccess"]["userErrors"]] == [
        ("SERVICE_REQUEST_COOLDOWN", ["companyIds", "0"])
    ]
    assert after["requestServiceAccess"]["userErrors"] == []
    await deliver()
    assert len(read_letters(settings.letters_dir)) == 2


async def test_the_limits_are_per_account_not_per_session(api, deliver, settings, make_api):
    """A second session of the same account meets the same cool-down."""
    async with await logged_in_expert(api, deliver, settings.mail_dir, make_api) as client:
        company = await add_company(client, SAMPLE_SIREN)
        await client.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]]))
        await client.data(REMOVE_COMPANY, input={"companyId": company["id"]})
    token = await log_in(api, "claire.martin@example.fr", STRONG_PASSWORD)
    async with make_api(token=token) as again:
        company = await add_company(again, SAMPLE_SIREN)
        data = await again.data(REQUEST_SERVICE_ACCESS, input=_request([company["id"]]))
    assert error_codes(data["requestServiceAccess"]) == ["SERVICE_REQUEST_COOLDOWN"]
