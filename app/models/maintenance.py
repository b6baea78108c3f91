"""Maintenance notices scheduled by staff: the whole site, or some online services."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class MaintenanceNotice(Base):
    __tablename__ = "maintenance_notices"
    __table_args__ = (Index("ix_maintenance_notices_ends_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    message: Mapped[str] = mapped_column(String(1000))
    # Empty: the whole site; otherwise the online services concerned.
    service_codes: Mapped[list[str]] = mapped_column(JSON)
    scheduled_by_staff_id: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def in_force(self, now: datetime) -> bool:
        return self.cancelled_at is None and self.starts_at <= now < self.ends_at
