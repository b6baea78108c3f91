"""Loaders for companies and the roles accounts hold on them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, tuple_

from app.db import SessionFactory, read_session
from app.models import Company, CompanyRole


async def load_companies_by_id(
    sessions: SessionFactory, keys: Sequence[int]
) -> list[Company | None]:
    async with read_session(sessions) as session:
        rows = await session.scalars(select(Company).where(Company.id.in_(keys)))
        by_id = {company.id: company for company in rows}
    return [by_id.get(key) for key in keys]


async def load_roles_by_account_and_company(
    sessions: SessionFactory, keys: Sequence[tuple[int, int]]
) -> list[str | None]:
    async with read_session(sessions) as session:
        rows = await session.execute(
            select(CompanyRole.account_id, CompanyRole.company_id, CompanyRole.role).where(
                tuple_(CompanyRole.account_id, CompanyRole.company_id).in_(keys)
            )
        )
        by_key = {(account_id, company_id): role for account_id, company_id, role in rows}
    return [by_key.get(key) for key in keys]
