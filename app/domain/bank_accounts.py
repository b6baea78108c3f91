"""Bank accounts for paying taxes: managed by the principal only, read masked by others."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum import bic as bic_number
from stdnum import iban as iban_number
from stdnum.exceptions import ValidationError

from app.audit.events import EventKind, record_event
from app.db import read_session, write_transaction
from app.domain import services
from app.domain.business_emails import business_email_of
from app.domain.companies import find_company
from app.domain.delegations import caller_id, role_on
from app.domain.errors import DomainError, DomainErrors, ForbiddenError
from app.domain.open_sessions import logged_in_recently
from app.domain.runtime import Caller, Runtime
from app.domain.validation import checked_text, collected
from app.models import Account, BankAccount, Company, Role
from app.notifications import templates
from app.notifications.addresses import email_key
from app.notifications.outbox import enqueue_email
from app.reference.services import Right
from app.security.secrets import CODE_ALPHABET

# The countries and territories of the SEPA schemes (European Payments Council's list, 2025):
# the EU, the EEA, and Andorra, Switzerland, Monaco, San Marino, the Vatican, the United Kingdom
# (with Gibraltar), Albania, Moldova, Montenegro, North Macedonia and Serbia.
# fmt: off
SEPA_IBAN_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",  # the EU
    "IS", "LI", "NO",  # the rest of the EEA
    "AD", "CH", "MC", "SM", "VA", "GB", "GI", "AL", "MD", "ME", "MK", "RS",
})
# fmt: on
# Territories whose banks hold BICs of their own country code but IBANs of another.
IBAN_COUNTRY_OF_BIC_COUNTRY = {
    **dict.fromkeys(("GP", "GF", "MQ", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF"), "FR"),
    **dict.fromkeys(("GG", "JE", "IM"), "GB"),
    "AX": "FI",
}
HOLDER_NAME_MAX_LENGTH = 70  # the SEPA rulebooks' limit on a debtor name
LABEL_MAX_LENGTH = 100
BANK_ACCOUNTS_PER_COMPANY = 20
# A SEPA mandate reference (RUM) has at most 35 characters of the SEPA set; ours is
# "DGFIP", the company identifier, "-" and 12 random characters, all of them upper case or digits.
MANDATE_PREFIX = "DGFIP"
MANDATE_RANDOM_LENGTH = 12


@dataclass(frozen=True)
class PaymentAuthorization:
    allowed: bool
    reason: str
    bank_account: BankAccount | None = None


def masked_iban(iban: str) -> str:
    """`FR76 **** **** **** **** ***0 189`: the country, check digits and last four are kept."""
    hidden = iban[:4] + "*" * (len(iban) - 8) + iban[-4:]
    return " ".join(hidden[i : i + 4] for i in range(0, len(hidden), 4))


def _checked_iban(value: str) -> str:
    try:
        iban = iban_number.validate(value)
    except ValidationError:
        raise DomainError(
            "INVALID_IBAN",
            "This IBAN is not valid: check its length and check digits (e.g. FR76 3000 6000 "
            "0112 3456 7890 189).",
            ["iban"],
        ) from None
    if iban[:2] not in SEPA_IBAN_COUNTRIES:
        raise DomainError(
            "IBAN_NOT_SEPA",
            "Taxes are paid by SEPA direct debit: give the IBAN of an account in the SEPA area.",
            ["iban"],
        )
    return iban


def _checked_bic(value: str) -> str:
    try:
        return bic_number.validate(value)
    except ValidationError:
        raise DomainError(
            "INVALID_BIC",
            "This BIC is not valid: 8 or 11 characters, e.g. BNPAFRPP or BNPAFRPPXXX.",
            ["bic"],
        ) from None


def _checked_input(iban: str, bic: str, holder_name: str, label: str) -> tuple[str, str, str, str]:
    """Every field checked, all faults reported together; then the BIC against the IBAN."""
    errors: list[DomainError] = []
    clean_iban, clean_bic, holder, text = collected(
        errors,
        lambda: _checked_iban(iban),
        lambda: _checked_bic(bic),
        lambda: checked_text(
            holder_name, HOLDER_NAME_MAX_LENGTH, "holderName", "INVALID_HOLDER_NAME"
        ),
        lambda: checked_text(label, LABEL_MAX_LENGTH, "label", "INVALID_LABEL", required=False),
    )
    if errors:
        raise DomainErrors(errors)
    bic_country = clean_bic[4:6]
    if IBAN_COUNTRY_OF_BIC_COUNTRY.get(bic_country, bic_country) != clean_iban[:2]:
        raise DomainError(
            "BIC_IBAN_MISMATCH",
            f"The BIC is that of a bank in {bic_country}, the IBAN that of an account in "
            f"{clean_iban[:2]}: check both.",
            ["bic"],
        )
    return clean_iban, clean_bic, holder, text


async def _principal_with_recent_login(
    session: AsyncSession, caller: Caller, company_id: int | None, now: datetime
) -> None:
    """Only the principal, from a session opened in the last 15 minutes (never an API token)."""
    if caller.api_token_id is not None or caller.staff_id is not None:
        raise ForbiddenError
    role = await role_on(session, caller_id(caller), company_id)
    if role is None or role.role != Role.PRINCIPAL_ADMINISTRATOR:
        raise ForbiddenError
    if not await logged_in_recently(session, caller, now):
        raise DomainError(
            "RECENT_LOGIN_REQUIRED",
            "Log in again (within the last 15 minutes) to change the company's bank accounts.",
            None,
        )


def _new_mandate_reference(company: Company) -> str:
    random_part = "".join(secrets.choice(CODE_ALPHABET) for _ in range(MANDATE_RANDOM_LENGTH))
    return f"{MANDATE_PREFIX}{company.identifier}-{random_part}"


async def _notify(
    session: AsyncSession, caller: Caller, company: Company, account: BankAccount, *, added: bool
) -> None:
    """The principal and the business email hear of every change (ASVS 6.3.7)."""
    now = account.removed_at or account.added_at
    principal = await session.get(Account, caller.account_id)
    message = templates.bank_account_changed_email(
        company.name, masked_iban(account.iban), account.mandate_reference, now, added=added
    )
    enqueue_email(session, now, principal.email, message)
    business = await business_email_of(session, company.id)
    if business is not None and email_key(business) != email_key(principal.email):
        enqueue_email(session, now, business, message)


def _duplicate() -> DomainError:
    return DomainError(
        "BANK_ACCOUNT_ALREADY_EXISTS",
        "The company already has a bank account with this IBAN.",
        ["iban"],
    )


async def add_bank_account(  # noqa: PLR0917  (the mutation's input, field by field)
    rt: Runtime,
    caller: Caller,
    company_id: int | None,
    iban: str,
    bic: str,
    holder_name: str,
    label: str,
) -> BankAccount:
    now = rt.clock.now()
    try:
        async with write_transaction(rt.sessions) as session:
            await _principal_with_recent_login(session, caller, company_id, now)
            clean_iban, clean_bic, holder, text = _checked_input(iban, bic, holder_name, label)
            current = list(
                await session.scalars(
                    select(BankAccount.iban).where(
                        BankAccount.company_id == company_id, BankAccount.removed_at.is_(None)
                    )
                )
            )
            if clean_iban in current:
                raise _duplicate()
            if len(current) >= BANK_ACCOUNTS_PER_COMPANY:
                raise DomainError(
                    "TOO_MANY_BANK_ACCOUNTS",
                    f"A company has at most {BANK_ACCOUNTS_PER_COMPANY} bank accounts; remove "
                    "one first.",
                    ["companyId"],
                )
            company = await session.get(Company, company_id)
            account = BankAccount(
                company_id=company.id,
                iban=clean_iban,
                bic=clean_bic,
                holder_name=holder,
                label=text,
                mandate_reference=_new_mandate_reference(company),
                added_by_account_id=caller.account_id,
                added_at=now,
            )
            session.add(account)
            await session.flush()
            await _notify(session, caller, company, account, added=True)
            record_event(
                session,
                EventKind.BANK_ACCOUNT_ADDED,
                caller=caller,
                at=now,
                subject_account_id=caller.account_id,
                company_id=company.id,
                details={
                    "bankAccountId": account.id,
                    "iban": masked_iban(clean_iban),
                    "mandateReference": account.mandate_reference,
                },
            )
    except IntegrityError:
        # Two requests adding the same IBAN at once: the partial unique index keeps one.
        raise _duplicate() from None
    return account


async def remove_bank_account(
    rt: Runtime, caller: Caller, bank_account_id: int | None
) -> BankAccount:
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        account = await session.scalar(
            select(BankAccount).where(BankAccount.id == bank_account_id).with_for_update()
        )
        # An unknown id and another company's account answer alike.
        await _principal_with_recent_login(
            session, caller, account.company_id if account else None, now
        )
        if account.removed_at is not None:
            raise DomainError(
                "BANK_ACCOUNT_ALREADY_REMOVED",
                "This bank account was already removed.",
                ["bankAccountId"],
            )
        account.removed_at = now
        company = await session.get(Company, account.company_id)
        await _notify(session, caller, company, account, added=False)
        record_event(
            session,
            EventKind.BANK_ACCOUNT_REMOVED,
            caller=caller,
            at=now,
            subject_account_id=caller.account_id,
            company_id=company.id,
            details={
                "bankAccountId": account.id,
                "iban": masked_iban(account.iban),
                "mandateReference": account.mandate_reference,
            },
        )
    return account


async def authorize_payment(
    rt: Runtime,
    account_id: int,
    company_identifier: str,
    service_code: str,
    bank_account_id: int | None,
) -> PaymentAuthorization:
    """May the account pay with this service, from this bank account of this company?"""
    now = rt.clock.now()
    question = services.Question(
        account_id=account_id,
        company_identifier=company_identifier,
        service_code=service_code,
        right=Right.PAY,
        now=now,
    )
    decision = await services.authorize(rt.sessions, question)
    if not decision.allowed:
        return PaymentAuthorization(allowed=False, reason=decision.reason.value)
    async with read_session(rt.sessions) as session:
        company = await find_company(session, company_identifier, "companyIdentifier")
        account = await session.scalar(
            select(BankAccount).where(
                BankAccount.id == bank_account_id,
                BankAccount.company_id == company.id,
                BankAccount.removed_at.is_(None),
            )
        )
    if account is None:
        return PaymentAuthorization(allowed=False, reason="BANK_ACCOUNT_NOT_FOUND")
    return PaymentAuthorization(allowed=True, reason=decision.reason.value, bank_account=account)
