"""Secure messaging between a company and its tax office: threads, messages, read marks."""

from __future__ import annotations

import contextlib
import enum
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.db import read_session, write_transaction
from app.domain import attachments
from app.domain.business_emails import business_email_of
from app.domain.delegations import caller_id, live_delegation, role_on
from app.domain.errors import DomainError, DomainErrors, ForbiddenError
from app.domain.offices import office_of
from app.domain.runtime import Caller, Runtime
from app.domain.staff_directory import may_act_on
from app.domain.validation import checked_text, collected
from app.models import (
    Account,
    Company,
    CompanyService,
    Message,
    MessageAttachment,
    MessageThread,
    Role,
    StaffMember,
    ThreadRead,
    ThreadStatus,
)
from app.models.companies import CompanyRole
from app.models.delegations import Delegation
from app.notifications import templates
from app.notifications.addresses import email_key
from app.notifications.outbox import enqueue_email
from app.security.secrets import CODE_ALPHABET

MESSAGING = "MESSAGERIE"
SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 20_000
REFERENCE_RANDOM_LENGTH = 8


class Category(enum.StrEnum):
    """What a thread is about, so that the office routes it."""

    DECLARATION = "DECLARATION"
    PAYMENT = "PAYMENT"
    REFUND = "REFUND"
    TAX_ACCOUNT = "TAX_ACCOUNT"
    OTHER = "OTHER"


class Access(enum.IntEnum):
    """What an account may do with a company's threads."""

    NONE = 0
    READ = 1
    WRITE = 2


def access_of(
    role: str | None, suspended: bool, delegation: Delegation | None, now: datetime
) -> Access:
    """The principal and an active alternate write; delegates per their MESSAGERIE rights."""
    if role == Role.PRINCIPAL_ADMINISTRATOR or (
        role == Role.ALTERNATE_ADMINISTRATOR and not suspended
    ):
        return Access.WRITE
    rights = delegation.rights_on(MESSAGING, now) if delegation is not None else []
    if "DECLARE" in rights:
        return Access.WRITE
    return Access.READ if "CONSULT" in rights else Access.NONE


async def access_on(
    session: AsyncSession, account_id: int, company_id: int | None, now: datetime
) -> Access:
    role: CompanyRole | None = await role_on(session, account_id, company_id)
    if role is None:
        return Access.NONE
    delegation = await live_delegation(session, company_id, account_id)
    return access_of(role.role, role.suspended_at is not None, delegation, now)


def _checked_subject(subject: str) -> str:
    return checked_text(subject, SUBJECT_MAX_LENGTH, "subject", "INVALID_SUBJECT")


def _checked_body(body: str) -> str:
    return checked_text(body, BODY_MAX_LENGTH, "body", "INVALID_MESSAGE_BODY", allowed="\n\r\t")


@contextlib.asynccontextmanager
async def _checked_input(
    rt: Runtime, uploads: list[attachments.Upload], *checks: Callable[[], object]
) -> AsyncIterator[attachments.Staging]:
    """Run the text checks and stage the uploads; every fault of the input is raised at once.

    The staged files are the caller's to `keep()` inside its transaction; whatever is not kept
    is removed on the way out, whether the transaction committed or not.
    """
    errors: list[DomainError] = []
    collected(errors, *checks)
    try:
        staging = await attachments.stage(rt.settings.attachments_dir, uploads)
    except DomainError as error:
        raise DomainErrors([*errors, error]) from None
    except DomainErrors as failure:
        raise DomainErrors([*errors, *failure.errors]) from None
    try:
        if errors:
            raise DomainErrors(errors)
        yield staging
    finally:
        staging.discard()


async def _availability(session: AsyncSession, company_id: int) -> str | None:
    """Why the company cannot use messaging (None when it can)."""
    holds = await session.scalar(
        select(CompanyService.id).where(
            CompanyService.company_id == company_id, CompanyService.service_code == MESSAGING
        )
    )
    confirmed = await business_email_of(session, company_id)
    missing = [
        what
        for what, present in (
            ("the MESSAGERIE service", holds is not None),
            ("a confirmed business email (designateBusinessEmail)", confirmed is not None),
        )
        if not present
    ]
    return " and ".join(missing) if missing else None


async def _add_message(
    session: AsyncSession,
    thread: MessageThread,
    body: str,
    staging: attachments.Staging,
    now: datetime,
    *,
    account_id: int | None = None,
    staff_id: int | None = None,
) -> Message:
    await session.flush()  # the thread's id
    message = Message(
        thread_id=thread.id,
        author_account_id=account_id,
        author_staff_id=staff_id,
        body=body,
        sent_at=now,
    )
    session.add(message)
    await session.flush()  # the message's id
    for staged in staging.files:
        session.add(
            MessageAttachment(
                message_id=message.id,
                sha256=staged.sha256,
                file_name=staged.file_name,
                media_type=staged.media_type,
                size=staged.size,
            )
        )
    thread.last_message_at = now
    return message


