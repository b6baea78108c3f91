"""Resolvers for the user's rights over their data."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain import email_preferences, personal_data
from app.resolvers.common import global_pk, viewer_id
from app.resolvers.errors import INPUT, attempt
from app.schema import personal_data as types
from app.schema.accounts import Account, UpdateIdentityPayload


async def revoke_session(
    info: strawberry.Info, input: Annotated[types.RevokeSessionInput, INPUT]
) -> types.RevokeSessionPayload:
    viewer_id(info)
    ctx = info.context
    revoked, errors = await attempt(
        personal_data.revoke_session(
            ctx.runtime, ctx.caller, global_pk(input.session_id, "Session")
        )
    )
    return types.RevokeSessionPayload(revoked=revoked is not None, user_errors=errors)


async def update_identity(
    info: strawberry.Info, input: Annotated[types.UpdateIdentityInput, INPUT]
) -> UpdateIdentityPayload:
    viewer_id(info)
    ctx = info.context
    account, errors = await attempt(
        personal_data.update_identity(ctx.runtime, ctx.caller, input.first_name, input.last_name)
    )
    return UpdateIdentityPayload(
        account=Account.from_model(account, ctx.runtime.clock.now()) if account else None,
        user_errors=errors,
    )


async def change_login_email(
    info: strawberry.Info, input: Annotated[types.ChangeLoginEmailInput, INPUT]
) -> types.ChangeLoginEmailPayload:
    viewer_id(info)
    ctx = info.context
    account, errors = await attempt(
        personal_data.request_login_email_change(
            ctx.runtime, ctx.caller, input.new_email, input.current_password
        )
    )
    return types.ChangeLoginEmailPayload(link_sent=account is not None, user_errors=errors)


async def confirm_login_email_change(
    info: strawberry.Info, input: Annotated[types.ConfirmLoginEmailChangeInput, INPUT]
) -> types.ConfirmLoginEmailChangePayload:
    ctx = info.context
    account, errors = await attempt(
        personal_data.confirm_login_email_change(ctx.runtime, ctx.caller, input.token)
    )
    return types.ConfirmLoginEmailChangePayload(changed=account is not None, user_errors=errors)


async def update_email_preferences(
    info: strawberry.Info, input: Annotated[types.UpdateEmailPreferencesInput, INPUT]
) -> types.UpdateEmailPreferencesPayload:
    viewer_id(info)
    ctx = info.context
    account, errors = await attempt(
        email_preferences.update_preferences(ctx.runtime, ctx.caller, input.general_information)
    )
    return types.UpdateEmailPreferencesPayload(
        email_preferences=types.EmailPreferences(
            general_information=account.general_information_emails
        )
        if account
        else None,
        user_errors=errors,
    )
