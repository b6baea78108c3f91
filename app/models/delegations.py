"""Delegations: rights an administrator hands to another account for one company."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, inspect, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.models.accounts import Account


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
    # When the change feed recorded its start and its expiry (both happen with time, not a write).
    start_noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Filled only where a query asks for them (joinedload): loaders hand over ready-made parties.
    delegate: Mapped[Account | None] = relationship(
        foreign_keys=[delegate_account_id], lazy="raise"
    )
    grantor: Mapped[Account | None] = relationship(foreign_keys=[grantor_account_id], lazy="raise")

    def loaded_parties(self) -> tuple[Account | None, Account | None]:
        """The delegate and grantor if the query fetched them, else None (never a lazy load)."""
        unloaded = inspect(self).unloaded
        return (
            None if "delegate" in unloaded else self.delegate,
            None if "grantor" in unloaded else self.grantor,
        )

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


class DelegationRequestStatus(enum.StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"


class DelegationRequest(Base):
    """An account asks a company's administrators for a delegation (e.g. an accounting firm)."""

    __tablename__ = "delegation_requests"
    __table_args__ = (
        Index("ix_delegation_requests_company", "company_id", "status", "id"),
        Index(
            "uq_delegation_requests_pending",
            "company_id",
            "requester_account_id",
            unique=True,
            sqlite_where=text("status = 'PENDING'"),
            postgresql_where=text("status = 'PENDING'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    requester_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    services: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(String(1000))
    status: Mapped[DelegationRequestStatus] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegations.id"))

    def effective_status(self, now: datetime) -> DelegationRequestStatus:
        if self.status == DelegationRequestStatus.PENDING and now >= self.expires_at:
            return DelegationRequestStatus.EXPIRED
        return DelegationRequestStatus(self.status)
