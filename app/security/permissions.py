"""What an API token may reach: each field names the scope it needs; sessions reach everything.

Tokens never manage the account itself (password, tokens, companies, services): those fields
accept sessions only.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry import Info
from strawberry.permission import BasePermission

from app.domain.api_tokens import Scope
from app.domain.runtime import Caller


class ScopeError(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "FORBIDDEN"})


def allows(info: Info, scope: Scope) -> bool:
    return scope_allowed(info.context.caller, scope)


def require(info: Info, scope: Scope) -> None:
    if not allows(info, scope):
        raise ScopeError(f"This API token lacks the scope {scope.value!r}.")


class _Scoped(BasePermission):
    scope: Scope
    error_class = ScopeError

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:  # noqa: ANN401, ARG002
        return allows(info, self.scope)


class CompaniesRead(_Scoped):
    scope = Scope.COMPANIES_READ
    message = "This API token lacks the scope 'companies:read'."


class DelegationsRead(_Scoped):
    scope = Scope.DELEGATIONS_READ
    message = "This API token lacks the scope 'delegations:read'."


class DelegationsWrite(_Scoped):
    scope = Scope.DELEGATIONS_WRITE
    message = "This API token lacks the scope 'delegations:write'."


class BankAccountsRead(_Scoped):
    scope = Scope.BANK_ACCOUNTS_READ
    message = "This API token lacks the scope 'bank-accounts:read'."


class MessagesRead(_Scoped):
    scope = Scope.MESSAGES_READ
    message = "This API token lacks the scope 'messages:read'."


class MessagesWrite(_Scoped):
    scope = Scope.MESSAGES_WRITE
    message = "This API token lacks the scope 'messages:write'."


class SessionOnly(BasePermission):
    message = "API tokens cannot do this: log in."
    error_class = ScopeError

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:  # noqa: ANN401, ARG002
        return info.context.caller.api_token_id is None


def scope_allowed(caller: Caller, scope: Scope) -> bool:
    return caller.scopes is None or scope.value in caller.scopes


# What a token needs to see an object of each type, wherever in the graph it is reached.
TYPE_SCOPES: dict[str, Scope] = {
    "Company": Scope.COMPANIES_READ,
    "ServiceRequest": Scope.COMPANIES_READ,
    "Delegation": Scope.DELEGATIONS_READ,
    "DelegationRequest": Scope.DELEGATIONS_READ,
    "DelegationChange": Scope.DELEGATIONS_READ,
    "BankAccount": Scope.BANK_ACCOUNTS_READ,
    "MessageThread": Scope.MESSAGES_READ,
    "Message": Scope.MESSAGES_READ,
}
