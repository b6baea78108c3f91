"""Write emails and letters to the outbox, in the transaction of the change that causes them."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Company
from app.models.notifications import MessageKind, OutboxMessage
from app.notifications.templates import Letter, Message

MESSAGE_ID_DOMAIN = "espace-pro.impots.gouv.fr"


def _message_id() -> str:
    return f"<{secrets.token_hex(16)}@{MESSAGE_ID_DOMAIN}>"


def enqueue_email(session: AsyncSession, now: datetime, to: str, message: Message) -> None:
    session.add(
        OutboxMessage(
            kind=MessageKind.EMAIL,
            message_id=_message_id(),
            recipient=to,
            subject=message.subject,
            body=message.body,
            created_at=now,
            next_attempt_at=now,
        )
    )


def enqueue_letter(session: AsyncSession, now: datetime, company: Company, letter: Letter) -> None:
    """A letter always goes to the registered office found in the directory."""
    recipient = [company.name, *company.registered_office_lines()]
    session.add(
        OutboxMessage(
            kind=MessageKind.LETTER,
            message_id=_message_id(),
            recipient=company.identifier,
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
