"""Professional accounts and their one-time codes and links."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class AccountMode(enum.StrEnum):
    BASIC = "BASIC"
    EXPERT = "EXPERT"


class AccountStatus(enum.StrEnum):
    PENDING_EMAIL_CONFIRMATION = "PENDING_EMAIL_CONFIRMATION"
    PENDING_ACTIVATION = "PENDING_ACTIVATION"
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"


PENDING_STATUSES = (AccountStatus.PENDING_EMAIL_CONFIRMATION, AccountStatus.PENDING_ACTIVATION)


class CodePurpose(enum.StrEnum):
    ACCOUNT_ACTIVATION = "ACCOUNT_ACTIVATION"  # emailed code, expert mode
    EMAIL_CONFIRMATION = "EMAIL_CONFIRMATION"  # emailed link, basic mode
    POSTAL_ACTIVATION = "POSTAL_ACTIVATION"  # code in a letter, basic mode
    PASSWORD_RESET = "PASSWORD_RESET"  # emailed link
    SERVICE_ACTIVATION = "SERVICE_ACTIVATION"  # code in a letter, expert-mode service request


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        # An email belongs to at most one account that is not expired; an expired sign-up frees it.
        Index(
            "uq_accounts_live_email",
            "email_key",
            unique=True,
            sqlite_where=text("status != 'EXPIRED'"),
            postgresql_where=text("status != 'EXPIRED'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_number: Mapped[str] = mapped_column(String(16), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    mode: Mapped[AccountMode] = mapped_column(String(16))
    status: Mapped[AccountStatus] = mapped_column(String(32))
    signup_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    business_email: Mapped[str | None] = mapped_column(String(320))
    business_email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Deadline of the current set-up step; passed while pending, the account is expired.
    setup_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Opt-in to general-information emails (account-management emails are always sent).
    general_information_emails: Mapped[bool] = mapped_column(default=False, server_default=false())

    def effective_status(self, now: datetime) -> AccountStatus:
        if (
            self.status in PENDING_STATUSES
            and self.setup_deadline is not None
            and now >= self.setup_deadline
        ):
            return AccountStatus.EXPIRED
        return self.status


class OneTimeCode(Base):
    """A code typed by the user or a link token: only its SHA-256 digest is stored."""

    __tablename__ = "one_time_codes"
    __table_args__ = (Index("ix_one_time_codes_account_purpose", "account_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    purpose: Mapped[CodePurpose] = mapped_column(String(32))
    secret_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    failed_attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginEmailChange(Base):
    """A new login email waiting for its link (72 h): the change happens only when it is used."""

    __tablename__ = "login_email_changes"
    __table_args__ = (Index("ix_login_email_changes_account", "account_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    new_email: Mapped[str] = mapped_column(String(320))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UnsubscribeLink(Base):
    """The token of an unsubscribe link in one general-information email (works without log-in)."""

    __tablename__ = "unsubscribe_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
