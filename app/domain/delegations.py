"""Alternate administrators and delegations: who may hand which rights to whom, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from app.audit.events import EventKind, record_event
from app.db import write_transaction
from app.domain.errors import DomainError, DomainErrors, ForbiddenError, NotAuthenticatedError
from app.domain.paging import Page, page_of
from app.domain.runtime import Caller, Runtime
from app.domain.validation import bounded
from app.models import (
    Account,
    ChangeKind,
    Company,
    CompanyRole,
    CompanyService,
    Delegation,
    DelegationChange,
    Role,
)
from app.models.accounts import AccountStatus
from app.notifications import templates
from app.notifications.addresses import email_key
from app.notifications.outbox import enqueue_email
from app.reference.services import BY_CODE, Right

# The delegate and grantor, fetched in the same statement as the delegations that name them.
WITH_PARTIES = (joinedload(Delegation.delegate), joinedload(Delegation.grantor))
# A start date a little in the past is the client's "now" arriving late, not back-dating.
CLOCK_SKEW = timedelta(minutes=1)
# Any constant: the advisory lock that makes change-feed rows commit in id order on PostgreSQL.
CHANGE_FEED_LOCK = 7_250_001


@dataclass(frozen=True)
class ServiceGrant:
    service_code: str
    rights: list[str]


def caller_id(caller: Caller) -> int:
    if caller.account_id is None:
        raise NotAuthenticatedError
    return caller.account_id


async def role_on(
    session: AsyncSession, account_id: int, company_id: int | None
) -> CompanyRole | None:
    return await session.scalar(
        select(CompanyRole)
        .where(CompanyRole.account_id == account_id, CompanyRole.company_id == company_id)
        .with_for_update()
    )


async def require_manager(
    session: AsyncSession, account_id: int, company_id: int | None
) -> CompanyRole:
    """The principal or an active alternate: those who manage delegations."""
    role = await role_on(session, account_id, company_id)
    if role is None or not is_manager(role):
        raise ForbiddenError
    return role


def is_manager(role: CompanyRole) -> bool:
    if role.role == Role.PRINCIPAL_ADMINISTRATOR:
        return True
    return role.role == Role.ALTERNATE_ADMINISTRATOR and role.suspended_at is None


async def active_account(session: AsyncSession, email: str, field: str) -> Account:
    account = await session.scalar(
        select(Account).where(
            Account.email_key == email_key(email), Account.status == AccountStatus.ACTIVE
        )
    )
    if account is None:
        raise DomainError(
            "ACCOUNT_NOT_FOUND", "No active professional account uses this email address.", [field]
        )
    return account


async def administrators(session: AsyncSession, company_id: int) -> list[Account]:
    return list(
        await session.scalars(
            select(Account)
            .join(CompanyRole, CompanyRole.account_id == Account.id)
            .where(
                CompanyRole.company_id == company_id,
                CompanyRole.role.in_([Role.PRINCIPAL_ADMINISTRATOR, Role.ALTERNATE_ADMINISTRATOR]),
            )
        )
    )


async def live_delegation(
    session: AsyncSession, company_id: int | None, delegate_id: int
) -> Delegation | None:
    return await session.scalar(
        select(Delegation).where(
            Delegation.company_id == company_id,
            Delegation.delegate_account_id == delegate_id,
            Delegation.revoked_at.is_(None),
        )
    )


def bounded_grants(grants: list[ServiceGrant] | None) -> None:
    """Lists in a delegation input hold at most one entry per service and per right."""
    if grants is None:
        return
    bounded(grants, len(BY_CODE), ["services"])
    for index, grant in enumerate(grants):
        bounded(grant.rights, len(Right), ["services", str(index), "rights"])


async def checked_grants(
    session: AsyncSession,
    company_id: int | None,
    grants: list[ServiceGrant],
    errors: list[DomainError],
) -> dict[str, list[str]]:
    if not grants:
        errors.append(
            DomainError("SERVICE_REQUIRED", "Delegate at least one service.", ["services"])
        )
    held = set(
        await session.scalars(
            select(CompanyService.service_code).where(CompanyService.company_id == company_id)
        )
    )
    checked: dict[str, list[str]] = {}
    for index, grant in enumerate(grants):
        field = ["services", str(index)]
        service = BY_CODE.get(grant.service_code)
        if service is None or service.requires_separate_signup:
            errors.append(
                DomainError(
                    "UNKNOWN_SERVICE",
                    f"There is no service {grant.service_code!r} to delegate.",
                    [*field, "serviceCode"],
                )
            )
            continue
        if grant.service_code in checked:
            errors.append(
                DomainError(
                    "DUPLICATE_SERVICE", "Each service appears once.", [*field, "serviceCode"]
                )
            )
            continue
        if grant.service_code not in held:
            errors.append(
                DomainError(
                    "SERVICE_NOT_HELD",
                    f"The company is not signed up for {service.name}: nobody can delegate it.",
                    [*field, "serviceCode"],
                )
            )
            continue
        if not grant.rights:
            errors.append(
                DomainError("RIGHTS_REQUIRED", "Choose at least one right.", [*field, "rights"])
            )
            continue
        unsupported = [right for right in grant.rights if Right(right) not in service.rights]
        if unsupported:
            errors.append(
                DomainError(
                    "RIGHT_NOT_SUPPORTED",
                    f"{service.name} supports only {', '.join(service.rights)}.",
                    [*field, "rights"],
                )
            )
            continue
        checked[grant.service_code] = sorted(set(grant.rights), key=[r.value for r in Right].index)
    return checked


def checked_dates(
    starts_at: datetime | None, ends_at: datetime | None, now: datetime, errors: list[DomainError]
) -> datetime:
    start = starts_at or now
    if start < now - CLOCK_SKEW:
        errors.append(
            DomainError("START_IN_PAST", "A delegation cannot start in the past.", ["startsAt"])
        )
    start = max(start, now)
    if ends_at is not None and ends_at <= start:
        errors.append(
            DomainError("END_BEFORE_START", "The end must come after the start.", ["endsAt"])
        )
    return start


async def append_change(
    session: AsyncSession, delegation: Delegation, kind: ChangeKind, now: datetime
) -> None:
    if session.bind.dialect.name == "postgresql":
        # Changes commit one at a time, so a reader never sees id n+1 before id n.
        await session.execute(select(func.pg_advisory_xact_lock(CHANGE_FEED_LOCK)))
    session.add(
        DelegationChange(
            delegation_id=delegation.id,
            company_id=delegation.company_id,
            delegate_account_id=delegation.delegate_account_id,
            kind=kind,
            occurred_at=now,
        )
    )


async def _notify(
    session: AsyncSession, delegation: Delegation, kind: ChangeKind, now: datetime
) -> None:
    company = await session.get(Company, delegation.company_id)
    delegate = await session.get(Account, delegation.delegate_account_id)
    recipients = {delegate.email: delegate.first_name}
    for administrator in await administrators(session, delegation.company_id):
        recipients.setdefault(administrator.email, administrator.first_name)
    for email, first_name in recipients.items():
        enqueue_email(
            session,
            now,
            email,
            templates.delegation_email(
                first_name,
                kind.value,
                company_name=company.name,
                delegate_name=f"{delegate.first_name} {delegate.last_name}",
                services=delegation.services,
                starts_at=delegation.starts_at,
                ends_at=delegation.ends_at,
            ),
        )


def already_exists() -> DomainError:
    return DomainError(
        "DELEGATION_ALREADY_EXISTS",
        "This account already holds a delegation on this company: change it with updateDelegation.",
        ["delegateEmail"],
    )


async def grant(  # noqa: PLR0917  (the mutation's input, field by field)
    rt: Runtime,
    caller: Caller,
    company_id: int | None,
    delegate_email: str,
    grants: list[ServiceGrant],
    starts_at: datetime | None,
    ends_at: datetime | None,
) -> Delegation:
    account_id = caller_id(caller)
    bounded_grants(grants)
    now = rt.clock.now()
    try:
        async with write_transaction(rt.sessions) as session:
            await require_manager(session, account_id, company_id)
            errors: list[DomainError] = []
            services = await checked_grants(session, company_id, grants, errors)
            start = checked_dates(starts_at, ends_at, now, errors)
            try:
                delegate = await active_account(session, delegate_email, "delegateEmail")
            except DomainError as error:
                errors.append(error)
                delegate = None
            if delegate is not None:
                errors += await delegate_problems(session, company_id, delegate.id, account_id)
            if errors:
                raise DomainErrors(errors)
            delegation = Delegation(
                company_id=company_id,
                delegate_account_id=delegate.id,
                grantor_account_id=account_id,
                services=services,
                starts_at=start,
                ends_at=ends_at,
                created_at=now,
                updated_at=now,
            )
            await create_delegation(session, caller, delegation, now)
    except IntegrityError:
        raise already_exists() from None
    return delegation


async def create_delegation(
    session: AsyncSession, caller: Caller, delegation: Delegation, now: datetime
) -> None:
    """Store a checked delegation: the delegate gets the DELEGATE role, the feed and mail follow."""
    if delegation.starts_at <= now:
        delegation.start_noted_at = now  # GRANTED already says it starts now
    session.add(delegation)
    role = await role_on(session, delegation.delegate_account_id, delegation.company_id)
    if role is None:
        session.add(
            CompanyRole(
                company_id=delegation.company_id,
                account_id=delegation.delegate_account_id,
                role=Role.DELEGATE,
                since=now,
            )
        )
    elif role.role == Role.NONE:
        role.role, role.since = Role.DELEGATE, now
    await session.flush()
    await _record(session, caller, delegation, ChangeKind.GRANTED, now)


async def delegate_problems(
    session: AsyncSession, company_id: int | None, delegate_id: int, caller_id: int
) -> list[DomainError]:
    if delegate_id == caller_id:
        return [
            DomainError(
                "CANNOT_DELEGATE_TO_SELF", "Nobody delegates to themselves.", ["delegateEmail"]
            )
        ]
    role = await role_on(session, delegate_id, company_id)
    if role is not None and role.role == Role.PRINCIPAL_ADMINISTRATOR:
        return [
            DomainError(
                "CANNOT_DELEGATE_TO_PRINCIPAL",
                "The principal administrator already holds every right.",
                ["delegateEmail"],
            )
        ]
    if await live_delegation(session, company_id, delegate_id):
        return [already_exists()]
    return []


async def _record(
    session: AsyncSession, caller: Caller, delegation: Delegation, kind: ChangeKind, now: datetime
) -> None:
    await append_change(session, delegation, kind, now)
    await _notify(session, delegation, kind, now)
    record_event(
        session,
        EventKind[f"DELEGATION_{kind.value}"],
        caller=caller,
        at=now,
        subject_account_id=delegation.delegate_account_id,
        company_id=delegation.company_id,
        details={"delegationId": delegation.id, "services": delegation.services},
    )


async def _managed_delegation(
    session: AsyncSession, account_id: int, delegation_id: int | None
) -> Delegation:
    delegation = await session.scalar(
        select(Delegation).where(Delegation.id == delegation_id).with_for_update()
    )
    if delegation is None:
        raise ForbiddenError
    await require_manager(session, account_id, delegation.company_id)
    if delegation.delegate_account_id == account_id:
        raise DomainError(
            "CANNOT_EDIT_OWN_DELEGATION",
            "Nobody changes or revokes their own delegation.",
            ["delegationId"],
        )
    if delegation.revoked_at is not None:
        raise DomainError("DELEGATION_REVOKED", "This delegation was revoked.", ["delegationId"])
    return delegation


async def update(
    rt: Runtime,
    caller: Caller,
    delegation_id: int | None,
    grants: list[ServiceGrant] | None,
    ends_at: datetime | None,
) -> Delegation:
    account_id = caller_id(caller)
    bounded_grants(grants)
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        delegation = await _managed_delegation(session, account_id, delegation_id)
        errors: list[DomainError] = []
        services = (
            await checked_grants(session, delegation.company_id, grants, errors)
            if grants is not None
            else delegation.services
        )
        if ends_at is not None and ends_at <= max(now, delegation.starts_at):
            errors.append(
                DomainError(
                    "END_BEFORE_START",
                    "The end must come after the start and after now.",
                    ["endsAt"],
                )
            )
        if errors:
            raise DomainErrors(errors)
        if services == delegation.services and ends_at in (None, delegation.ends_at):
            raise DomainError(
                "DELEGATION_UNCHANGED",
                "This update changes nothing: give other services, rights or end date.",
                None,
            )
        delegation.services = services
        if ends_at is not None:
            delegation.ends_at = ends_at
            delegation.end_noted_at = None  # a new end will have its own EXPIRED change
        delegation.updated_at = now
        await _record(session, caller, delegation, ChangeKind.UPDATED, now)
    return delegation


async def revoke(rt: Runtime, caller: Caller, delegation_id: int | None) -> Delegation:
    account_id = caller_id(caller)
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        delegation = await _managed_delegation(session, account_id, delegation_id)
        delegation.revoked_at = now
        delegation.updated_at = now
        role = await role_on(session, delegation.delegate_account_id, delegation.company_id)
        if role is not None and role.role == Role.DELEGATE:
            role.role = Role.NONE
        await _record(session, caller, delegation, ChangeKind.REVOKED, now)
    return delegation


async def delegations_received(
    session: AsyncSession, account_id: int, first: int, after: int | None
) -> Page[tuple[int, Delegation]]:
    query = select(Delegation.id, Delegation).where(Delegation.delegate_account_id == account_id)
    return await page_of(session, query, Delegation.id, first, after, *WITH_PARTIES)


async def delegations_granted(
    session: AsyncSession, account_id: int, first: int, after: int | None
) -> Page[tuple[int, Delegation]]:
    query = select(Delegation.id, Delegation).where(Delegation.grantor_account_id == account_id)
    return await page_of(session, query, Delegation.id, first, after, *WITH_PARTIES)
