"""The company's business email: designated by the principal, in force once confirmed (72 h)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.db import write_transaction
from app.domain.delegations import caller_id, role_on
from app.domain.errors import DomainError, ForbiddenError
from app.domain.runtime import Caller, Runtime
from app.domain.validation import clean_email
from app.models import BusinessEmail, BusinessEmailConfirmation, Company, Role
from app.notifications import templates
from app.notifications.addresses import email_key
from app.notifications.outbox import enqueue_email, enqueue_unsolicited_email
from app.security.secrets import digest
from app.security.throttling import consume_rate_limit

CONFIRMATION_LIFETIME = timedelta(hours=72)


@dataclass(frozen=True)
class BusinessEmailState:
    """What `company.businessEmail` shows."""

    address: str | None
    confirmed_at: datetime | None
    pending_address: str | None
    pending_expires_at: datetime | None


async def business_email_of(session: AsyncSession, company_id: int) -> str | None:
    """The confirmed business email in force, where the company's notices go."""
    return await session.scalar(
        select(BusinessEmail.address).where(BusinessEmail.company_id == company_id)
    )


async def set_confirmed(
    session: AsyncSession, company_id: int, address: str, confirmed_at: datetime
) -> None:
    """Put `address` in force for the company (basic-mode activation, a used link)."""
    current = await session.scalar(
        select(BusinessEmail).where(BusinessEmail.company_id == company_id).with_for_update()
    )
    if current is None:
        session.add(
            BusinessEmail(company_id=company_id, address=address, confirmed_at=confirmed_at)
        )
    else:
        current.address, current.confirmed_at = address, confirmed_at


async def designate(rt: Runtime, caller: Caller, company_id: int | None, email: str) -> Company:
    """The principal names a new business email; a link goes to it, the old one stays in force."""
    account_id = caller_id(caller)
    if caller.api_token_id is not None:
        raise ForbiddenError
    now = rt.clock.now()
    token = secrets.token_urlsafe(32)
    async with write_transaction(rt.sessions) as session:
        role = await role_on(session, account_id, company_id)
        if role is None or role.role != Role.PRINCIPAL_ADMINISTRATOR:
            raise ForbiddenError
        address = clean_email(email, "email")
        company = await session.get(Company, company_id)
        current = await business_email_of(session, company.id)
        if current is not None and email_key(current) == email_key(address):
            raise DomainError(
                "BUSINESS_EMAIL_UNCHANGED",
                "This address already is the company's business email.",
                ["email"],
            )
        await session.execute(
            update(BusinessEmailConfirmation)
            .where(
                BusinessEmailConfirmation.company_id == company.id,
                BusinessEmailConfirmation.used_at.is_(None),
                BusinessEmailConfirmation.superseded_at.is_(None),
            )
            .values(superseded_at=now)
        )
        session.add(
            BusinessEmailConfirmation(
                company_id=company.id,
                address=address,
                token_digest=digest(token),
                designated_by_account_id=account_id,
                created_at=now,
                expires_at=now + CONFIRMATION_LIFETIME,
            )
        )
        link = f"{rt.settings.public_url}/confirm-business-email?token={token}"
        # The address may be anyone's: the same hourly cap as any email a stranger could cause.
        queued = await enqueue_unsolicited_email(
            session,
            now,
            address,
            templates.business_email_designation(company.name, link, now + CONFIRMATION_LIFETIME),
        )
        if not queued:
            raise DomainError(
                "TOO_MANY_EMAILS",
                "This address received too many emails from the professional space in the last "
                "hour; try again later.",
                ["email"],
            )
        if current is not None:
            enqueue_email(
                session, now, current, templates.business_email_replacement_notice(company.name)
            )
        record_event(
            session,
            EventKind.BUSINESS_EMAIL_DESIGNATED,
            caller=caller,
            at=now,
            subject_account_id=account_id,
            company_id=company.id,
        )
    return company


async def confirm(rt: Runtime, caller: Caller, token: str) -> Company:
    """Use a designation link: the address becomes the company's business email."""
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "code", caller.ip, rt.settings.rate_limits.code_entry, now
    )
    async with write_transaction(rt.sessions) as session:
        link = await session.scalar(
            select(BusinessEmailConfirmation)
            .where(BusinessEmailConfirmation.token_digest == digest(token.strip()))
            .with_for_update()
        )
        if link is None or link.superseded_at is not None:
            raise DomainError(
                "TOKEN_INVALID",
                "This link is not valid (a newer designation may have replaced it).",
                ["token"],
            )
        if link.used_at is not None:
            raise DomainError("TOKEN_ALREADY_USED", "This link was already used.", ["token"])
        if now >= link.expires_at:
            raise DomainError(
                "TOKEN_EXPIRED",
                "This link expired; the principal administrator can designate the address again.",
                ["token"],
            )
        link.used_at = now
        await set_confirmed(session, link.company_id, link.address, now)
        record_event(
            session,
            EventKind.BUSINESS_EMAIL_CONFIRMED,
            caller=caller,
            at=now,
            subject_account_id=link.designated_by_account_id,
            company_id=link.company_id,
        )
        return await session.get(Company, link.company_id)


async def states(
    session: AsyncSession, company_ids: list[int], now: datetime
) -> dict[int, BusinessEmailState]:
    """The business email of each company, with the designation waiting for its link."""
    confirmed = {
        row.company_id: row
        for row in await session.scalars(
            select(BusinessEmail).where(BusinessEmail.company_id.in_(company_ids))
        )
    }
    pending = {
        row.company_id: row
        for row in await session.scalars(
            select(BusinessEmailConfirmation)
            .where(
                BusinessEmailConfirmation.company_id.in_(company_ids),
                BusinessEmailConfirmation.used_at.is_(None),
                BusinessEmailConfirmation.superseded_at.is_(None),
                BusinessEmailConfirmation.expires_at > now,
            )
            .order_by(BusinessEmailConfirmation.id)
        )
    }
    result = {}
    for company_id in company_ids:
        current, waiting = confirmed.get(company_id), pending.get(company_id)
        result[company_id] = BusinessEmailState(
            address=current.address if current else None,
            confirmed_at=current.confirmed_at if current else None,
            pending_address=waiting.address if waiting else None,
            pending_expires_at=waiting.expires_at if waiting else None,
        )
    return result