async def _mark_read(
    session: AsyncSession, thread_id: int, account_id: int, message_id: int
) -> None:
    mark = await session.scalar(
        select(ThreadRead)
        .where(ThreadRead.thread_id == thread_id, ThreadRead.account_id == account_id)
        .with_for_update()
    )
    if mark is None:
        session.add(
            ThreadRead(thread_id=thread_id, account_id=account_id, last_read_message_id=message_id)
        )
    else:
        mark.last_read_message_id = max(mark.last_read_message_id, message_id)


def _new_reference(now: datetime) -> str:
    random_part = "".join(secrets.choice(CODE_ALPHABET) for _ in range(REFERENCE_RANDOM_LENGTH))
    return f"M{now:%Y}-{random_part}"


async def _require_write(rt: Runtime, account_id: int, company_id: int | None) -> None:
    """Checked before reading any upload, so that strangers cannot make the gateway spool files."""
    async with read_session(rt.sessions) as session:
        if await access_on(session, account_id, company_id, rt.clock.now()) < Access.WRITE:
            raise ForbiddenError


async def send_message(  # noqa: PLR0917  (the mutation's input, field by field)
    rt: Runtime,
    caller: Caller,
    company_id: int | None,
    subject: str,
    body: str,
    category: str,
    uploads: list[attachments.Upload],
) -> MessageThread:
    """Open a thread with the company's tax office; the business email gets the acknowledgement."""
    account_id = caller_id(caller)
    await _require_write(rt, account_id, company_id)
    async with _checked_input(
        rt,
        uploads,
        lambda: _checked_subject(subject),
        lambda: _checked_body(body),
    ) as staging:
        now = rt.clock.now()
        async with write_transaction(rt.sessions) as session:
            if await access_on(session, account_id, company_id, now) < Access.WRITE:
                raise ForbiddenError
            missing = await _availability(session, company_id)
            if missing:
                raise DomainError(
                    "MESSAGING_NOT_AVAILABLE",
                    f"Secure messaging needs {missing} for this company.",
                    ["companyId"],
                )
            company = await session.get(Company, company_id)
            thread = MessageThread(
                reference=_new_reference(now),
                company_id=company.id,
                office=office_of(company.postal_code),
                subject=_checked_subject(subject),
                category=Category(category).value,
                status=ThreadStatus.OPEN,
                opened_by_account_id=account_id,
                created_at=now,
                last_message_at=now,
            )
            session.add(thread)
            message = await _add_message(
                session, thread, _checked_body(body), staging, now, account_id=account_id
            )
            await session.flush()
            await _mark_read(session, thread.id, account_id, message.id)
            business = await business_email_of(session, company.id)
            enqueue_email(
                session,
                now,
                business,
                templates.message_acknowledgement(
                    company.name, thread.reference, thread.subject, now
                ),
            )
            record_event(
                session,
                EventKind.MESSAGE_THREAD_OPENED,
                caller=caller,
                at=now,
                subject_account_id=account_id,
                company_id=company.id,
                details={"threadId": thread.id, "reference": thread.reference},
            )
            staging.keep()
    return thread


async def _thread(session: AsyncSession, thread_id: int | None) -> MessageThread | None:
    return await session.scalar(
        select(MessageThread).where(MessageThread.id == thread_id).with_for_update()
    )


def _open(thread: MessageThread) -> None:
    if thread.status != ThreadStatus.OPEN:
        raise DomainError(
            "THREAD_CLOSED",
            "The tax office closed this thread; send a new message instead.",
            ["threadId"],
        )


async def reply(
    rt: Runtime,
    caller: Caller,
    thread_id: int | None,
    body: str,
    uploads: list[attachments.Upload],
) -> MessageThread:
    """A professional continues a thread of their company."""
    account_id = caller_id(caller)
    async with read_session(rt.sessions) as session:
        found = await session.get(MessageThread, thread_id) if thread_id else None
    await _require_write(rt, account_id, found.company_id if found else None)
    async with _checked_input(rt, uploads, lambda: _checked_body(body)) as staging:
        now = rt.clock.now()
        async with write_transaction(rt.sessions) as session:
            thread = await _thread(session, thread_id)
            if await access_on(session, account_id, thread.company_id, now) < Access.WRITE:
                raise ForbiddenError
            _open(thread)
            message = await _add_message(
                session, thread, _checked_body(body), staging, now, account_id=account_id
            )
            await session.flush()
            await _mark_read(session, thread.id, account_id, message.id)
            record_event(
                session,
                EventKind.MESSAGE_SENT,
                caller=caller,
                at=now,
                subject_account_id=account_id,
                company_id=thread.company_id,
                details={"threadId": thread.id, "reference": thread.reference},
            )
            staging.keep()
    return thread


