"""Requests for the separate-sign-up services, decided by the tax department."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class SpecialServiceRequestStatus(enum.StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REFUSED = "REFUSED"


class SpecialServiceRequest(Base):
    __tablename__ = "special_service_requests"
    __table_args__ = (
        Index("ix_special_service_requests_status_id", "status", "id"),
        # One pending request per company and service.
        Index(
            "uq_special_service_requests_pending",
            "company_id",
            "service_code",
            unique=True,
            sqlite_where=text("status = 'PENDING'"),
            postgresql_where=text("status = 'PENDING'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    requester_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    service_code: Mapped[str] = mapped_column(String(32))
    justification: Mapped[str] = mapped_column(String(2000))
    status: Mapped[SpecialServiceRequestStatus] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    decision_reason: Mapped[str | None] = mapped_column(String(1000))
