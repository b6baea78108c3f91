"""The outbox: emails and letters written in the transaction that caused them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class MessageKind(enum.StrEnum):
    EMAIL = "EMAIL"
    LETTER = "LETTER"


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "delivered_at", "next_attempt_at"),
        # Counting what one recipient received, or one account caused, in a recent window.
        Index("ix_outbox_messages_recipient_key_created_at", "kind", "recipient_key", "created_at"),
        Index(
            "ix_outbox_messages_requested_by_created_at",
            "kind",
            "requested_by_account_id",
            "created_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MessageKind] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    recipient: Mapped[str] = mapped_column(String(320))
    # The email key of the address, or the company identifier of a letter.
    recipient_key: Mapped[str | None] = mapped_column(String(320))
    # The account whose action caused the message, if any (letters are counted per account).
    requested_by_account_id: Mapped[int | None] = mapped_column()
    subject: Mapped[str] = mapped_column(String(255))
    # Cleared once delivered: the body may hold a code, which must not outlive its delivery.
    body: Mapped[str | None] = mapped_column(Text)
    letter: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Extra email headers (List-Unsubscribe and List-Unsubscribe-Post, RFC 8058).
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
