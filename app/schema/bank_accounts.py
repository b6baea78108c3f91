"""Bank accounts the company pays its taxes from, and the payment decision point."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from app.domain.bank_accounts import masked_iban
from app.models import BankAccount as BankAccountModel
from app.schema.errors import UserError
from app.schema.nodes import Node, to_global_id
from app.schema.services import AuthorizationReason


@strawberry.enum(description="What a stored bank account is used for.")
class BankAccountUsage(enum.Enum):
    PAYMENT = strawberry.enum_value(
        "PAYMENT", description="Paying taxes (SEPA direct debit under the mandate reference)."
    )


@strawberry.type(
    description="A bank account the company pays its taxes from. Only payment accounts are "
    "stored here: a refund (e.g. of VAT credit) needs its bank account given with each refund "
    "request, and never uses these."
)
class BankAccount(Node):
    iban: str = strawberry.field(
        description="The IBAN, grouped by four: whole for the principal administrator, masked "
        "for others (country, check digits and last four kept, e.g. FR76 **** **** **** **** "
        "***0 189)."
    )
    masked: bool = strawberry.field(description="Whether `iban` is masked for the viewer.")
    bic: str = strawberry.field(description="The bank's BIC (8 or 11 characters).")
    holder_name: str = strawberry.field(description="The account holder, as on the bank's records.")
    label: str = strawberry.field(description="A label the principal chose (may be empty).")
    mandate_reference: str = strawberry.field(
        description="The SEPA direct-debit mandate reference (RUM) of this account."
    )
    usage: BankAccountUsage = strawberry.field(description="Always PAYMENT.")
    added_at: datetime = strawberry.field(description="When the principal added it.")

    @classmethod
    def from_model(cls, account: BankAccountModel, *, whole: bool) -> BankAccount:
        return cls(
            id=to_global_id("BankAccount", account.id),
            iban=_grouped(account.iban) if whole else masked_iban(account.iban),
            masked=not whole,
            bic=account.bic,
            holder_name=account.holder_name,
            label=account.label,
            mandate_reference=account.mandate_reference,
            usage=BankAccountUsage.PAYMENT,
            added_at=account.added_at,
        )


def _grouped(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


@strawberry.input(description="Add a payment bank account to a company (principal only).")
class AddBankAccountInput:
    company_id: strawberry.ID = strawberry.field(description="Global ID of the company.")
    iban: str = strawberry.field(
        description="IBAN of an account in the SEPA area (spaces allowed)."
    )
    bic: str = strawberry.field(description="BIC of the bank, in the IBAN's country.")
    holder_name: str = strawberry.field(description="The account holder (1 to 70 characters).")
    label: str = strawberry.field(
        default="", description="A label to recognise it by (at most 100 characters)."
    )


@strawberry.type(description="Result of adding a bank account.")
class AddBankAccountPayload:
    bank_account: BankAccount | None = strawberry.field(
        description="The new account, with its mandate reference; null on error."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was added.")


@strawberry.input(description="Remove a company's bank account (principal only).")
class RemoveBankAccountInput:
    bank_account_id: strawberry.ID = strawberry.field(description="Global ID of the bank account.")


@strawberry.type(description="Result of removing a bank account.")
class RemoveBankAccountPayload:
    bank_account: BankAccount | None = strawberry.field(
        description="The account as it was, now removed; null on error."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was removed.")


@strawberry.input(description="What a payment service asks before debiting.")
class AuthorizePaymentInput:
    company_identifier: str = strawberry.field(description="SIREN or IDSP of the company.")
    service_code: str = strawberry.field(description="The payment service, e.g. PAYER_TVA.")
    bank_account_id: strawberry.ID = strawberry.field(
        description="Global ID of the company's bank account to debit."
    )


@strawberry.type(description="The payment decision, for the authenticated account.")
class PaymentAuthorization:
    allowed: bool = strawberry.field(description="Whether the account may pay from this account.")
    reason: AuthorizationReason = strawberry.field(description="Why.")
    iban: str | None = strawberry.field(
        description="The whole IBAN (compact) to debit, only when allowed."
    )
    mandate_reference: str | None = strawberry.field(
        description="The mandate reference (RUM) to debit under, only when allowed."
    )
