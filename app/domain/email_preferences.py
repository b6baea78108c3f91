"""Optional emails: the account's opt-in, staff's general-information emails, unsubscribing.

Account-management emails (codes, links, notices of changes, replies of the tax office) are
always sent; general-information emails go only to accounts that opted in, each with a link
that unsubscribes without logging in and the RFC 8058 one-click headers.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from app.audit.events import EventKind, record_event
from app.db import write_transaction
from app.domain.delegations import caller_id
from app.domain.errors import DomainError, DomainErrors, ForbiddenError
from app.domain.runtime import Caller, Runtime
from app.domain.staff_actions import checked_reason
from app.domain.validation import checked_text, collected
from app.models import Account, AccountStatus, StaffMember, UnsubscribeLink
from app.notifications import templates
from app.notifications.outbox import enqueue_email
from app.security.secrets import digest
from app.security.throttling import consume_rate_limit

SUBJECT_MAX_LENGTH = 150
BODY_MAX_LENGTH = 20_000


async def update_preferences(rt: Runtime, caller: Caller, general_information: bool) -> Account:
    account_id = caller_id(caller)
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        account = await session.get(Account, account_id)
        if account.general_information_emails != general_information:
            account.general_information_emails = general_information
            record_event(
                session,
                EventKind.EMAIL_PREFERENCES_CHANGED,
                caller=caller,
                at=now,
                subject_account_id=account_id,
                details={"generalInformation": general_information},
            )
    return account


async def unsubscribe(rt: Runtime, caller: Caller, token: str) -> None:
    """The link of an information email: no log-in; using it twice changes nothing more."""
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "code", caller.ip, rt.settings.rate_limits.code_entry, now
    )
    async with write_transaction(rt.sessions) as session:
        link = await session.scalar(
            select(UnsubscribeLink).where(UnsubscribeLink.token_digest == digest(token.strip()))
        )
        if link is None:
            raise DomainError("TOKEN_INVALID", "This unsubscribe link is not valid.", ["token"])
        account = await session.get(Account, link.account_id, with_for_update=True)
        if account.general_information_emails:
            account.general_information_emails = False
            record_event(
                session,
                EventKind.EMAIL_PREFERENCES_CHANGED,
                caller=caller,
                at=now,
                subject_account_id=account.id,
                details={"generalInformation": False, "through": "unsubscribe link"},
            )


async def send_information_email(  # noqa: PLR0917  (the mutation's input, field by field)
    rt: Runtime, caller: Caller, member: StaffMember, subject: str, body: str, reason: str
) -> int:
    """Queue one email per opted-in active account (national staff only); how many were queued."""
    if not member.national:
        raise ForbiddenError
    errors: list[DomainError] = []
    reason = checked_reason(reason, errors)
    clean_subject, clean_body = collected(
        errors,
        lambda: checked_text(subject, SUBJECT_MAX_LENGTH, "subject", "INVALID_SUBJECT"),
        lambda: checked_text(
            body, BODY_MAX_LENGTH, "body", "INVALID_MESSAGE_BODY", allowed="\n\r\t"
        ),
    )
    if errors:
        raise DomainErrors(errors)
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        recipients = (
            await session.execute(
                select(Account.id, Account.email).where(
                    Account.general_information_emails.is_(True),
                    Account.status == AccountStatus.ACTIVE,
                )
            )
        ).all()
        for account_id, address in recipients:
            token = secrets.token_urlsafe(32)
            session.add(
                UnsubscribeLink(account_id=account_id, token_digest=digest(token), created_at=now)
            )
            link = f"{rt.settings.public_url}/unsubscribe?token={token}"
            enqueue_email(
                session,
                now,
                address,
                templates.information_email(clean_subject, clean_body, link),
                headers={
                    "List-Unsubscribe": f"<{link}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
        record_event(
            session,
            EventKind.INFORMATION_EMAIL_SENT,
            caller=caller,
            at=now,
            details={"subject": clean_subject, "recipients": len(recipients), "reason": reason},
        )
    return len(recipients)
