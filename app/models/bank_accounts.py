"""Bank accounts a company pays its taxes from (never refund accounts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class BankAccount(Base):
    __tablename__ = "bank_accounts"
    __table_args__ = (
        # One IBAN at most once among a company's current accounts; a removed one may come back.
        Index(
            "uq_bank_accounts_company_iban",
            "company_id",
            "iban",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
        Index("ix_bank_accounts_company", "company_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    # Compact form (no spaces, upper case), as python-stdnum validates it.
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11))
    holder_name: Mapped[str] = mapped_column(String(70))
    label: Mapped[str] = mapped_column(String(100))
    # The SEPA direct-debit mandate reference (RUM): unique, at most 35 characters.
    mandate_reference: Mapped[str] = mapped_column(String(35), unique=True)
    added_by_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Removed accounts keep their row: the history and the mandate reference name them.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
