"""Translate domain failures at the edge: userErrors for business, top-level for the rest."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry
from graphql import GraphQLError

from app.domain.errors import (
    DomainError,
    DomainErrors,
    ForbiddenError,
    NotAuthenticatedError,
    RateLimitedError,
    WorkLimitError,
)
from app.schema.errors import (
    AuthenticationRequiredError,
    ForbiddenGraphQLError,
    LimitExceededError,
    RateLimitError,
    UserError,
    UserErrorCode,
)


def user_errors(failure: DomainError | DomainErrors) -> list[UserError]:
    errors = failure.errors if isinstance(failure, DomainErrors) else [failure]
    return [
        UserError(code=UserErrorCode[error.code], field=error.field, message=error.message)
        for error in errors
    ]


T = TypeVar("T")
INPUT = strawberry.argument(description="The operation's input (Relay mutation convention).")


def top_level(error: NotAuthenticatedError | RateLimitedError | ForbiddenError) -> GraphQLError:
    if isinstance(error, RateLimitedError):
        return RateLimitError(error.retry_after_seconds)
    if isinstance(error, ForbiddenError):
        return ForbiddenGraphQLError()
    return AuthenticationRequiredError()


async def attempt(action: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Await a domain call: its result, or the userErrors it failed with."""
    try:
        return await action, []
    except (DomainError, DomainErrors) as failure:
        return None, user_errors(failure)
    except (NotAuthenticatedError, RateLimitedError, ForbiddenError) as error:
        raise top_level(error) from None
    except WorkLimitError as error:
        raise LimitExceededError(str(error)) from None
