"""Each loader runs one statement per batch and answers in key order, None or [] for a miss."""

from __future__ import annotations

from sqlalchemy import select

from app.dataloaders import companies, services
from app.models import Company
from tests.dataloaders.counting import count_statements


async def test_companies_by_id_in_key_order(app):
    runtime = app.state.runtime
    async with runtime.sessions() as session:
        ids = list(await session.scalars(select(Company.id).order_by(Company.id).limit(3)))
    keys = [ids[2], 999_999, ids[0]]
    with count_statements(app.state.engine) as statements:
        found = await companies.load_companies_by_id(runtime.sessions, keys)
    assert len(statements) == 1
    assert [company.id if company else None for company in found] == [ids[2], None, ids[0]]


async def test_services_and_principals_by_company(app, api, deliver, settings, make_api):
    from tests.api.flows import SAMPLE_SIREN, become_principal, logged_in_expert

    async with await logged_in_expert(api, deliver, settings.mail_dir, make_api) as client:
        await become_principal(
            client, deliver, settings.letters_dir, SAMPLE_SIREN, ["PAYER_IS", "DECLARER_TVA"]
        )
    runtime = app.state.runtime
    async with runtime.sessions() as session:
        company_id = await session.scalar(select(Company.id).where(Company.siren == SAMPLE_SIREN))
    keys = [999_999, company_id]
    with count_statements(app.state.engine) as statements:
        held = await companies.load_services_by_company(runtime.sessions, keys)
        principals = await companies.load_principals_by_company(runtime.sessions, keys)
        roles = await companies.load_roles_by_account_and_company(
            runtime.sessions, [(1, company_id), (2, company_id)]
        )
        pending = await services.load_pending_requests_by_account_and_company(
            runtime.sessions, [(1, company_id)]
        )
    assert len(statements) == 4
    assert held[0] == []
    assert sorted(service.service_code for service in held[1]) == ["DECLARER_TVA", "PAYER_IS"]
    assert principals[0] is None
    assert principals[1][0].last_name == "Martin"
    assert roles == ["PRINCIPAL_ADMINISTRATOR", None]
    assert pending == [[]]
