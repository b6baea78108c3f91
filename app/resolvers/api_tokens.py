"""Resolvers for API tokens."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain import api_tokens
from app.resolvers.common import global_pk, viewer_id
from app.resolvers.errors import INPUT, attempt
from app.schema import api_tokens as types


async def create_api_token(
    info: strawberry.Info, input: Annotated[types.CreateApiTokenInput, INPUT]
) -> types.CreateApiTokenPayload:
    viewer_id(info)
    ctx = info.context
    created, errors = await attempt(
        api_tokens.create(ctx.runtime, ctx.caller, input.name, input.scopes, input.expires_at)
    )
    if created is None:
        return types.CreateApiTokenPayload(secret=None, api_token=None, user_errors=errors)
    return types.CreateApiTokenPayload(
        secret=created.secret, api_token=types.ApiToken.from_model(created.token), user_errors=[]
    )


async def revoke_api_token(
    info: strawberry.Info, input: Annotated[types.RevokeApiTokenInput, INPUT]
) -> types.RevokeApiTokenPayload:
    viewer_id(info)
    ctx = info.context
    token, errors = await attempt(
        api_tokens.revoke(ctx.runtime, ctx.caller, global_pk(input.token_id, "ApiToken"))
    )
    return types.RevokeApiTokenPayload(
        api_token=types.ApiToken.from_model(token) if token else None, user_errors=errors
    )
