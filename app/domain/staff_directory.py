"""What staff read about a company or an account, within their office.

Never a password hash, a code, a token or a whole IBAN: the files below hold only what a tax
office needs to answer a professional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.companies import find_company
from app.domain.delegations import WITH_PARTIES
from app.domain.errors import DomainError, ForbiddenError
from app.domain.offices import office_of
from app.models import (
    Account,
    Company,
    CompanyRole,
    CompanyService,
    Delegation,
    DelegationRequest,
    DelegationRequestStatus,
    Role,
    ServiceRequest,
    ServiceRequestStatus,
    StaffMember,
)
from app.notifications.addresses import email_key


@dataclass(frozen=True)
class Holder:
    """An account holding a role on a company."""

    account: Account
    role: CompanyRole


@dataclass(frozen=True)
class CompanyFile:
    company: Company
    holders: list[Holder]
    services: list[CompanyService]
    delegations: list[Delegation]
    pending_service_requests: list[tuple[ServiceRequest, Account]]
    pending_delegation_requests: list[DelegationRequest]


@dataclass(frozen=True)
class AccountFile:
    account: Account
    # The account's roles on companies of the staff member's office (all, for national staff).
    roles: list[tuple[Company, CompanyRole]]


def may_act_on(member: StaffMember, company: Company) -> bool:
    return member.national or office_of(company.postal_code) == member.office


async def company_file(
    session: AsyncSession, member: StaffMember, identifier: str, now: datetime
) -> CompanyFile | None:
    """The company's file; None if the directory has no such company (or the identifier is no
    SIREN nor IDSP at all)."""
    try:
        company = await find_company(session, identifier, "identifier")
    except DomainError as error:
        if error.code in {"COMPANY_NOT_FOUND", "INVALID_COMPANY_IDENTIFIER"}:
            return None
        raise
    if not may_act_on(member, company):
        raise ForbiddenError
    holders = [
        Holder(account, role)
        for role, account in await session.execute(
            select(CompanyRole, Account)
            .join(Account, Account.id == CompanyRole.account_id)
            .where(CompanyRole.company_id == company.id, CompanyRole.role != Role.NONE)
            .order_by(CompanyRole.id)
        )
    ]
    services = list(
        await session.scalars(
            select(CompanyService)
            .where(CompanyService.company_id == company.id)
            .order_by(CompanyService.id)
        )
    )
    delegations = list(
        await session.scalars(
            select(Delegation)
            .where(Delegation.company_id == company.id)
            .order_by(Delegation.id)
            .options(*WITH_PARTIES)
        )
    )
    service_requests = [
        (request, requester)
        for request, requester in await session.execute(
            select(ServiceRequest, Account)
            .join(Account, Account.id == ServiceRequest.account_id)
            .where(
                ServiceRequest.company_id == company.id,
                ServiceRequest.status == ServiceRequestStatus.PENDING,
            )
            .order_by(ServiceRequest.id)
        )
        if request.effective_status(now) == ServiceRequestStatus.PENDING
    ]
    delegation_requests = [
        request
        for request in await session.scalars(
            select(DelegationRequest)
            .where(
                DelegationRequest.company_id == company.id,
                DelegationRequest.status == DelegationRequestStatus.PENDING,
            )
            .order_by(DelegationRequest.id)
        )
        if request.effective_status(now) == DelegationRequestStatus.PENDING
    ]
    return CompanyFile(
        company=company,
        holders=holders,
        services=services,
        delegations=delegations,
        pending_service_requests=service_requests,
        pending_delegation_requests=delegation_requests,
    )


async def account_file(
    session: AsyncSession, member: StaffMember, email: str
) -> AccountFile | None:
    """The newest account with this login email, and its roles within the member's reach."""
    account = await session.scalar(
        select(Account)
        .where(Account.email_key == email_key(email))
        .order_by(Account.id.desc())
        .limit(1)
    )
    if account is None:
        return None
    roles = [
        (company, role)
        for role, company in await session.execute(
            select(CompanyRole, Company)
            .join(Company, Company.id == CompanyRole.company_id)
            .where(CompanyRole.account_id == account.id)
            .order_by(CompanyRole.id)
        )
        if may_act_on(member, company)
    ]
    return AccountFile(account, roles)
