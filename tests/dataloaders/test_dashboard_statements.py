"""The dashboard costs the same number of SQL statements at 10, 100 and 1,000 companies."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Account
from tests.api.flows import DASHBOARD, SAMPLE_SIREN, add_company, logged_in_expert
from tests.dataloaders.counting import count_statements
from tests.dataloaders.fixtures import make_principal_of_many


async def _dashboard_statements(app, api, deliver, settings, make_api, companies, email):
    runtime = app.state.runtime
    client = await logged_in_expert(api, deliver, settings.mail_dir, make_api, email=email)
    async with client:
        async with runtime.sessions() as session:
            account_id = await session.scalar(select(Account.id).where(Account.email == email))
        await make_principal_of_many(runtime, account_id, companies, offset=companies * 7)
        await add_company(client, SAMPLE_SIREN)  # one company with no role, to mix the shapes
        with count_statements(app.state.engine) as statements:
            data = await client.data(DASHBOARD)
    edges = data["viewer"]["companies"]["edges"]
    assert data["viewer"]["companies"]["totalCount"] == companies + 1
    assert len(edges) == min(companies + 1, 100)
    assert all(len(edge["node"]["services"]) == 9 for edge in edges[: min(companies, 100)])
    return len(statements)


async def test_statement_count_is_flat_in_the_number_of_companies(
    app, api, deliver, settings, make_api
):
    counts = [
        await _dashboard_statements(
            app, api, deliver, settings, make_api, n, f"owner{n}@example.fr"
        )
        for n in (10, 100, 1000)
    ]
    assert counts[0] == counts[1] == counts[2]
    # authentication, the page, its count, then one statement per loader
    assert counts[0] <= 6


async def test_second_page_costs_the_same(app, api, deliver, settings, make_api):
    runtime = app.state.runtime
    email = "pager@example.fr"
    client = await logged_in_expert(api, deliver, settings.mail_dir, make_api, email=email)
    async with client:
        async with runtime.sessions() as session:
            account_id = await session.scalar(select(Account.id).where(Account.email == email))
        await make_principal_of_many(runtime, account_id, 250)
        first = (await client.data(DASHBOARD))["viewer"]["companies"]
        with count_statements(app.state.engine) as statements:
            second = (await client.data(DASHBOARD, after=first["pageInfo"]["endCursor"]))["viewer"][
                "companies"
            ]
    assert len(second["edges"]) == 100
    assert second["pageInfo"]["hasNextPage"] is True
    assert len(statements) <= 6
