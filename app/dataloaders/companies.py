"""Loaders for companies, the roles accounts hold on them, their services and administrators."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from app.db import KeyedStatement, ReadSource, read_rows, read_session
from app.models import Account, Company, CompanyRole, CompanyService, Role


async def load_companies_by_id(
    source: ReadSource, keys: Sequence[int]
) -> list[Company | None]:
    async with read_session(source) as session:
        rows = await session.scalars(select(Company).where(Company.id.in_(keys)))
        by_id = {company.id: company for company in rows}
    return [by_id.get(key) for key in keys]


# Built once: each batch only gives its keys.
ROLES_OF = KeyedStatement(
    lambda keys_in: select(CompanyRole.account_id, CompanyRole.company_id, CompanyRole.role).where(
        # Two key lists, not a row-value IN, so that SQLite uses the index too; pairs that
        # were not asked for are dropped below.
        keys_in(CompanyRole.account_id, "accounts"),
        keys_in(CompanyRole.company_id, "companies"),
    )
)


async def load_roles_by_account_and_company(
    source: ReadSource, keys: Sequence[tuple[int, int]]
) -> list[str | None]:
    accounts = sorted({account for account, _ in keys})
    companies = sorted({company for _, company in keys})
    rows = await read_rows(source, ROLES_OF, {"accounts": accounts, "companies": companies})
    by_key = {(account_id, company_id): role for account_id, company_id, role in rows}
    return [by_key.get(key) for key in keys]


class HeldService(NamedTuple):
    """A service a company is signed up for, as pages read it (no ORM instance to build)."""

    company_id: int
    service_code: str
    since: datetime


SERVICES_OF = KeyedStatement(
    lambda keys_in: select(
        CompanyService.company_id, CompanyService.service_code, CompanyService.since
    )
    .where(keys_in(CompanyService.company_id, "companies"))
    .order_by(CompanyService.company_id, CompanyService.id)
)


async def load_services_by_company(
    source: ReadSource, keys: Sequence[int]
) -> list[list[HeldService]]:
    rows = await read_rows(source, SERVICES_OF, {"companies": list(keys)})
    by_company: dict[int, list[HeldService]] = defaultdict(list)
    for row in rows:
        by_company[row[0]].append(HeldService._make(row))
    return [by_company.get(key, []) for key in keys]


class AdministratorName(NamedTuple):
    """An administrator's name as pages show it (no ORM instance to build)."""

    first_name: str
    last_name: str


PRINCIPALS_OF = KeyedStatement(
    lambda keys_in: select(
        CompanyRole.company_id, Account.first_name, Account.last_name, CompanyRole.since
    )
    .join(Account, Account.id == CompanyRole.account_id)
    .where(
        keys_in(CompanyRole.company_id, "companies"),
        CompanyRole.role == Role.PRINCIPAL_ADMINISTRATOR,
    )
)


async def load_principals_by_company(
    source: ReadSource, keys: Sequence[int]
) -> list[tuple[AdministratorName, datetime] | None]:
    rows = await read_rows(source, PRINCIPALS_OF, {"companies": list(keys)})
    by_company = {
        company_id: (AdministratorName(first_name, last_name), since)
        for company_id, first_name, last_name, since in rows
    }
    return [by_company.get(key) for key in keys]
