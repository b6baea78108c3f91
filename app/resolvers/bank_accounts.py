"""Resolvers for bank accounts: add, remove, and the payment decision point."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain import bank_accounts
from app.resolvers.common import global_pk, viewer_id
from app.resolvers.errors import INPUT, attempt
from app.schema import bank_accounts as types
from app.schema.services import AuthorizationReason


async def add_bank_account(
    info: strawberry.Info, input: Annotated[types.AddBankAccountInput, INPUT]
) -> types.AddBankAccountPayload:
    viewer_id(info)
    ctx = info.context
    added, errors = await attempt(
        bank_accounts.add_bank_account(
            ctx.runtime,
            ctx.caller,
            global_pk(input.company_id, "Company"),
            input.iban,
            input.bic,
            input.holder_name,
            input.label,
        )
    )
    return types.AddBankAccountPayload(
        bank_account=types.BankAccount.from_model(added, whole=True) if added else None,
        user_errors=errors,
    )


async def remove_bank_account(
    info: strawberry.Info, input: Annotated[types.RemoveBankAccountInput, INPUT]
) -> types.RemoveBankAccountPayload:
    viewer_id(info)
    ctx = info.context
    removed, errors = await attempt(
        bank_accounts.remove_bank_account(
            ctx.runtime, ctx.caller, global_pk(input.bank_account_id, "BankAccount")
        )
    )
    return types.RemoveBankAccountPayload(
        bank_account=types.BankAccount.from_model(removed, whole=True) if removed else None,
        user_errors=errors,
    )


async def authorize_payment(
    info: strawberry.Info, input: Annotated[types.AuthorizePaymentInput, INPUT]
) -> types.PaymentAuthorization:
    account_id = viewer_id(info)
    decision = await bank_accounts.authorize_payment(
        info.context.runtime,
        account_id,
        input.company_identifier,
        input.service_code,
        global_pk(input.bank_account_id, "BankAccount"),
    )
    account = decision.bank_account
    return types.PaymentAuthorization(
        allowed=decision.allowed,
        reason=AuthorizationReason[decision.reason],
        iban=account.iban if account else None,
        mandate_reference=account.mandate_reference if account else None,
    )