async def mark_read(rt: Runtime, caller: Caller, thread_id: int | None) -> MessageThread:
    account_id = caller_id(caller)
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        thread = await session.get(MessageThread, thread_id) if thread_id else None
        company_id = thread.company_id if thread else None
        if await access_on(session, account_id, company_id, now) < Access.READ:
            raise ForbiddenError
        last = await session.scalar(
            select(func.max(Message.id)).where(Message.thread_id == thread.id)
        )
        await _mark_read(session, thread.id, account_id, last or 0)
    return thread


async def _staff_thread(
    session: AsyncSession, member: StaffMember, thread_id: int | None
) -> tuple[MessageThread, Company]:
    thread = await _thread(session, thread_id)
    company = await session.get(Company, thread.company_id) if thread else None
    if thread is None or not may_act_on(member, company):
        raise ForbiddenError
    return thread, company


async def staff_reply(  # noqa: PLR0917  (the mutation's input, field by field)
    rt: Runtime,
    caller: Caller,
    member: StaffMember,
    thread_id: int | None,
    body: str,
    uploads: list[attachments.Upload],
) -> MessageThread:
    """The office answers; the account that opened the thread and the business email hear of it."""
    async with read_session(rt.sessions) as session:
        await _staff_thread(session, member, thread_id)
    async with _checked_input(rt, uploads, lambda: _checked_body(body)) as staging:
        now = rt.clock.now()
        async with write_transaction(rt.sessions) as session:
            thread, company = await _staff_thread(session, member, thread_id)
            _open(thread)
            await _add_message(
                session, thread, _checked_body(body), staging, now, staff_id=member.id
            )
            # Account-management emails: sent whatever the recipients' preferences.
            opener = await session.get(Account, thread.opened_by_account_id)
            business = await business_email_of(session, company.id)
            notice = templates.office_replied_email(company.name, thread.reference)
            recipients = {email_key(opener.email): opener.email}
            if business is not None:
                recipients.setdefault(email_key(business), business)
            for address in recipients.values():
                enqueue_email(session, now, address, notice)
            record_event(
                session,
                EventKind.MESSAGE_SENT,
                caller=caller,
                at=now,
                company_id=company.id,
                details={"threadId": thread.id, "reference": thread.reference},
            )
            staging.keep()
    return thread


async def close_thread(
    rt: Runtime, caller: Caller, member: StaffMember, thread_id: int | None
) -> MessageThread:
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        thread, company = await _staff_thread(session, member, thread_id)
        _open(thread)
        thread.status, thread.closed_at, thread.closed_by_staff_id = (
            ThreadStatus.CLOSED,
            now,
            member.id,
        )
        record_event(
            session,
            EventKind.MESSAGE_THREAD_CLOSED,
            caller=caller,
            at=now,
            company_id=company.id,
            details={"threadId": thread.id, "reference": thread.reference},
        )
    return thread


@dataclass(frozen=True)
class OfficeThreads:
    rows: list[MessageThread]
    total: int
    has_next: bool


async def office_threads(
    rt: Runtime, member: StaffMember, status: str | None, size: int, after: int | None
) -> OfficeThreads:
    """The threads of the member's office (every office for national staff), oldest first."""
    query = select(MessageThread)
    if not member.national:
        query = query.where(MessageThread.office == member.office)
    if status is not None:
        query = query.where(MessageThread.status == status)
    async with read_session(rt.sessions) as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        rows = list(
            await session.scalars(
                query.where(MessageThread.id > (after or 0))
                .order_by(MessageThread.id)
                .limit(size + 1)
            )
        )
    return OfficeThreads(rows[:size], total, len(rows) > size)


@dataclass(frozen=True)
class AttachmentFile:
    attachment: MessageAttachment
    thread: MessageThread
    company: Company


async def attachment_file(session: AsyncSession, attachment_id: int) -> AttachmentFile | None:
    """An attachment with the thread and company it belongs to, in one statement."""
    row = (
        await session.execute(
            select(MessageAttachment, MessageThread, Company)
            .join(Message, Message.id == MessageAttachment.message_id)
            .join(MessageThread, MessageThread.id == Message.thread_id)
            .join(Company, Company.id == MessageThread.company_id)
            .where(MessageAttachment.id == attachment_id)
        )
    ).first()
    return AttachmentFile(*row) if row else None
