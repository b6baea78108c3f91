"""The separate-sign-up services: asked for by a principal administrator, decided by staff."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.db import write_transaction
from app.domain.delegations import role_on
from app.domain.errors import DomainError, DomainErrors, ForbiddenError
from app.domain.offices import postal_code_prefixes
from app.domain.paging import Page, page_of
from app.domain.runtime import Caller, Runtime
from app.domain.services import grant_company_services
from app.domain.staff_actions import checked_reason
from app.domain.staff_directory import may_act_on
from app.domain.validation import has_control_characters
from app.models import (
    Account,
    Company,
    CompanyService,
    Role,
    SpecialServiceRequest,
    SpecialServiceRequestStatus,
    StaffMember,
)
from app.notifications import templates
from app.notifications.outbox import enqueue_email
from app.reference.services import BY_CODE

JUSTIFICATION_MIN_LENGTH = 10
JUSTIFICATION_MAX_LENGTH = 2_000


async def request(
    rt: Runtime, caller: Caller, company_id: int | None, service_code: str, justification: str
) -> SpecialServiceRequest:
    """The principal administrator asks for a separate-sign-up service for the company."""
    if caller.account_id is None:
        raise ForbiddenError
    now = rt.clock.now()
    errors: list[DomainError] = []
    service = BY_CODE.get(service_code)
    if service is None or not service.requires_separate_signup:
        errors.append(
            DomainError(
                "SERVICE_NOT_SPECIAL",
                "Only REMBOURSEMENT_TVA_UE, DECLARER_DAC6, GUICHET_TVA_UE and "
                "ECONOMIE_COLLABORATIVE are asked for this way; request the others with "
                "requestServiceAccess.",
                ["serviceCode"],
            )
        )
    justification = justification.strip()
    if not (
        JUSTIFICATION_MIN_LENGTH <= len(justification) <= JUSTIFICATION_MAX_LENGTH
    ) or has_control_characters(justification, "\n\t"):
        errors.append(
            DomainError(
                "JUSTIFICATION_REQUIRED",
                f"Explain the need in {JUSTIFICATION_MIN_LENGTH} to {JUSTIFICATION_MAX_LENGTH} "
                "characters.",
                ["justification"],
            )
        )
    try:
        async with write_transaction(rt.sessions) as session:
            role = await role_on(session, caller.account_id, company_id)
            if role is None or role.role != Role.PRINCIPAL_ADMINISTRATOR:
                raise ForbiddenError
            held = await session.scalar(
                select(CompanyService.id).where(
                    CompanyService.company_id == company_id,
                    CompanyService.service_code == service_code,
                )
            )
            if held is not None and service is not None and service.requires_separate_signup:
                errors.append(
                    DomainError(
                        "SERVICE_ALREADY_HELD",
                        "The company already holds this service.",
                        ["serviceCode"],
                    )
                )
            if errors:
                raise DomainErrors(errors)
            created = SpecialServiceRequest(
                company_id=company_id,
                requester_account_id=caller.account_id,
                service_code=service_code,
                justification=justification,
                status=SpecialServiceRequestStatus.PENDING,
                created_at=now,
            )
            session.add(created)
            await session.flush()
            record_event(
                session,
                EventKind.SPECIAL_SERVICE_REQUESTED,
                caller=caller,
                at=now,
                subject_account_id=caller.account_id,
                company_id=company_id,
                details={"requestId": created.id, "service": service_code},
            )
    except IntegrityError:
        raise DomainError(
            "SPECIAL_SERVICE_REQUEST_ALREADY_PENDING",
            "A request for this service awaits the tax department's decision.",
            ["serviceCode"],
        ) from None
    return created


async def requests_for_office(
    session: AsyncSession,
    member: StaffMember,
    status: SpecialServiceRequestStatus | None,
    first: int,
    after: int | None,
) -> Page[tuple[int, SpecialServiceRequest, Company, Account]]:
    """One page of the requests on companies of the member's office (all, for national staff)."""
    query = (
        select(SpecialServiceRequest.id, SpecialServiceRequest, Company, Account)
        .join(Company, Company.id == SpecialServiceRequest.company_id)
        .join(Account, Account.id == SpecialServiceRequest.requester_account_id)
    )
    if status is not None:
        query = query.where(SpecialServiceRequest.status == status)
    if not member.national:
        query = query.where(
            or_(
                *(
                    Company.postal_code.startswith(prefix, autoescape=True)
                    for prefix in postal_code_prefixes(member.office)
                )
            )
        )
    return await page_of(session, query, SpecialServiceRequest.id, first, after)


async def decide(
    rt: Runtime,
    caller: Caller,
    member: StaffMember,
    request_id: int | None,
    *,
    approve: bool,
    reason: str,
) -> SpecialServiceRequest:
    """Approval gives the company the service (and so its principal the rights); the requester
    is emailed either way."""
    now = rt.clock.now()
    errors: list[DomainError] = []
    reason = checked_reason(reason, errors)
    async with write_transaction(rt.sessions) as session:
        found = (
            await session.get(SpecialServiceRequest, request_id, with_for_update=True)
            if request_id
            else None
        )
        company = await session.get(Company, found.company_id) if found else None
        if found is None:
            errors.append(
                DomainError("SPECIAL_SERVICE_REQUEST_NOT_FOUND", "No such request.", ["requestId"])
            )
        elif not may_act_on(member, company):
            raise ForbiddenError
        elif found.status != SpecialServiceRequestStatus.PENDING:
            errors.append(
                DomainError(
                    "SPECIAL_SERVICE_REQUEST_ALREADY_DECIDED",
                    "This request was already decided.",
                    ["requestId"],
                )
            )
        if errors:
            raise DomainErrors(errors)
        found.status = (
            SpecialServiceRequestStatus.APPROVED if approve else SpecialServiceRequestStatus.REFUSED
        )
        found.decided_at = now
        found.decided_by_staff_id = member.id
        found.decision_reason = reason
        if approve:
            await grant_company_services(session, company.id, [found.service_code], now)
        requester = await session.get(Account, found.requester_account_id)
        enqueue_email(
            session,
            now,
            requester.email,
            templates.special_service_decided_email(
                requester.first_name,
                company.name,
                BY_CODE[found.service_code].name,
                approved=approve,
            ),
        )
        record_event(
            session,
            EventKind.SPECIAL_SERVICE_DECIDED,
            caller=caller,
            at=now,
            subject_account_id=requester.id,
            company_id=company.id,
            details={"requestId": found.id, "approved": approve, "reason": reason},
        )
    return found
