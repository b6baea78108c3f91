"""Resolvers for the account mutations and `viewer`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.context import Context
from app.domain import accounts, activation, credentials
from app.domain.errors import NotAuthenticatedError
from app.resolvers.errors import INPUT, attempt, top_level
from app.schema import accounts as types
from app.security.cookies import clear_session_cookie, set_session_cookie

Info = strawberry.Info[Context, None]


def _account(info: Info, model: object | None) -> types.Account | None:
    return types.Account.from_model(model, info.context.runtime.clock.now()) if model else None


def _identity(data: types.SignUpExpertInput | types.SignUpBasicInput) -> accounts.Identity:
    return accounts.Identity(
        data.email,
        data.password,
        data.first_name,
        data.last_name,
        general_information=data.general_information_emails,
    )


async def sign_up_expert(
    info: Info, input: Annotated[types.SignUpExpertInput, INPUT]
) -> types.SignUpExpertPayload:
    ctx = info.context
    _, errors = await attempt(accounts.sign_up_expert(ctx.runtime, ctx.caller, _identity(input)))
    return types.SignUpExpertPayload(account=None, user_errors=errors)


async def sign_up_basic(
    info: Info, input: Annotated[types.SignUpBasicInput, INPUT]
) -> types.SignUpBasicPayload:
    ctx = info.context
    _, errors = await attempt(
        accounts.sign_up_basic(
            ctx.runtime, ctx.caller, _identity(input), input.siren, input.business_email
        )
    )
    return types.SignUpBasicPayload(account=None, user_errors=errors)


async def resend_activation_code(
    info: Info, input: Annotated[types.ResendActivationCodeInput, INPUT]
) -> types.ResendActivationCodePayload:
    ctx = info.context
    _, errors = await attempt(
        activation.resend_activation_code(ctx.runtime, ctx.caller, input.email)
    )
    return types.ResendActivationCodePayload(user_errors=errors)


async def confirm_email(
    info: Info, input: Annotated[types.ConfirmEmailInput, INPUT]
) -> types.ConfirmEmailPayload:
    ctx = info.context
    account, errors = await attempt(activation.confirm_email(ctx.runtime, ctx.caller, input.token))
    return types.ConfirmEmailPayload(account=_account(info, account), user_errors=errors)


async def activate_account(
    info: Info, input: Annotated[types.ActivateAccountInput, INPUT]
) -> types.ActivateAccountPayload:
    ctx = info.context
    account, errors = await attempt(
        activation.activate_account(ctx.runtime, ctx.caller, input.email, input.code)
    )
    return types.ActivateAccountPayload(account=_account(info, account), user_errors=errors)


async def log_in(info: Info, input: Annotated[types.LogInInput, INPUT]) -> types.LogInPayload:
    ctx = info.context
    logged_in, errors = await attempt(
        credentials.log_in(ctx.runtime, ctx.caller, input.email, input.password)
    )
    if logged_in is None:
        return types.LogInPayload(token=None, expires_at=None, account=None, user_errors=errors)
    set_session_cookie(ctx.response, ctx.runtime.settings, logged_in.token)
    return types.LogInPayload(
        token=logged_in.token,
        expires_at=logged_in.expires_at,
        account=_account(info, logged_in.account),
        user_errors=[],
    )


async def log_out(info: Info, input: Annotated[types.LogOutInput, INPUT]) -> types.LogOutPayload:
    ctx = info.context
    await credentials.log_out(ctx.runtime, ctx.caller, all_sessions=input.all_sessions)
    clear_session_cookie(ctx.response, ctx.runtime.settings)
    return types.LogOutPayload(user_errors=[])


async def change_password(
    info: Info, input: Annotated[types.ChangePasswordInput, INPUT]
) -> types.ChangePasswordPayload:
    ctx = info.context
    if ctx.viewer is None:
        raise top_level(NotAuthenticatedError())
    account, errors = await attempt(
        credentials.change_password(
            ctx.runtime,
            ctx.caller,
            input.current_password,
            input.new_password,
            keep_api_tokens=input.keep_api_tokens,
        )
    )
    return types.ChangePasswordPayload(account=_account(info, account), user_errors=errors)


async def request_password_reset(
    info: Info, input: Annotated[types.RequestPasswordResetInput, INPUT]
) -> types.RequestPasswordResetPayload:
    ctx = info.context
    _, errors = await attempt(
        credentials.request_password_reset(ctx.runtime, ctx.caller, input.email)
    )
    return types.RequestPasswordResetPayload(user_errors=errors)


async def reset_password(
    info: Info, input: Annotated[types.ResetPasswordInput, INPUT]
) -> types.ResetPasswordPayload:
    ctx = info.context
    account, errors = await attempt(
        credentials.reset_password(ctx.runtime, ctx.caller, input.token, input.new_password)
    )
    return types.ResetPasswordPayload(account=_account(info, account), user_errors=errors)


def viewer(info: Info) -> types.Account | None:
    return _account(info, info.context.viewer)
