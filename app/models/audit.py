"""The account history: append-only (database triggers refuse updates and deletes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"

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
