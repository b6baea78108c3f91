"""Bulk data for loader, statement-count and bench tests, written straight to the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from stdnum import luhn

from app.domain.runtime import Runtime
from app.models import Company, CompanyRole, CompanyService, Role
from app.reference.services import STANDARD_SERVICES

BULK_PREFIX = 9000000  # SIRENs 90000000x.. are not in the sample directory


def bulk_sirens(count: int, offset: int = 0) -> list[str]:
    bases = [f"{BULK_PREFIX * 10 + offset + index:08d}" for index in range(count)]
    return [base + luhn.calc_check_digit(base) for base in bases]


async def add_directory_companies(runtime: Runtime, count: int, offset: int = 0) -> list[str]:
    sirens = bulk_sirens(count, offset)
    now = runtime.clock.now()
    async with runtime.sessions() as session:
        await session.execute(
            insert(Company),
            [
                {
                    "siren": siren,
                    "name": f"ENTREPRISE {siren}",
                    "street_name": "RUE DU TEST",
                    "postal_code": "75001",
                    "city": "PARIS",
                    "updated_at": now,
                }
                for siren in sirens
            ],
        )
        await session.commit()
    return sirens


async def make_principal_of_many(
    runtime: Runtime, account_id: int, count: int, offset: int = 0
) -> None:
    """The account becomes principal administrator of `count` new companies, every standard service."""
    sirens = await add_directory_companies(runtime, count, offset)
    now: datetime = runtime.clock.now()
    async with runtime.sessions() as session:
        ids = list(await session.scalars(select(Company.id).where(Company.siren.in_(sirens))))
        await session.execute(
            insert(CompanyRole),
            [
                {
                    "company_id": cid,
                    "account_id": account_id,
                    "role": Role.PRINCIPAL_ADMINISTRATOR,
                    "since": now,
                }
                for cid in ids
            ],
        )
        await session.execute(
            insert(CompanyService),
            [
                {"company_id": cid, "service_code": s.code, "since": now}
                for cid in ids
                for s in STANDARD_SERVICES
            ],
        )
        await session.commit()


async def delegate_many(
    runtime: Runtime, owner_id: int, firm_id: int, count: int, offset: int
) -> None:
    """`owner_id` becomes principal of `count` new companies and delegates each to `firm_id`."""
    from app.models import Delegation

    await make_principal_of_many(runtime, owner_id, count, offset)
    now = runtime.clock.now()
    async with runtime.sessions() as session:
        ids = list(
            await session.scalars(
                select(CompanyRole.company_id).where(CompanyRole.account_id == owner_id)
            )
        )
        await session.execute(
            insert(Delegation),
            [
                {
                    "company_id": cid,
                    "delegate_account_id": firm_id,
                    "grantor_account_id": owner_id,
                    "services": {"DECLARER_TVA": ["CONSULT", "DECLARE"], "PAYER_TVA": ["PAY"]},
                    "starts_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for cid in ids
            ],
        )
        await session.execute(
            insert(CompanyRole),
            [
                {"company_id": cid, "account_id": firm_id, "role": Role.DELEGATE, "since": now}
                for cid in ids
            ],
        )
        await session.commit()
