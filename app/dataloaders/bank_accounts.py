"""Loaders for the companies' bank accounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select

from app.db import ReadSource, read_session
from app.models import BankAccount


async def load_bank_accounts_by_company(
    source: ReadSource, keys: Sequence[int]
) -> list[list[BankAccount]]:
    """The bank accounts in force of each company, oldest first (removed ones left out)."""
    async with read_session(source) as session:
        rows = await session.scalars(
            select(BankAccount)
            .where(BankAccount.company_id.in_(keys), BankAccount.removed_at.is_(None))
            .order_by(BankAccount.company_id, BankAccount.id)
        )
        by_company: dict[int, list[BankAccount]] = defaultdict(list)
        for account in rows:
            by_company[account.company_id].append(account)
    return [by_company.get(key, []) for key in keys]


async def load_bank_accounts_by_id(
    source: ReadSource, keys: Sequence[int]
) -> list[BankAccount | None]:
    async with read_session(source) as session:
        rows = await session.scalars(
            select(BankAccount).where(BankAccount.id.in_(keys), BankAccount.removed_at.is_(None))
        )
        by_id = {account.id: account for account in rows}
    return [by_id.get(key) for key in keys]
