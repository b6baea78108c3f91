"""Delegations: rights an administrator hands to another account for one company."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class DelegationStatus(enum.StrEnum):
    SCHEDULED = "SCHEDULED"
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


class ChangeKind(enum.StrEnum):
    GRANTED = "GRANTED"
    UPDATED = "UPDATED"
    REVOKED = "REVOKED"
    STARTED = "STARTED"
    EXPIRED = "EXPIRED"


class Delegation(Base):
    __tablename__ = "delegations"
    __table_args__ = (
        # One live delegation per company and delegate; a revoked one no longer counts.
        Index(
            "uq_delegations_live",
            "company_id",
            "delegate_account_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        Index("ix_delegations_delegate", "delegate_account_id", "id"),
        Index("ix_delegations_grantor", "grantor_account_id", "id"),
        Index("ix_delegations_company", "company_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    delegate_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    grantor_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    # {"DECLARER_TVA": ["CONSULT", "DECLARE"], ...}
    services: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def status(self, now: datetime) -> DelegationStatus:
        if self.revoked_at is not None:
            return DelegationStatus.REVOKED
        if now < self.starts_at:
            return DelegationStatus.SCHEDULED
        if self.ends_at is not None and now >= self.ends_at:
            return DelegationStatus.EXPIRED
        return DelegationStatus.ACTIVE

    def rights_on(self, service_code: str, now: datetime) -> list[str]:
        if self.status(now) != DelegationStatus.ACTIVE:
            return []
        return list(self.services.get(service_code, []))


class DelegationChange(Base):
    """The change feed: one row per grant, update and revocation, in commit order."""

    __tablename__ = "delegation_changes"
    __table_args__ = (
        Index("ix_delegation_changes_company", "company_id", "id"),
        Index("ix_delegation_changes_delegate", "delegate_account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegations.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    delegate_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[ChangeKind] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
