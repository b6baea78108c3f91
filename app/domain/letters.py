"""How many postal letters (each with a code) an account may cause and a company may receive.

A letter costs postage and lands at a company's registered office with an official code: without
limits, any account could post them to any company round after round (add the company, request a
service, remove the company, start again).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.errors import DomainError
from app.models import Company
from app.models.notifications import MessageKind, OutboxMessage

LETTER_WINDOW = timedelta(days=30)
LETTERS_PER_ACCOUNT = 100  # the administration's own advice: at most 100 companies per account
LETTERS_PER_COMPANY = 5
# After a request is cancelled (removeCompany), the same account waits this long before asking
# that company again.
CANCELLED_REQUEST_COOLDOWN = timedelta(days=7)


def letter_limit_reached(field: list[str], message: str) -> DomainError:
    return DomainError("LETTER_LIMIT_REACHED", message, field)


async def letter_problems(
    session: AsyncSession,
    account_id: int,
    companies: Sequence[tuple[Company, list[str]]],
    now: datetime,
    account_field: list[str],
) -> list[DomainError]:
    """What stops posting one more letter to each of `companies` (with the field at fault)."""
    since = now - LETTER_WINDOW
    sent_by_account = await session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.kind == MessageKind.LETTER,
            OutboxMessage.requested_by_account_id == account_id,
            OutboxMessage.created_at > since,
        )
    )
    problems = []
    if sent_by_account + len(companies) > LETTERS_PER_ACCOUNT:
        problems.append(
            letter_limit_reached(
                account_field,
                f"An account may have at most {LETTERS_PER_ACCOUNT} letters posted in "
                f"{LETTER_WINDOW.days} days; {sent_by_account} already were. Try again later.",
            )
        )
    received = dict(
        (
            await session.execute(
                select(OutboxMessage.recipient_key, func.count())
                .where(
                    OutboxMessage.kind == MessageKind.LETTER,
                    OutboxMessage.recipient_key.in_([c.identifier for c, _ in companies]),
                    OutboxMessage.created_at > since,
                )
                .group_by(OutboxMessage.recipient_key)
            )
        ).all()
    )
    problems += [
        letter_limit_reached(
            field,
            f"This company received {LETTERS_PER_COMPANY} letters with codes in the last "
            f"{LETTER_WINDOW.days} days, the most we post. Use a code already received, or try "
            "again later.",
        )
        for company, field in companies
        if received.get(company.identifier, 0) >= LETTERS_PER_COMPANY
    ]
    return problems
