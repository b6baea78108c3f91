"""Online services: expert-mode requests and activation, and the authorization decision."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.clock import end_of_day_count
from app.db import SessionFactory, read_session, write_transaction
from app.domain import codes, maintenance
from app.domain.companies import company_not_added, find_company
from app.domain.errors import DomainError, DomainErrors, NotAuthenticatedError
from app.domain.letters import CANCELLED_REQUEST_COOLDOWN, letter_problems
from app.domain.runtime import Caller, Runtime
from app.domain.validation import bounded
from app.models import (
    Capacity,
    Company,
    CompanyRole,
    CompanyService,
    Delegation,
    DelegationStatus,
    OneTimeCode,
    Role,
    ServiceRequest,
    ServiceRequestStatus,
)
from app.models.accounts import CodePurpose
from app.notifications import templates
from app.notifications.outbox import enqueue_letter
from app.reference.services import BY_CODE, Right
from app.security.throttling import consume_rate_limit

POSTAL_CODE_DAYS = 60
MAX_COMPANIES_PER_REQUEST = 100


def already_has_administrator(field: list[str]) -> DomainError:
    return DomainError(
        "COMPANY_ALREADY_HAS_ADMINISTRATOR",
        "This company already has a principal administrator. Ask them for a delegation "
        "instead (requestDelegation).",
        field,
    )


def _checked_services(service_codes: list[str], errors: list[DomainError]) -> list[str]:
    if not service_codes:
        errors.append(
            DomainError("SERVICE_REQUIRED", "Choose at least one service.", ["serviceCodes"])
        )
    for index, code in enumerate(service_codes):
        field = ["serviceCodes", str(index)]
        service = BY_CODE.get(code)
        if service is None:
            errors.append(DomainError("UNKNOWN_SERVICE", f"There is no service {code!r}.", field))
        elif service.requires_separate_signup:
            errors.append(
                DomainError(
                    "SERVICE_REQUIRES_SEPARATE_SIGNUP",
                    f"{service.name} has its own sign-up, decided by the tax department.",
                    field,
                )
            )
    return list(dict.fromkeys(service_codes))


async def _principal_of(session: AsyncSession, company_id: int) -> int | None:
    return await session.scalar(
        select(CompanyRole.account_id).where(
            CompanyRole.company_id == company_id,
            CompanyRole.role == Role.PRINCIPAL_ADMINISTRATOR,
        )
    )


async def request_service_access(
    rt: Runtime,
    caller: Caller,
    company_ids: list[int | None],
    service_codes: list[str],
    capacity: Capacity,
) -> list[ServiceRequest]:
    """One request per company, each with a code posted to the company's registered office."""
    if caller.account_id is None:
        raise NotAuthenticatedError
    now = rt.clock.now()
    # Bounded before anything else, and before any transaction opens.
    bounded(
        company_ids,
        MAX_COMPANIES_PER_REQUEST,
        ["companyIds"],
        code="TOO_MANY_COMPANIES",
    )
    bounded(service_codes, len(BY_CODE), ["serviceCodes"])
    errors: list[DomainError] = []
    service_codes = _checked_services(service_codes, errors)
    if not company_ids:
        errors.append(
            DomainError("COMPANY_REQUIRED", "Choose at least one company.", ["companyIds"])
        )
    if errors:
        raise DomainErrors(errors)
    expires_at = end_of_day_count(now, POSTAL_CODE_DAYS)
    requests: list[ServiceRequest] = []
    try:
        async with write_transaction(rt.sessions) as session:
            companies = await _requestable_companies(
                session, caller.account_id, company_ids, now, errors
            )
            errors += await letter_problems(
                session, caller.account_id, companies, now, ["companyIds"]
            )
            if errors:
                raise DomainErrors(errors)
            names = [BY_CODE[service].name for service in service_codes]
            for company, _ in companies:
                code, code_row = await codes.issue(
                    session,
                    caller.account_id,
                    CodePurpose.SERVICE_ACTIVATION,
                    now,
                    expires_at,
                    link=False,
                )
                request = ServiceRequest(
                    account_id=caller.account_id,
                    company_id=company.id,
                    capacity=capacity,
                    service_codes=service_codes,
                    status=ServiceRequestStatus.PENDING,
                    code_id=code_row.id,
                    created_at=now,
                    expires_at=expires_at,
                )
                session.add(request)
                enqueue_letter(
                    session,
                    now,
                    company,
                    templates.service_activation_letter(company.name, names, code, expires_at),
                    requested_by=caller.account_id,
                )
                record_event(
                    session,
                    EventKind.SERVICE_ACCESS_REQUESTED,
                    caller=caller,
                    at=now,
                    subject_account_id=caller.account_id,
                    company_id=company.id,
                    details={"services": service_codes, "capacity": capacity.value},
                )
                requests.append(request)
            await session.flush()
    except IntegrityError:
        # A concurrent request for the same company committed first.
        raise DomainError(
            "SERVICE_REQUEST_ALREADY_PENDING",
            "A request for this company is already waiting for its activation code.",
            ["companyIds"],
        ) from None
    return requests


