"""`node(id:)`: any object by global ID, only if the viewer may see it (null otherwise)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from app.context import Context
from app.domain import api_tokens
from app.domain.messaging import Access
from app.schema.accounts import Account
from app.schema.api_tokens import ApiToken
from app.schema.bank_accounts import BankAccount
from app.schema.companies import Company, bank_account_view, messaging_access
from app.schema.delegations import Delegation, DelegationRequest
from app.schema.messaging import MessageThread
from app.schema.nodes import Node, from_global_id
from app.schema.services import ServiceRequest
from app.security.permissions import TYPE_SCOPES, require


async def _account(ctx: Context, pk: int) -> Node | None:
    # An account sees only itself until delegations introduce other accounts.
    return Account.from_model(ctx.viewer, ctx.runtime.clock.now()) if pk == ctx.viewer.id else None


async def _company(ctx: Context, pk: int) -> Node | None:
    role = await ctx.loaders.roles_by_account_and_company.load((ctx.viewer.id, pk))
    company = await ctx.loaders.companies_by_id.load(pk) if role is not None else None
    return Company.from_model(company, role, ctx.viewer.id) if company else None


async def _service_request(ctx: Context, pk: int) -> Node | None:
    request = await ctx.loaders.service_requests_by_id.load(pk)
    if request is None or request.account_id != ctx.viewer.id:
        return None
    return ServiceRequest.from_model(request, ctx.runtime.clock.now())


async def _manages(ctx: Context, company_id: int) -> bool:
    """Principal, or alternate administrator not suspended, of this company."""
    role = await ctx.loaders.roles_by_account_and_company.load((ctx.viewer.id, company_id))
    if role == "PRINCIPAL_ADMINISTRATOR":
        return True
    alternate = await ctx.loaders.alternates_by_company.load(company_id)
    return (
        alternate is not None
        and alternate.account_id == ctx.viewer.id
        and alternate.suspended_at is None
    )


async def _delegation(ctx: Context, pk: int) -> Node | None:
    delegation = await ctx.loaders.delegations_by_id.load(pk)
    if delegation is None:
        return None
    if delegation.delegate_account_id != ctx.viewer.id and not await _manages(
        ctx, delegation.company_id
    ):
        return None
    return Delegation.from_model(delegation, ctx.runtime.clock.now(), ctx.viewer.id)


async def _delegation_request(ctx: Context, pk: int) -> Node | None:
    request = await ctx.loaders.delegation_requests_by_id.load(pk)
    if request is None:
        return None
    if request.requester_account_id != ctx.viewer.id and not await _manages(
        ctx, request.company_id
    ):
        return None
    return DelegationRequest.from_model(request, ctx.runtime.clock.now(), ctx.viewer.id)


async def _api_token(ctx: Context, pk: int) -> Node | None:
    if ctx.caller.api_token_id is not None:
        return None
    tokens = await api_tokens.tokens_of(ctx.runtime, ctx.viewer.id)
    return next((ApiToken.from_model(t) for t in tokens if t.id == pk), None)


async def _bank_account(ctx: Context, pk: int) -> Node | None:
    account = await ctx.loaders.bank_accounts_by_id.load(pk)
    if account is None:
        return None
    role = await ctx.loaders.roles_by_account_and_company.load((ctx.viewer.id, account.company_id))
    whole = await bank_account_view(ctx, account.company_id, role)
    return None if whole is None else BankAccount.from_model(account, whole=whole)


async def _message_thread(ctx: Context, pk: int) -> Node | None:
    thread = await ctx.loaders.threads_by_id.load(pk)
    if thread is None:
        return None
    role = await ctx.loaders.roles_by_account_and_company.load((ctx.viewer.id, thread.company_id))
    access = await messaging_access(ctx, thread.company_id, role)
    if access < Access.READ:
        return None
    return MessageThread.from_model(thread, ctx.viewer.id, access)


RESOLVERS: dict[str, Callable[[Context, int], Awaitable[Node | None]]] = {
    "Account": _account,
    "Company": _company,
    "ServiceRequest": _service_request,
    "Delegation": _delegation,
    "DelegationRequest": _delegation_request,
    "ApiToken": _api_token,
    "BankAccount": _bank_account,
    "MessageThread": _message_thread,
}


async def resolve_node(
    info: strawberry.Info[Context, None],
    id: Annotated[strawberry.ID, strawberry.argument(description="A global ID from this API.")],
) -> Node | None:
    ctx = info.context
    decoded = from_global_id(id)
    if ctx.viewer is None or decoded is None or decoded[0] not in RESOLVERS:
        return None
    type_name, pk = decoded
    # Refused before loading anything; the type-level check would refuse it after.
    if type_name in TYPE_SCOPES:
        require(info, TYPE_SCOPES[type_name])
    return await RESOLVERS[type_name](ctx, pk)
