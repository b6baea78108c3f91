"""The company's business email and its secure messaging with the tax office."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class BusinessEmail(Base):
    """The confirmed business email of a company (at most one in force)."""

    __tablename__ = "business_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), unique=True)
    address: Mapped[str] = mapped_column(String(320))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BusinessEmailConfirmation(Base):
    """An address the principal designated, waiting for its link (72 h) to be used."""

    __tablename__ = "business_email_confirmations"
    __table_args__ = (Index("ix_business_email_confirmations_company", "company_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    address: Mapped[str] = mapped_column(String(320))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    designated_by_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A later designation replaces this one before it was confirmed.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ThreadStatus(enum.StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class MessageThread(Base):
    __tablename__ = "message_threads"
    __table_args__ = (
        Index("ix_message_threads_company", "company_id", "id"),
        Index("ix_message_threads_office_status", "office", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Quoted in the acknowledgement of receipt and in every exchange with the office.
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    # The tax office (département) the thread was sent to.
    office: Mapped[str | None] = mapped_column(String(3))
    subject: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[ThreadStatus] = mapped_column(String(16))
    opened_by_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_thread", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id"))
    # Exactly one of the two: a professional or a staff member of the office.
    author_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    author_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MessageAttachment(Base):
    """A file sent with a message; its content is stored once, under its SHA-256."""

    __tablename__ = "message_attachments"
    __table_args__ = (Index("ix_message_attachments_message", "message_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    # Recognised from the first bytes, never from the name or the declared type.
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column()


class ThreadRead(Base):
    """How far an account has read a thread: messages after this one are unread."""

    __tablename__ = "thread_reads"
    __table_args__ = (UniqueConstraint("thread_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    last_read_message_id: Mapped[int] = mapped_column()