async def _requestable_companies(
    session: AsyncSession,
    account_id: int,
    company_ids: list[int | None],
    now: datetime,
    errors: list[DomainError],
) -> list[tuple[Company, list[str]]]:
    """The companies a request may go to, each with its input field; one query per kind of row.

    The ids keep their first place in the input, so the field named in an error is the one the
    client sent.
    """
    wanted = {company_id: index for index, company_id in reversed(list(enumerate(company_ids)))}
    ids = [company_id for company_id in wanted if company_id is not None]
    roles = dict(
        (
            await session.execute(
                select(CompanyRole.company_id, CompanyRole.role).where(
                    CompanyRole.account_id == account_id, CompanyRole.company_id.in_(ids)
                )
            )
        ).all()
    )
    principals = dict(
        (
            await session.execute(
                select(CompanyRole.company_id, CompanyRole.account_id).where(
                    CompanyRole.company_id.in_(ids),
                    CompanyRole.role == Role.PRINCIPAL_ADMINISTRATOR,
                )
            )
        ).all()
    )
    earlier = {
        request.company_id: request
        for request in await session.scalars(
            select(ServiceRequest)
            .where(
                ServiceRequest.account_id == account_id,
                ServiceRequest.company_id.in_(ids),
                (ServiceRequest.status == ServiceRequestStatus.PENDING)
                | (ServiceRequest.cancelled_at > now - CANCELLED_REQUEST_COOLDOWN),
            )
            .order_by(ServiceRequest.id)
        )
    }
    companies = {
        company.id: company
        for company in await session.scalars(select(Company).where(Company.id.in_(ids)))
    }
    requestable = []
    for company_id, index in sorted(wanted.items(), key=lambda item: item[1]):
        field = ["companyIds", str(index)]
        if company_id not in roles:
            errors.append(company_not_added(field))
            continue
        principal = principals.get(company_id)
        if principal is not None and principal != account_id:
            errors.append(already_has_administrator(field))
            continue
        problem = _earlier_request_problem(earlier.get(company_id), now, field)
        if problem:
            errors.append(problem)
            continue
        requestable.append((companies[company_id], field))
    return requestable


def _earlier_request_problem(
    request: ServiceRequest | None, now: datetime, field: list[str]
) -> DomainError | None:
    if request is None:
        return None
    if request.status == ServiceRequestStatus.CANCELLED:
        return DomainError(
            "SERVICE_REQUEST_COOLDOWN",
            f"A request for this company was cancelled less than "
            f"{CANCELLED_REQUEST_COOLDOWN.days} days ago; ask again after that.",
            field,
        )
    if request.effective_status(now) == ServiceRequestStatus.EXPIRED:
        request.status = ServiceRequestStatus.EXPIRED
        return None
    return DomainError(
        "SERVICE_REQUEST_ALREADY_PENDING",
        "A request for this company is already waiting for its activation code.",
        field,
    )


