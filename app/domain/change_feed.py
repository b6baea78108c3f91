"""The delegation change feed that accounting software reads incrementally.

Grants, updates and revocations write their change row in their own transaction. Starts and
expiries happen with time; they are written when the feed is read, by `note_time_changes`. On
PostgreSQL every change row is inserted under one advisory lock held to commit, so rows become
visible in id order and a reader resuming after id n never misses a row committed later with a
smaller id; SQLite runs one writer at a time anyway.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from app.db import SessionFactory, read_session, write_transaction
from app.domain.delegations import append_change
from app.domain.paging import Page, page_of
from app.models import ChangeKind, CompanyRole, Delegation, DelegationChange, Role


async def note_time_changes(sessions: SessionFactory, now: datetime) -> None:
    """Write STARTED and EXPIRED rows for delegations whose start or end has passed."""
    async with read_session(sessions) as session:
        due = await session.scalar(select(Delegation.id).where(_due(now)).limit(1))
    if due is None:
        return  # the common case costs one indexed read, no write
    async with write_transaction(sessions) as session:
        delegations = await session.scalars(
            select(Delegation).where(_due(now)).order_by(Delegation.id).with_for_update()
        )
        for delegation in delegations:
            if delegation.start_noted_at is None and delegation.starts_at <= now:
                delegation.start_noted_at = now
                await append_change(session, delegation, ChangeKind.STARTED, delegation.starts_at)
            if delegation.end_noted_at is None and delegation.ends_at and delegation.ends_at <= now:
                delegation.end_noted_at = now
                await append_change(session, delegation, ChangeKind.EXPIRED, delegation.ends_at)


def _due(now: datetime):  # noqa: ANN202  (an SQL condition)
    return and_(
        Delegation.revoked_at.is_(None),
        or_(
            and_(Delegation.start_noted_at.is_(None), Delegation.starts_at <= now),
            and_(Delegation.end_noted_at.is_(None), Delegation.ends_at <= now),
        ),
    )


async def changes_for(
    sessions: SessionFactory, account_id: int, now: datetime, first: int, after: int | None
) -> Page[tuple[int, DelegationChange]]:
    """Changes to the account's delegations or on companies it manages, in commit order."""
    await note_time_changes(sessions, now)
    managed = select(CompanyRole.company_id).where(
        CompanyRole.account_id == account_id,
        or_(
            CompanyRole.role == Role.PRINCIPAL_ADMINISTRATOR,
            and_(
                CompanyRole.role == Role.ALTERNATE_ADMINISTRATOR,
                CompanyRole.suspended_at.is_(None),
            ),
        ),
    )
    query = select(DelegationChange.id, DelegationChange).where(
        or_(
            DelegationChange.delegate_account_id == account_id,
            DelegationChange.company_id.in_(managed),
        )
    )
    async with read_session(sessions) as session:
        return await page_of(session, query, DelegationChange.id, first, after)
