"""Companies an account holds a role on, read page by page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Company, CompanyRole


@dataclass(frozen=True)
class CompanyPage:
    rows: list[tuple[int, Company, str]]  # (position, company, role)
    total: int
    has_next: bool


async def account_companies(
    session: AsyncSession, account_id: int, first: int, after: int | None
) -> CompanyPage:
    """One page of the account's companies, in the order the roles were obtained."""
    query = (
        select(CompanyRole.id, Company, CompanyRole.role)
        .join(Company, Company.id == CompanyRole.company_id)
        .where(CompanyRole.account_id == account_id)
        .order_by(CompanyRole.id)
        .limit(first + 1)
    )
    if after is not None:
        query = query.where(CompanyRole.id > after)
    rows = [tuple(row) for row in await session.execute(query)]
    total = await session.scalar(
        select(func.count()).select_from(CompanyRole).where(CompanyRole.account_id == account_id)
    )
    return CompanyPage(rows[:first], total or 0, len(rows) > first)
