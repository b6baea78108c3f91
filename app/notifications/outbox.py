"""Write emails and letters to the outbox, in the transaction of the change that causes them."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Company
from app.models.notifications import MessageKind, OutboxMessage
from app.notifications.addresses import email_key
from app.notifications.templates import Letter, Message
from app.security.throttling import serialize_on

MESSAGE_ID_DOMAIN = "espace-pro.impots.gouv.fr"
# Emails that anyone can cause by typing an address (sign-up, reset, lock-out, re-sent codes):
# at most this many a recipient receives in an hour, whatever the requests.
UNSOLICITED_EMAILS_PER_HOUR = 5
UNSOLICITED_WINDOW = timedelta(hours=1)


def _message_id() -> str:
    return f"<{secrets.token_hex(16)}@{MESSAGE_ID_DOMAIN}>"


def enqueue_email(
    session: AsyncSession,
    now: datetime,
    to: str,
    message: Message,
    headers: dict[str, str] | None = None,
) -> None:
    session.add(
        OutboxMessage(
            kind=MessageKind.EMAIL,
            message_id=_message_id(),
            recipient=to,
            recipient_key=email_key(to),
            subject=message.subject,
            body=message.body,
            headers=headers,
            created_at=now,
            next_attempt_at=now,
        )
    )


async def lock_recipients(session: AsyncSession, addresses: list[str]) -> None:
    """Take the per-recipient locks of several unsolicited emails at once, in one global order,
    so that two transactions emailing the same addresses cannot deadlock."""
    for key in sorted({email_key(address) for address in addresses}):
        await serialize_on(session, f"unsolicited-email:{key}")


async def enqueue_unsolicited_email(
    session: AsyncSession, now: datetime, to: str, message: Message
) -> bool:
    """Queue an email a stranger could trigger, unless the recipient already had their share.

    Returns whether it was queued. Dropping the extra ones is the point: nobody can turn the
    gateway into a mail cannon aimed at one address.
    """
    key = email_key(to)
    await serialize_on(session, f"unsolicited-email:{key}")
    received = await session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.kind == MessageKind.EMAIL,
            OutboxMessage.recipient_key == key,
            OutboxMessage.created_at > now - UNSOLICITED_WINDOW,
        )
    )
    if received >= UNSOLICITED_EMAILS_PER_HOUR:
        return False
    enqueue_email(session, now, to, message)
    return True


def enqueue_letter(
    session: AsyncSession,
    now: datetime,
    company: Company,
    letter: Letter,
    *,
    requested_by: int | None,
) -> None:
    """A letter always goes to the registered office found in the directory."""
    recipient = [company.name, *company.registered_office_lines()]
    session.add(
        OutboxMessage(
            kind=MessageKind.LETTER,
            message_id=_message_id(),
            recipient=company.identifier,
            recipient_key=company.identifier,
            requested_by_account_id=requested_by,
            subject=letter.subject,
            body=letter.body,
            letter={
                "companyIdentifier": company.identifier,
                "recipient": recipient,
                "subject": letter.subject,
                "body": letter.body,
                "code": letter.code,
            },
            created_at=now,
            next_attempt_at=now,
        )
    )


async def outbox_backlog(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many messages wait for delivery, and when the oldest of them was written."""
    # min() keeps the column's type, so the time comes back aware on every database.
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(
                OutboxMessage.delivered_at.is_(None)
            )
        )
    ).one()
    return count, oldest
