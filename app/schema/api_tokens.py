"""API tokens: the type, and the inputs and payloads of creating and revoking one."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.domain import api_tokens
from app.models import ApiToken as ApiTokenModel
from app.schema.errors import UserError
from app.schema.nodes import Node, to_global_id


@strawberry.type(
    description="A scoped token for accounting software; its secret is never shown again."
)
class ApiToken(Node):
    name: str = strawberry.field(description="A name to recognise it by.")
    scopes: list[str] = strawberry.field(
        description="What it may do: companies:read, delegations:read, delegations:write, "
        "bank-accounts:read, messages:read, messages:write."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    last_used_at: datetime | None = strawberry.field(description="When it was last used.")
    expires_at: datetime = strawberry.field(description="When it stops working.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")

    @classmethod
    def from_model(cls, token: ApiTokenModel) -> ApiToken:
        return cls(
            id=to_global_id("ApiToken", token.id),
            name=token.name,
            scopes=list(token.scopes),
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
        )


@strawberry.input(description="Create an API token (needs a log-in within the last 15 minutes).")
class CreateApiTokenInput:
    name: str = strawberry.field(description="A name to recognise it by (1 to 100 characters).")
    scopes: list[str] = strawberry.field(
        description="Scopes: companies:read, delegations:read, delegations:write, "
        "bank-accounts:read, "
        "messages:read, messages:write."
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="Expiry, within a year (90 days when omitted)."
    )


@strawberry.type(description="Result of creating an API token.")
class CreateApiTokenPayload:
    secret: str | None = strawberry.field(
        description="The token, to send as `Authorization: Bearer <secret>`; shown only here."
    )
    api_token: ApiToken | None = strawberry.field(description="The new token.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was created.")


@strawberry.input(description="Revoke one of the account's API tokens.")
class RevokeApiTokenInput:
    token_id: strawberry.ID = strawberry.field(description="Global ID of the token.")


@strawberry.type(description="Result of revoking an API token.")
class RevokeApiTokenPayload:
    api_token: ApiToken | None = strawberry.field(description="The revoked token.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


async def account_api_tokens(info: strawberry.Info, account_id: int) -> list[ApiToken]:
    tokens = await api_tokens.tokens_of(info.context.runtime, account_id)
    return [ApiToken.from_model(token) for token in tokens]
