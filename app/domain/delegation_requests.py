"""Delegation requests: an account asks, the company's administrators accept or decline."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.db import write_transaction
from app.domain.companies import find_company
from app.domain.delegations import (
    ServiceGrant,
    administrators,
    already_exists,
    bounded_grants,
    checked_dates,
    checked_grants,
    create_delegation,
    delegate_problems,
    require_manager,
)
from app.domain.errors import DomainError, DomainErrors, ForbiddenError, NotAuthenticatedError
from app.domain.runtime import Caller, Runtime
from app.domain.validation import has_control_characters
from app.models import Account, Company, Delegation, DelegationRequest, DelegationRequestStatus
from app.notifications import templates
from app.notifications.outbox import enqueue_email

REQUEST_LIFETIME = timedelta(days=30)
MESSAGE_MAX_LENGTH = 1000


def _pending_exists() -> DomainError:
    return DomainError(
        "DELEGATION_REQUEST_ALREADY_PENDING",
        "You already asked this company for a delegation; wait for its administrators' answer.",
        ["companyIdentifier"],
    )


async def request(
    rt: Runtime, caller: Caller, company_identifier: str, grants: list[ServiceGrant], message: str
) -> DelegationRequest:
    if caller.account_id is None:
        raise NotAuthenticatedError
    bounded_grants(grants)
    now = rt.clock.now()
    try:
        async with write_transaction(rt.sessions) as session:
            company = await find_company(session, company_identifier, "companyIdentifier")
            errors: list[DomainError] = []
            services = await checked_grants(session, company.id, grants, errors)
            if len(message) > MESSAGE_MAX_LENGTH:
                errors.append(
                    DomainError(
                        "MESSAGE_TOO_LONG",
                        f"The message has at most {MESSAGE_MAX_LENGTH} characters.",
                        ["message"],
                    )
                )
            elif has_control_characters(message, allowed="\n\t"):
                errors.append(
                    DomainError(
                        "INVALID_MESSAGE",
                        "The message may hold line breaks and tabs, but no other control "
                        "characters.",
                        ["message"],
                    )
                )
            problems = await delegate_problems(session, company.id, caller.account_id, 0)
            errors += [DomainError(p.code, p.message, ["companyIdentifier"]) for p in problems]
            managers = await administrators(session, company.id)
            if not managers:
                errors.append(
                    DomainError(
                        "COMPANY_HAS_NO_ADMINISTRATOR",
                        "This company has no administrator yet to answer a delegation request.",
                        ["companyIdentifier"],
                    )
                )
            await _expire_pending(session, company.id, caller.account_id, now)
            if errors:
                raise DomainErrors(errors)
            delegation_request = DelegationRequest(
                company_id=company.id,
                requester_account_id=caller.account_id,
                services=services,
                message=message.strip(),
                status=DelegationRequestStatus.PENDING,
                created_at=now,
                expires_at=now + REQUEST_LIFETIME,
            )
            session.add(delegation_request)
            await session.flush()
            for administrator in managers:
                enqueue_email(
                    session,
                    now,
                    administrator.email,
                    templates.delegation_requested_email(administrator.first_name, company.name),
                )
            record_event(
                session,
                EventKind.DELEGATION_REQUESTED,
                caller=caller,
                at=now,
                subject_account_id=caller.account_id,
                company_id=company.id,
                details={"services": services},
            )
    except IntegrityError:
        raise _pending_exists() from None
    return delegation_request


async def _expire_pending(
    session: AsyncSession, company_id: int, requester_id: int, now: datetime
) -> None:
    """A pending request past its 30 days is expired, which frees the place for a new one."""
    pending = await session.scalar(
        select(DelegationRequest).where(
            DelegationRequest.company_id == company_id,
            DelegationRequest.requester_account_id == requester_id,
            DelegationRequest.status == DelegationRequestStatus.PENDING,
        )
    )
    if pending is None:
        return
    if pending.effective_status(now) == DelegationRequestStatus.EXPIRED:
        pending.status = DelegationRequestStatus.EXPIRED
        await session.flush()
    else:
        raise _pending_exists()


async def _decidable(
    session: AsyncSession, account_id: int, request_id: int | None, now: datetime
) -> DelegationRequest:
    delegation_request = await session.scalar(
        select(DelegationRequest).where(DelegationRequest.id == request_id).with_for_update()
    )
    if delegation_request is None:
        raise ForbiddenError
    await require_manager(session, account_id, delegation_request.company_id)
    status = delegation_request.effective_status(now)
    if status != DelegationRequestStatus.PENDING:
        raise DomainError(
            "DELEGATION_REQUEST_NOT_PENDING",
            f"This request is {status.value.lower()}: it can no longer be answered.",
            ["requestId"],
        )
    return delegation_request


async def accept(
    rt: Runtime,
    caller: Caller,
    request_id: int | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
) -> Delegation:
    """Grant what was asked: the request becomes a delegation (same checks as a grant)."""
    if caller.account_id is None:
        raise NotAuthenticatedError
    now = rt.clock.now()
    try:
        async with write_transaction(rt.sessions) as session:
            delegation_request = await _decidable(session, caller.account_id, request_id, now)
            errors: list[DomainError] = []
            grants = [
                ServiceGrant(code, rights) for code, rights in delegation_request.services.items()
            ]
            services = await checked_grants(session, delegation_request.company_id, grants, errors)
            start = checked_dates(starts_at, ends_at, now, errors)
            problems = await delegate_problems(
                session,
                delegation_request.company_id,
                delegation_request.requester_account_id,
                caller.account_id,
            )
            errors += [DomainError(p.code, p.message, ["requestId"]) for p in problems]
            if errors:
                raise DomainErrors(errors)
            delegation = Delegation(
                company_id=delegation_request.company_id,
                delegate_account_id=delegation_request.requester_account_id,
                grantor_account_id=caller.account_id,
                services=services,
                starts_at=start,
                ends_at=ends_at,
                created_at=now,
                updated_at=now,
            )
            await create_delegation(session, caller, delegation, now)
            delegation_request.status = DelegationRequestStatus.ACCEPTED
            delegation_request.decided_at = now
            delegation_request.decided_by_account_id = caller.account_id
            delegation_request.delegation_id = delegation.id
    except IntegrityError:
        raise already_exists() from None
    return delegation


async def decline(rt: Runtime, caller: Caller, request_id: int | None) -> DelegationRequest:
    if caller.account_id is None:
        raise NotAuthenticatedError
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        delegation_request = await _decidable(session, caller.account_id, request_id, now)
        delegation_request.status = DelegationRequestStatus.DECLINED
        delegation_request.decided_at = now
        delegation_request.decided_by_account_id = caller.account_id
        company = await session.get(Company, delegation_request.company_id)
        requester = await session.get(Account, delegation_request.requester_account_id)
        enqueue_email(
            session,
            now,
            requester.email,
            templates.delegation_request_declined_email(requester.first_name, company.name),
        )
        record_event(
            session,
            EventKind.DELEGATION_REQUEST_DECLINED,
            caller=caller,
            at=now,
            subject_account_id=delegation_request.requester_account_id,
            company_id=company.id,
        )
    return delegation_request
