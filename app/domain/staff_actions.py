"""What staff do to a company: replace its principal administrator, withdraw an account's access.

Staff never touch delegations (nor, later, bank accounts): those are the principal's sole
responsibility. Every action states a reason and lands in the history with the staff member as
its actor.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.db import write_transaction
from app.domain.business_emails import business_email_of
from app.domain.companies import find_company
from app.domain.delegations import active_account, role_on
from app.domain.errors import DomainError, DomainErrors, ForbiddenError
from app.domain.runtime import Caller, Runtime
from app.domain.staff_directory import may_act_on
from app.models import Account, Company, CompanyRole, Role, StaffMember
from app.notifications import templates
from app.notifications.outbox import enqueue_email

REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 1_000


def checked_reason(reason: str, errors: list[DomainError]) -> str:
    reason = reason.strip()
    if not REASON_MIN_LENGTH <= len(reason) <= REASON_MAX_LENGTH:
        errors.append(
            DomainError(
                "REASON_REQUIRED",
                f"State the reason for this action in {REASON_MIN_LENGTH} to "
                f"{REASON_MAX_LENGTH} characters.",
                ["reason"],
            )
        )
    return reason


async def _company_in_reach(session: AsyncSession, member: StaffMember, identifier: str) -> Company:
    company = await find_company(session, identifier, "companyIdentifier")
    if not may_act_on(member, company):
        raise ForbiddenError
    return company


async def _principal_role(session: AsyncSession, company_id: int) -> CompanyRole | None:
    return await session.scalar(
        select(CompanyRole)
        .where(
            CompanyRole.company_id == company_id,
            CompanyRole.role == Role.PRINCIPAL_ADMINISTRATOR,
        )
        .with_for_update()
    )


async def replace_principal(
    rt: Runtime,
    caller: Caller,
    member: StaffMember,
    *,
    company_identifier: str,
    new_principal_email: str,
    reason: str,
) -> Company:
    """The account becomes principal administrator for every service the company holds; the
    previous one loses the role; delegations stay exactly as they are; the company is flagged
    for review until the new principal acknowledges it."""
    now = rt.clock.now()
    errors: list[DomainError] = []
    reason = checked_reason(reason, errors)
    async with write_transaction(rt.sessions) as session:
        company = await _company_in_reach(session, member, company_identifier)
        try:
            successor = await active_account(session, new_principal_email, "newPrincipalEmail")
        except DomainError as error:
            errors.append(error)
            successor = None
        previous = await _principal_role(session, company.id)
        if successor is not None and previous is not None and previous.account_id == successor.id:
            errors.append(
                DomainError(
                    "ALREADY_PRINCIPAL_ADMINISTRATOR",
                    "This account already is the company's principal administrator.",
                    ["newPrincipalEmail"],
                )
            )
        if errors:
            raise DomainErrors(errors)
        predecessor = None
        if previous is not None:
            previous.role = Role.NONE
            previous.since = now
            predecessor = await session.get(Account, previous.account_id)
            # The partial unique index allows one principal: the old one goes first.
            await session.flush()
        role = await role_on(session, successor.id, company.id)
        if role is None:
            role = CompanyRole(company_id=company.id, account_id=successor.id, since=now)
            session.add(role)
        role.role = Role.PRINCIPAL_ADMINISTRATOR
        role.since = now
        role.suspended_at = None
        company.review_required_since = now
        enqueue_email(
            session,
            now,
            successor.email,
            templates.principal_appointed_by_staff_email(successor.first_name, company.name),
        )
        if predecessor is not None:
            enqueue_email(
                session,
                now,
                predecessor.email,
                templates.principal_replaced_email(predecessor.first_name, company.name),
            )
        business_email = await business_email_of(session, company.id)
        if business_email is not None:
            enqueue_email(
                session, now, business_email, templates.company_principal_replaced(company.name)
            )
        record_event(
            session,
            EventKind.PRINCIPAL_ADMINISTRATOR_REPLACED,
            caller=caller,
            at=now,
            subject_account_id=successor.id,
            company_id=company.id,
            details={
                "reason": reason,
                "previousPrincipalAccountId": predecessor.id if predecessor else None,
            },
        )
    return company


async def withdraw_access(
    rt: Runtime,
    caller: Caller,
    member: StaffMember,
    *,
    company_identifier: str,
    account_email: str,
    reason: str,
) -> Company:
    """The account loses its principal or alternate role on the company; its delegations stay."""
    now = rt.clock.now()
    errors: list[DomainError] = []
    reason = checked_reason(reason, errors)
    async with write_transaction(rt.sessions) as session:
        company = await _company_in_reach(session, member, company_identifier)
        try:
            account = await active_account(session, account_email, "accountEmail")
        except DomainError as error:
            errors.append(error)
            account = None
        role = await role_on(session, account.id, company.id) if account else None
        administrator = role is not None and role.role in (
            Role.PRINCIPAL_ADMINISTRATOR,
            Role.ALTERNATE_ADMINISTRATOR,
        )
        if account is not None and not administrator:
            errors.append(
                DomainError(
                    "ACCOUNT_HAS_NO_ROLE",
                    "This account is neither principal nor alternate administrator of the "
                    "company. Staff do not remove delegations.",
                    ["accountEmail"],
                )
            )
        if errors:
            raise DomainErrors(errors)
        withdrawn = role.role
        role.role = Role.NONE
        role.since = now
        role.suspended_at = None
        enqueue_email(
            session,
            now,
            account.email,
            templates.access_withdrawn_email(account.first_name, company.name),
        )
        record_event(
            session,
            EventKind.ACCESS_WITHDRAWN,
            caller=caller,
            at=now,
            subject_account_id=account.id,
            company_id=company.id,
            details={"reason": reason, "role": withdrawn},
        )
    return company


async def acknowledge_review(rt: Runtime, caller: Caller, company_id: int | None) -> Company:
    """The new principal says they checked the delegations and bank accounts."""
    if caller.account_id is None:
        raise ForbiddenError
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        role = await role_on(session, caller.account_id, company_id)
        if role is None or role.role != Role.PRINCIPAL_ADMINISTRATOR:
            raise ForbiddenError
        company = await session.get(Company, company_id)
        if company.review_required_since is not None:
            company.review_required_since = None
            record_event(
                session,
                EventKind.COMPANY_REVIEW_ACKNOWLEDGED,
                caller=caller,
                at=now,
                subject_account_id=caller.account_id,
                company_id=company.id,
            )
    return company
