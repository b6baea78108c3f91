"""Companies an account adds (expert mode), removes, and reads page by page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.db import write_transaction
from app.domain.errors import DomainError, NotAuthenticatedError
from app.domain.paging import Page, page_of
from app.domain.runtime import Caller, Runtime
from app.domain.validation import clean_company_identifier
from app.models import Company, CompanyRole, Role, ServiceRequest, ServiceRequestStatus
from app.models.companies import registered_office_lines

# The administration's own site slows down past 100 SIREN/IDSP per account: warn, never refuse.
RECOMMENDED_IDENTIFIER_LIMIT = 100


@dataclass(frozen=True)
class Warning:  # noqa: A001  (the payload's own word)
    code: str
    message: str


def company_not_added(field: list[str]) -> DomainError:
    return DomainError(
        "COMPANY_NOT_ADDED", "Add this company to your account first (addCompany).", field
    )


async def find_company(session: AsyncSession, identifier: str, field: str) -> Company:
    kind, value = clean_company_identifier(identifier, field)
    column = Company.siren if kind == "siren" else Company.idsp
    company = await session.scalar(select(Company).where(column == value))
    if company is None:
        raise DomainError(
            "COMPANY_NOT_FOUND", "No company with this identifier is in the directory.", [field]
        )
    return company


async def add_company(
    rt: Runtime, caller: Caller, identifier: str
) -> tuple[Company, list[Warning]]:
    """Attach a company to the account, with no rights yet. Adding it again changes nothing."""
    if caller.account_id is None:
        raise NotAuthenticatedError
    now = rt.clock.now()
    try:
        async with write_transaction(rt.sessions) as session:
            company = await find_company(session, identifier, "identifier")
            held = await session.scalar(
                select(CompanyRole.id).where(
                    CompanyRole.account_id == caller.account_id,
                    CompanyRole.company_id == company.id,
                )
            )
            if held is None:
                session.add(
                    CompanyRole(
                        company_id=company.id,
                        account_id=caller.account_id,
                        role=Role.NONE,
                        since=now,
                    )
                )
                record_event(
                    session,
                    EventKind.COMPANY_ADDED,
                    caller=caller,
                    at=now,
                    subject_account_id=caller.account_id,
                    company_id=company.id,
                )
            count = await session.scalar(
                select(func.count())
                .select_from(CompanyRole)
                .where(CompanyRole.account_id == caller.account_id)
            )
    except IntegrityError:
        # A concurrent addCompany of the same company won: the result is the same.
        return await add_company(rt, caller, identifier)
    warnings = []
    if count > RECOMMENDED_IDENTIFIER_LIMIT:
        warnings.append(
            Warning(
                "RECOMMENDED_IDENTIFIER_LIMIT_EXCEEDED",
                f"This account holds {count} SIREN/IDSP. The tax administration recommends at most "
                f"{RECOMMENDED_IDENTIFIER_LIMIT}: its own site slows down beyond that.",
            )
        )
    return company, warnings


async def remove_company(rt: Runtime, caller: Caller, company_id: int | None) -> None:
    """Detach a company the account added but holds no role on; its pending requests lapse."""
    if caller.account_id is None:
        raise NotAuthenticatedError
    async with write_transaction(rt.sessions) as session:
        role = await session.scalar(
            select(CompanyRole.role).where(
                CompanyRole.account_id == caller.account_id, CompanyRole.company_id == company_id
            )
        )
        if role is None:
            raise company_not_added(["companyId"])
        if role != Role.NONE:
            raise DomainError(
                "COMPANY_HAS_ROLE",
                "You hold a role on this company; it cannot be removed from your account here.",
                ["companyId"],
            )
        await session.execute(
            delete(CompanyRole).where(
                CompanyRole.account_id == caller.account_id, CompanyRole.company_id == company_id
            )
        )
        now = rt.clock.now()
        record_event(
            session,
            EventKind.COMPANY_REMOVED,
            caller=caller,
            at=now,
            subject_account_id=caller.account_id,
            company_id=company_id,
        )
        await session.execute(
            update(ServiceRequest)
            .where(
                ServiceRequest.account_id == caller.account_id,
                ServiceRequest.company_id == company_id,
                ServiceRequest.status == ServiceRequestStatus.PENDING,
            )
            .values(status=ServiceRequestStatus.CANCELLED, cancelled_at=now)
        )


class ListedCompany(NamedTuple):
    """A company as a page of companies shows it: plain columns, no ORM instance to build."""

    id: int
    siren: str | None
    idsp: str | None
    name: str
    address_complement: str | None
    street_number: str | None
    street_repetition: str | None
    street_type: str | None
    street_name: str | None
    postal_code: str | None
    city: str | None
    review_required_since: datetime | None

    def registered_office_lines(self) -> list[str]:
        return registered_office_lines(self)


LISTED_COLUMNS = [getattr(Company, name) for name in ListedCompany._fields]


async def account_companies(
    session: AsyncSession, account_id: int, first: int, after: int | None
) -> Page[tuple[int, ListedCompany, str]]:
    """One page of the account's companies, in the order they were added."""
    query = (
        select(CompanyRole.id, CompanyRole.role, *LISTED_COLUMNS)
        .join(Company, Company.id == CompanyRole.company_id)
        .where(CompanyRole.account_id == account_id)
    )
    page = await page_of(session, query, CompanyRole.id, first, after)
    rows = [(row[0], ListedCompany._make(row[2:]), row[1]) for row in page.rows]
    return Page(rows, page.total, page.has_next)


async def viewer_company(
    session: AsyncSession, account_id: int, identifier: str
) -> tuple[Company, str] | None:
    """The company with this SIREN/IDSP and the account's role, if it holds one (else None)."""
    try:
        company = await find_company(session, identifier, "identifier")
    except DomainError:
        return None
    role = await session.scalar(
        select(CompanyRole.role).where(
            CompanyRole.account_id == account_id, CompanyRole.company_id == company.id
        )
    )
    return (company, role) if role is not None else None
