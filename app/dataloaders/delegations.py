"""Loaders for delegations, alternate administrators and the accounts they name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select

from app.db import ReadSource, read_session
from app.domain.delegations import WITH_PARTIES
from app.models import (
    Account,
    CompanyRole,
    Delegation,
    DelegationRequest,
    DelegationRequestStatus,
    Role,
)


async def load_accounts_by_id(
    source: ReadSource, keys: Sequence[int]
) -> list[Account | None]:
    async with read_session(source) as session:
        by_id = {
            a.id: a for a in await session.scalars(select(Account).where(Account.id.in_(keys)))
        }
    return [by_id.get(key) for key in keys]


async def load_delegations_by_id(
    source: ReadSource, keys: Sequence[int]
) -> list[Delegation | None]:
    async with read_session(source) as session:
        rows = await session.scalars(
            select(Delegation).where(Delegation.id.in_(keys)).options(*WITH_PARTIES)
        )
        by_id = {delegation.id: delegation for delegation in rows}
    return [by_id.get(key) for key in keys]


async def load_alternates_by_company(
    source: ReadSource, keys: Sequence[int]
) -> list[CompanyRole | None]:
    async with read_session(source) as session:
        rows = await session.scalars(
            select(CompanyRole).where(
                CompanyRole.company_id.in_(keys), CompanyRole.role == Role.ALTERNATE_ADMINISTRATOR
            )
        )
        by_company = {role.company_id: role for role in rows}
    return [by_company.get(key) for key in keys]


async def load_delegations_by_company(
    source: ReadSource, keys: Sequence[int]
) -> list[list[Delegation]]:
    """Every delegation of each company, revoked ones included, oldest first."""
    async with read_session(source) as session:
        rows = await session.scalars(
            select(Delegation)
            .where(Delegation.company_id.in_(keys))
            .order_by(Delegation.company_id, Delegation.id)
            .options(*WITH_PARTIES)
        )
        by_company: dict[int, list[Delegation]] = defaultdict(list)
        for delegation in rows:
            by_company[delegation.company_id].append(delegation)
    return [by_company.get(key, []) for key in keys]


async def load_live_delegations_by_company_and_delegate(
    source: ReadSource, keys: Sequence[tuple[int, int]]
) -> list[Delegation | None]:
    async with read_session(source) as session:
        rows = await session.scalars(
            select(Delegation).where(
                # Plain IN lists so that SQLite uses the index; unasked pairs are dropped below.
                Delegation.company_id.in_({company for company, _ in keys}),
                Delegation.delegate_account_id.in_({delegate for _, delegate in keys}),
                Delegation.revoked_at.is_(None),
            )
        )
        by_key = {(d.company_id, d.delegate_account_id): d for d in rows}
    return [by_key.get(key) for key in keys]


async def load_pending_delegation_requests_by_company(
    source: ReadSource, keys: Sequence[int]
) -> list[list[DelegationRequest]]:
    """Requests still marked pending; the caller drops those past their 30 days."""
    async with read_session(source) as session:
        rows = await session.scalars(
            select(DelegationRequest)
            .where(
                DelegationRequest.company_id.in_(keys),
                DelegationRequest.status == DelegationRequestStatus.PENDING,
            )
            .order_by(DelegationRequest.company_id, DelegationRequest.id)
        )
        by_company: dict[int, list[DelegationRequest]] = defaultdict(list)
        for delegation_request in rows:
            by_company[delegation_request.company_id].append(delegation_request)
    return [by_company.get(key, []) for key in keys]


async def load_delegation_requests_by_id(
    source: ReadSource, keys: Sequence[int]
) -> list[DelegationRequest | None]:
    async with read_session(source) as session:
        rows = await session.scalars(
            select(DelegationRequest).where(DelegationRequest.id.in_(keys))
        )
        by_id = {row.id: row for row in rows}
    return [by_id.get(key) for key in keys]
