"""Loaders for business emails, message threads, their messages, attachments and read marks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from app.clock import Clock
from app.db import ReadSource, read_session
from app.domain import business_emails
from app.domain.business_emails import BusinessEmailState
from app.models import Message, MessageAttachment, MessageThread, ThreadRead


async def load_business_emails_by_company(
    source: ReadSource, clock: Clock, keys: Sequence[int]
) -> list[BusinessEmailState]:
    now: datetime = clock.now()
    async with read_session(source) as session:
        found = await business_emails.states(session, list(keys), now)
    return [found[key] for key in keys]


async def load_threads_by_company(
    source: ReadSource, keys: Sequence[int]
) -> list[list[MessageThread]]:
    """Every thread of each company, newest first."""
    async with read_session(source) as session:
        rows = await session.scalars(
            select(MessageThread)
            .where(MessageThread.company_id.in_(keys))
            .order_by(MessageThread.company_id, MessageThread.id.desc())
        )
        by_company: dict[int, list[MessageThread]] = defaultdict(list)
        for thread in rows:
            by_company[thread.company_id].append(thread)
    return [by_company.get(key, []) for key in keys]


async def load_threads_by_id(
    source: ReadSource, keys: Sequence[int]
) -> list[MessageThread | None]:
    async with read_session(source) as session:
        rows = await session.scalars(select(MessageThread).where(MessageThread.id.in_(keys)))
        by_id = {thread.id: thread for thread in rows}
    return [by_id.get(key) for key in keys]


async def load_messages_by_thread(
    source: ReadSource, keys: Sequence[int]
) -> list[list[Message]]:
    """Every message of each thread, oldest first."""
    async with read_session(source) as session:
        rows = await session.scalars(
            select(Message)
            .where(Message.thread_id.in_(keys))
            .order_by(Message.thread_id, Message.id)
        )
        by_thread: dict[int, list[Message]] = defaultdict(list)
        for message in rows:
            by_thread[message.thread_id].append(message)
    return [by_thread.get(key, []) for key in keys]


async def load_attachments_by_message(
    source: ReadSource, keys: Sequence[int]
) -> list[list[MessageAttachment]]:
    async with read_session(source) as session:
        rows = await session.scalars(
            select(MessageAttachment)
            .where(MessageAttachment.message_id.in_(keys))
            .order_by(MessageAttachment.message_id, MessageAttachment.id)
        )
        by_message: dict[int, list[MessageAttachment]] = defaultdict(list)
        for attachment in rows:
            by_message[attachment.message_id].append(attachment)
    return [by_message.get(key, []) for key in keys]


async def load_unread_by_thread_and_account(
    source: ReadSource, keys: Sequence[tuple[int, int]]
) -> list[int]:
    """Messages of each thread the account has not read, its own ones aside."""
    counts: dict[tuple[int, int], int] = {}
    by_account: dict[int, list[int]] = defaultdict(list)
    for thread_id, account_id in keys:
        by_account[account_id].append(thread_id)
    async with read_session(source) as session:
        # One statement per distinct reader: in a request, that is the viewer alone.
        for account_id, thread_ids in by_account.items():
            rows = await session.execute(
                select(Message.thread_id, func.count())
                .outerjoin(
                    ThreadRead,
                    and_(
                        ThreadRead.thread_id == Message.thread_id,
                        ThreadRead.account_id == account_id,
                    ),
                )
                .where(
                    Message.thread_id.in_(thread_ids),
                    or_(
                        Message.author_account_id.is_(None),
                        Message.author_account_id != account_id,
                    ),
                    or_(
                        ThreadRead.id.is_(None),
                        Message.id > ThreadRead.last_read_message_id,
                    ),
                )
                .group_by(Message.thread_id)
            )
            counts.update({(thread_id, account_id): count for thread_id, count in rows})
    return [counts.get(key, 0) for key in keys]
