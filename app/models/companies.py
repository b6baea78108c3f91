"""The company directory (imported from SIRENE) and the roles accounts hold on companies."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class Role(enum.StrEnum):
    NONE = "NONE"  # added by an expert-mode account, no rights yet
    PRINCIPAL_ADMINISTRATOR = "PRINCIPAL_ADMINISTRATOR"
    ALTERNATE_ADMINISTRATOR = "ALTERNATE_ADMINISTRATOR"
    DELEGATE = "DELEGATE"


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A company has a SIREN, or an IDSP while it waits for one (both once staff link them).
    siren: Mapped[str | None] = mapped_column(String(9), unique=True)
    idsp: Mapped[str | None] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    legal_form: Mapped[str | None] = mapped_column(String(8))
    administrative_status: Mapped[str | None] = mapped_column(String(1))
    address_complement: Mapped[str | None] = mapped_column(String(255))
    street_number: Mapped[str | None] = mapped_column(String(16))
    street_repetition: Mapped[str | None] = mapped_column(String(8))
    street_type: Mapped[str | None] = mapped_column(String(16))
    street_name: Mapped[str | None] = mapped_column(String(255))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when staff replace the principal administrator: the new one must review the
    # delegations and bank accounts, then acknowledge it (acknowledgeCompanyReview).
    review_required_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # An IDSP entity merged into the SIRENE company it turned out to be (linkSiren): it keeps
    # its row for the history that names it, and no identifier any more.
    merged_into_company_id: Mapped[int | None] = mapped_column()

    @property
    def identifier(self) -> str:
        """The SIREN, or the IDSP while the company has none."""
        return self.siren or self.idsp or ""

    def registered_office_lines(self) -> list[str]:
        """The postal address of the registered office, as it goes on an envelope."""
        return registered_office_lines(self)


class Addressed(Protocol):
    """What an address is made of, on a company or on a row read for a page."""

    address_complement: str | None
    street_number: str | None
    street_repetition: str | None
    street_type: str | None
    street_name: str | None
    postal_code: str | None
    city: str | None


def registered_office_lines(company: Addressed) -> list[str]:
    """The postal address of the registered office, as it goes on an envelope."""
    street = " ".join(
        part
        for part in (
            company.street_number,
            company.street_repetition,
            company.street_type,
            company.street_name,
        )
        if part
    )
    town = " ".join(part for part in (company.postal_code, company.city) if part)
    return [line for line in (company.address_complement, street, town) if line]


class CompanyRole(Base):
    __tablename__ = "company_roles"
    __table_args__ = (
        UniqueConstraint("company_id", "account_id"),
        # A company has at most one principal administrator, whatever the concurrency.
        Index(
            "uq_company_roles_principal",
            "company_id",
            unique=True,
            sqlite_where=text("role = 'PRINCIPAL_ADMINISTRATOR'"),
            postgresql_where=text("role = 'PRINCIPAL_ADMINISTRATOR'"),
        ),
        Index("ix_company_roles_account", "account_id", "company_id"),
        # At most one alternate administrator per company.
        Index(
            "uq_company_roles_alternate",
            "company_id",
            unique=True,
            sqlite_where=text("role = 'ALTERNATE_ADMINISTRATOR'"),
            postgresql_where=text("role = 'ALTERNATE_ADMINISTRATOR'"),
        ),
        # The viewer's companies, page by page in the order they were added.
        Index("ix_company_roles_account_page", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    role: Mapped[Role] = mapped_column(String(32))
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    # An alternate administrator may be suspended: the role stays, its powers go.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CompanyService(Base):
    """An online service the company is signed up for, run by its principal administrator."""

    __tablename__ = "company_services"
    __table_args__ = (UniqueConstraint("company_id", "service_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    service_code: Mapped[str] = mapped_column(String(32))
    since: Mapped[datetime] = mapped_column(UTCDateTime())
