"""The account history: append-only (database triggers refuse updates and deletes) and
hash-chained (each event's hash covers its content and its predecessor's hash)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    # One event per position: two appends can never fork the chain.
    __table_args__ = (Index("uq_audit_events_sequence", "sequence", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(64))
    actor_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    # A staff member acting (staff_members.id); no foreign key, so that adding the column kept
    # SQLite's append-only triggers.
    actor_staff_id: Mapped[int | None] = mapped_column()
    subject_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The chain (app/audit/chain.py): position from 1, predecessor's hash, own hash. Always set on
    # insert; nullable only because adding NOT NULL columns would rebuild the SQLite table and
    # lose its append-only triggers.
    sequence: Mapped[int | None] = mapped_column(BigInteger)
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
