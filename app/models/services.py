"""Requests for online services on a company, activated by a code posted to its head office."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class Capacity(enum.StrEnum):
    LEGAL_REPRESENTATIVE = "LEGAL_REPRESENTATIVE"
    MANDATED_PERSON = "MANDATED_PERSON"


class ServiceRequestStatus(enum.StrEnum):
    PENDING = "PENDING"
    ACTIVATED = "ACTIVATED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


class ServiceRequest(Base):
    __tablename__ = "service_requests"
    __table_args__ = (
        Index("ix_service_requests_account_company", "account_id", "company_id", "status"),
        # One pending request per account and company; an expired one frees the place.
        Index(
            "uq_service_requests_pending",
            "account_id",
            "company_id",
            unique=True,
            sqlite_where=text("status = 'PENDING'"),
            postgresql_where=text("status = 'PENDING'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    capacity: Mapped[Capacity] = mapped_column(String(32))
    service_codes: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[ServiceRequestStatus] = mapped_column(String(16))
    code_id: Mapped[int] = mapped_column(ForeignKey("one_time_codes.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def effective_status(self, now: datetime) -> ServiceRequestStatus:
        if self.status == ServiceRequestStatus.PENDING and now >= self.expires_at:
            return ServiceRequestStatus.EXPIRED
        return ServiceRequestStatus(self.status)