async def activate_service_access(
    rt: Runtime, caller: Caller, request_id: int | None, typed_code: str
) -> Company:
    """The posted code makes the account principal administrator for the requested services."""
    if caller.account_id is None:
        raise NotAuthenticatedError
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "code", caller.ip, rt.settings.rate_limits.code_entry, now
    )
    failure: DomainError | None = None
    try:
        async with write_transaction(rt.sessions) as session:
            request = await session.scalar(
                select(ServiceRequest).where(
                    ServiceRequest.id == request_id, ServiceRequest.account_id == caller.account_id
                )
            )
            if request is None or request.status == ServiceRequestStatus.CANCELLED:
                raise DomainError(
                    "SERVICE_REQUEST_NOT_FOUND",
                    "No such service request on your account.",
                    ["requestId"],
                )
            code = await session.get(OneTimeCode, request.code_id, with_for_update=True)
            code, failure = await codes.check_typed_code(
                session,
                code,
                typed_code,
                now,
                unknown_key=f"service:{request.id}",
                client=caller.ip,
            )
            if failure and failure.code == "CODE_EXPIRED":
                request.status = ServiceRequestStatus.EXPIRED
            if failure is None:
                await codes.consume(session, code, now, "code")
                company = await _appoint_principal(session, caller, request, now)
    except IntegrityError:
        raise already_has_administrator(["requestId"]) from None
    if failure:
        raise failure
    return company


async def _appoint_principal(
    session: AsyncSession, caller: Caller, request: ServiceRequest, now: datetime
) -> Company:
    principal = await _principal_of(session, request.company_id)
    if principal is not None and principal != caller.account_id:
        raise already_has_administrator(["requestId"])
    role = await session.scalar(
        select(CompanyRole).where(
            CompanyRole.account_id == caller.account_id,
            CompanyRole.company_id == request.company_id,
        )
    )
    if role is None:
        role = CompanyRole(company_id=request.company_id, account_id=caller.account_id, since=now)
        session.add(role)
    if role.role != Role.PRINCIPAL_ADMINISTRATOR:
        role.role = Role.PRINCIPAL_ADMINISTRATOR
        role.since = now
    await grant_company_services(session, request.company_id, request.service_codes, now)
    request.status = ServiceRequestStatus.ACTIVATED
    request.activated_at = now
    record_event(
        session,
        EventKind.PRINCIPAL_ADMINISTRATOR_APPOINTED,
        caller=caller,
        at=now,
        subject_account_id=caller.account_id,
        company_id=request.company_id,
        details={"services": request.service_codes, "capacity": request.capacity},
    )
    await session.flush()
    return await session.get(Company, request.company_id)


async def grant_company_services(
    session: AsyncSession, company_id: int, service_codes: list[str], now: datetime
) -> None:
    """Sign the company up for these services, keeping the date of those it already had."""
    held = set(
        await session.scalars(
            select(CompanyService.service_code).where(CompanyService.company_id == company_id)
        )
    )
    session.add_all(
        CompanyService(company_id=company_id, service_code=code, since=now)
        for code in service_codes
        if code not in held
    )


class Decision(enum.StrEnum):
    PRINCIPAL_ADMINISTRATOR = "PRINCIPAL_ADMINISTRATOR"
    ALTERNATE_ADMINISTRATOR = "ALTERNATE_ADMINISTRATOR"
    DELEGATION = "DELEGATION"
    ALTERNATE_SUSPENDED = "ALTERNATE_SUSPENDED"
    DELEGATION_NOT_ACTIVE = "DELEGATION_NOT_ACTIVE"
    RIGHT_NOT_DELEGATED = "RIGHT_NOT_DELEGATED"
    UNDER_MAINTENANCE = "UNDER_MAINTENANCE"
    INVALID_COMPANY_IDENTIFIER = "INVALID_COMPANY_IDENTIFIER"
    NO_ROLE_ON_COMPANY = "NO_ROLE_ON_COMPANY"
    UNKNOWN_SERVICE = "UNKNOWN_SERVICE"
    RIGHT_NOT_SUPPORTED = "RIGHT_NOT_SUPPORTED"
    SERVICE_NOT_HELD = "SERVICE_NOT_HELD"


