"""Finishing a sign-up: the business email confirmed, the account activated, a code re-sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.clock import end_of_day_count
from app.db import write_transaction
from app.domain import business_emails, codes
from app.domain.accounts import (
    CONFIRMATION_LINK_LIFETIME,
    EMAIL_CODE_LIFETIME,
    POSTAL_CODE_DAYS,
    expire,
    has_users,
    send_confirmation_link,
    send_email_code,
)
from app.domain.errors import DomainError
from app.domain.letters import letter_problems
from app.domain.runtime import Caller, Runtime
from app.domain.services import grant_company_services
from app.models import Account, Company, CompanyRole, Role
from app.models.accounts import PENDING_STATUSES, AccountMode, AccountStatus, CodePurpose
from app.notifications import templates
from app.notifications.addresses import email_key
from app.notifications.outbox import enqueue_letter
from app.reference.services import STANDARD_SERVICES
from app.security.throttling import consume_rate_limit


async def confirm_email(rt: Runtime, caller: Caller, token: str) -> Account:
    """Basic mode, step 2: the business email is confirmed; an activation letter is posted."""
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "code", caller.ip, rt.settings.rate_limits.code_entry, now
    )
    failure: DomainError | None = None
    async with write_transaction(rt.sessions) as session:
        code, failure = await codes.check_link_token(
            session, CodePurpose.EMAIL_CONFIRMATION, token, now
        )
        account = await session.get(Account, code.account_id) if code else None
        expired = failure is not None and failure.code == "TOKEN_EXPIRED"
        if expired and account is not None and _past_deadline(account, now):
            expire(session, caller, account, now)
        if failure is None and account is not None:
            company = await session.get(Company, account.signup_company_id)
            if await has_users(session, company.id):
                raise DomainError(
                    "COMPANY_ALREADY_HAS_USERS",
                    "This company now has a user of the online services, so basic mode is no "
                    "longer available for it. Sign up in expert mode and ask its administrator "
                    "for a delegation.",
                    ["token"],
                )
            problems = await letter_problems(
                session, account.id, [(company, ["token"])], now, ["token"]
            )
            if problems:
                raise problems[0]
            await codes.consume(session, code, now, "token")
            account.status = AccountStatus.PENDING_ACTIVATION
            account.business_email_confirmed_at = now
            account.setup_deadline = end_of_day_count(account.created_at, POSTAL_CODE_DAYS)
            await _post_activation_letter(session, account, company, now)
            record_event(
                session,
                EventKind.BUSINESS_EMAIL_CONFIRMED,
                caller=caller,
                at=now,
                subject_account_id=account.id,
                company_id=company.id,
            )
    if failure:
        raise failure
    return account


def _past_deadline(account: Account, now: datetime) -> bool:
    return account.effective_status(now) == AccountStatus.EXPIRED and account.status in (
        PENDING_STATUSES
    )


async def _post_activation_letter(
    session: AsyncSession, account: Account, company: Company, now: datetime
) -> None:
    postal_code, _ = await codes.issue(
        session,
        account.id,
        CodePurpose.POSTAL_ACTIVATION,
        now,
        account.setup_deadline,
        link=False,
    )
    enqueue_letter(
        session,
        now,
        company,
        templates.postal_activation_letter(company.name, postal_code, account.setup_deadline),
        requested_by=account.id,
    )


async def activate_account(rt: Runtime, caller: Caller, email: str, typed_code: str) -> Account:
    """Last step of both modes: the emailed (expert) or posted (basic) code activates it."""
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "code", caller.ip, rt.settings.rate_limits.code_entry, now
    )
    key = email_key(email)
    failure: DomainError | None = None
    try:
        async with write_transaction(rt.sessions) as session:
            account = await session.scalar(
                select(Account).where(Account.email_key == key).order_by(Account.id.desc()).limit(1)
            )
            latest = await codes.latest_code(
                session,
                account.id if account else None,
                (CodePurpose.ACCOUNT_ACTIVATION, CodePurpose.POSTAL_ACTIVATION),
            )
            code, failure = await codes.check_typed_code(
                session,
                latest,
                typed_code,
                now,
                unknown_key=f"activation:{key}",
                client=caller.ip,
            )
            if failure and failure.code == "CODE_EXPIRED" and _past_deadline(account, now):
                expire(session, caller, account, now)
            if failure:
                record_event(
                    session,
                    EventKind.ACTIVATION_CODE_REJECTED,
                    caller=caller,
                    at=now,
                    subject_account_id=account.id if account else None,
                    details={"reason": failure.code},
                )
            else:
                await codes.consume(session, code, now, "code")
                await _activate(session, caller, account, now)
    except IntegrityError as error:
        if "company_id" in str(error.orig) or "uq_company_roles_principal" in str(error.orig):
            raise DomainError(
                "COMPANY_ALREADY_HAS_ADMINISTRATOR",
                "This company already has a principal administrator; ask them for a delegation.",
                ["code"],
            ) from None
        raise
    if failure:
        raise failure
    return account


async def _activate(session: AsyncSession, caller: Caller, account: Account, now: datetime) -> None:
    account.status = AccountStatus.ACTIVE
    account.activated_at = now
    account.setup_deadline = None
    record_event(
        session,
        EventKind.ACCOUNT_ACTIVATED,
        caller=caller,
        at=now,
        subject_account_id=account.id,
        actor_account_id=account.id,
    )
    if account.mode != AccountMode.BASIC:
        return
    company_id = account.signup_company_id
    session.add(
        CompanyRole(
            company_id=company_id,
            account_id=account.id,
            role=Role.PRINCIPAL_ADMINISTRATOR,
            since=now,
        )
    )
    await grant_company_services(
        session, company_id, [service.code for service in STANDARD_SERVICES], now
    )
    # The business email confirmed at sign-up becomes the company's, messaging included.
    await business_emails.set_confirmed(
        session, company_id, account.business_email, account.business_email_confirmed_at
    )
    record_event(
        session,
        EventKind.PRINCIPAL_ADMINISTRATOR_APPOINTED,
        caller=caller,
        at=now,
        subject_account_id=account.id,
        company_id=company_id,
        details={"services": [service.code for service in STANDARD_SERVICES]},
    )
    await session.flush()


async def resend_activation_code(rt: Runtime, caller: Caller, email: str) -> None:
    """Send a pending account a fresh code or link; the previous one stops working.

    The answer never says whether the email is registered. An expert-mode code and a basic-mode
    confirmation link get their full lifetime again; a posted code keeps the 60-day deadline of
    the sign-up, and a new letter is posted only within the letter limits.
    """
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "code-resend", caller.ip, rt.settings.rate_limits.code_resend, now
    )
    async with write_transaction(rt.sessions) as session:
        account = await session.scalar(
            select(Account).where(
                Account.email_key == email_key(email), Account.status.in_(PENDING_STATUSES)
            )
        )
        if account is None or _past_deadline(account, now):
            return
        if account.status == AccountStatus.PENDING_EMAIL_CONFIRMATION:
            await codes.retire(session, account.id, (CodePurpose.EMAIL_CONFIRMATION,), now)
            account.setup_deadline = now + CONFIRMATION_LINK_LIFETIME
            await send_confirmation_link(rt, session, account, now)
        elif account.mode == AccountMode.EXPERT:
            await codes.retire(session, account.id, (CodePurpose.ACCOUNT_ACTIVATION,), now)
            account.setup_deadline = now + EMAIL_CODE_LIFETIME
            await send_email_code(session, account, now)
        else:
            company = await session.get(Company, account.signup_company_id)
            if await letter_problems(session, account.id, [(company, [])], now, []):
                return
            await codes.retire(session, account.id, (CodePurpose.POSTAL_ACTIVATION,), now)
            await _post_activation_letter(session, account, company, now)
        record_event(
            session,
            EventKind.ACTIVATION_CODE_RESENT,
            caller=caller,
            at=now,
            subject_account_id=account.id,
            company_id=account.signup_company_id,
        )
