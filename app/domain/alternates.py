"""Alternate administrators: designated, suspended, reactivated and removed by the principal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.db import write_transaction
from app.domain.delegations import active_account, caller_id, live_delegation, role_on
from app.domain.errors import DomainError, ForbiddenError
from app.domain.runtime import Caller, Runtime
from app.models import Company, CompanyRole, Role
from app.notifications import templates
from app.notifications.outbox import enqueue_email


async def _require_principal(
    session: AsyncSession, account_id: int, company_id: int | None
) -> None:
    role = await role_on(session, account_id, company_id)
    if role is None or role.role != Role.PRINCIPAL_ADMINISTRATOR:
        raise ForbiddenError


async def _alternate(session: AsyncSession, company_id: int | None) -> CompanyRole:
    alternate = await session.scalar(
        select(CompanyRole)
        .where(
            CompanyRole.company_id == company_id,
            CompanyRole.role == Role.ALTERNATE_ADMINISTRATOR,
        )
        .with_for_update()
    )
    if alternate is None:
        raise DomainError(
            "NO_ALTERNATE_ADMINISTRATOR",
            "This company has no alternate administrator.",
            ["companyId"],
        )
    return alternate


async def designate_alternate(
    rt: Runtime, caller: Caller, company_id: int | None, email: str
) -> Company:
    account_id = caller_id(caller)
    now = rt.clock.now()
    try:
        async with write_transaction(rt.sessions) as session:
            await _require_principal(session, account_id, company_id)
            target = await active_account(session, email, "accountEmail")
            if target.id == account_id:
                raise DomainError(
                    "CANNOT_DESIGNATE_SELF",
                    "The principal administrator cannot also be the alternate.",
                    ["accountEmail"],
                )
            existing = await session.scalar(
                select(CompanyRole.id).where(
                    CompanyRole.company_id == company_id,
                    CompanyRole.role == Role.ALTERNATE_ADMINISTRATOR,
                )
            )
            if existing is not None:
                raise DomainError(
                    "ALTERNATE_ALREADY_DESIGNATED",
                    "This company already has an alternate administrator; remove them first.",
                    ["companyId"],
                )
            role = await role_on(session, target.id, company_id)
            if role is None:
                role = CompanyRole(company_id=company_id, account_id=target.id)
                session.add(role)
            role.role, role.since, role.suspended_at = Role.ALTERNATE_ADMINISTRATOR, now, None
            company = await session.get(Company, company_id)
            enqueue_email(
                session,
                now,
                target.email,
                templates.alternate_designated_email(target.first_name, company.name),
            )
            record_event(
                session,
                EventKind.ALTERNATE_DESIGNATED,
                caller=caller,
                at=now,
                subject_account_id=target.id,
                company_id=company_id,
            )
    except IntegrityError:
        raise DomainError(
            "ALTERNATE_ALREADY_DESIGNATED",
            "This company already has an alternate administrator; remove them first.",
            ["companyId"],
        ) from None
    return company


async def change_alternate(
    rt: Runtime, caller: Caller, company_id: int | None, action: str
) -> Company:
    """`suspend`, `reactivate` or `remove` the company's alternate administrator."""
    account_id = caller_id(caller)
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        await _require_principal(session, account_id, company_id)
        alternate = await _alternate(session, company_id)
        if action == "suspend":
            if alternate.suspended_at is not None:
                raise DomainError(
                    "ALTERNATE_ALREADY_SUSPENDED",
                    "The alternate is already suspended.",
                    ["companyId"],
                )
            alternate.suspended_at, kind = now, EventKind.ALTERNATE_SUSPENDED
        elif action == "reactivate":
            if alternate.suspended_at is None:
                raise DomainError(
                    "ALTERNATE_NOT_SUSPENDED", "The alternate is not suspended.", ["companyId"]
                )
            alternate.suspended_at, kind = None, EventKind.ALTERNATE_REACTIVATED
        else:
            live = await live_delegation(session, company_id, alternate.account_id)
            alternate.role = Role.DELEGATE if live else Role.NONE
            alternate.suspended_at, kind = None, EventKind.ALTERNATE_REMOVED
        record_event(
            session,
            kind,
            caller=caller,
            at=now,
            subject_account_id=alternate.account_id,
            company_id=company_id,
        )
        return await session.get(Company, company_id)