@dataclass(frozen=True)
class Authorization:
    allowed: bool
    reason: Decision


@dataclass(frozen=True)
class Question:
    """What a downstream service asks: may `account_id` exercise `right` on `service_code`?"""

    account_id: int
    company_identifier: str
    service_code: str
    right: Right
    now: datetime


ALLOWING = {Decision.PRINCIPAL_ADMINISTRATOR, Decision.ALTERNATE_ADMINISTRATOR, Decision.DELEGATION}


async def authorize(sessions: SessionFactory, question: Question) -> Authorization:
    service = BY_CODE.get(question.service_code)
    if service is None:
        return Authorization(allowed=False, reason=Decision.UNKNOWN_SERVICE)
    if question.right not in service.rights:
        return Authorization(allowed=False, reason=Decision.RIGHT_NOT_SUPPORTED)
    notices = await maintenance.current_and_coming(sessions, question.now)
    if maintenance.closes_service(notices, service.code, question.now):
        return Authorization(allowed=False, reason=Decision.UNDER_MAINTENANCE)
    async with read_session(sessions) as session:
        reason = await _decide_on_company(session, question)
    return Authorization(allowed=reason in ALLOWING, reason=reason)


async def _decide_on_company(session: AsyncSession, question: Question) -> Decision:
    try:
        company = await find_company(session, question.company_identifier, "companyIdentifier")
    except DomainError as error:
        if error.code == "INVALID_COMPANY_IDENTIFIER":
            return Decision.INVALID_COMPANY_IDENTIFIER
        # An unknown company and a company without a role on it answer alike.
        return Decision.NO_ROLE_ON_COMPANY
    role = await session.scalar(
        select(CompanyRole).where(
            CompanyRole.account_id == question.account_id, CompanyRole.company_id == company.id
        )
    )
    if role is None or role.role == Role.NONE:
        return Decision.NO_ROLE_ON_COMPANY
    held = await session.scalar(
        select(CompanyService.id).where(
            CompanyService.company_id == company.id,
            CompanyService.service_code == question.service_code,
        )
    )
    if held is None:
        return Decision.SERVICE_NOT_HELD
    return _decide_by_role(role) or await _decide_by_delegation(session, question, role)


def _decide_by_role(role: CompanyRole) -> Decision | None:
    """Administrators hold every right of the services the company holds."""
    if role.role == Role.PRINCIPAL_ADMINISTRATOR:
        return Decision.PRINCIPAL_ADMINISTRATOR
    if role.role == Role.ALTERNATE_ADMINISTRATOR and role.suspended_at is None:
        return Decision.ALTERNATE_ADMINISTRATOR
    return None


async def _decide_by_delegation(
    session: AsyncSession, question: Question, role: CompanyRole
) -> Decision:
    delegation = await session.scalar(
        select(Delegation).where(
            Delegation.company_id == role.company_id,
            Delegation.delegate_account_id == question.account_id,
            Delegation.revoked_at.is_(None),
        )
    )
    if delegation is None:
        suspended = role.role == Role.ALTERNATE_ADMINISTRATOR
        return Decision.ALTERNATE_SUSPENDED if suspended else Decision.NO_ROLE_ON_COMPANY
    if delegation.status(question.now) != DelegationStatus.ACTIVE:
        return Decision.DELEGATION_NOT_ACTIVE
    if question.right.value not in delegation.rights_on(question.service_code, question.now):
        return Decision.RIGHT_NOT_DELEGATED
    return Decision.DELEGATION
