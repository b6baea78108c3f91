"""Resolvers for alternate administrators, delegations and the viewer's delegation lists."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from app.domain import alternates, delegation_requests, delegations
from app.domain.runtime import Caller, Runtime
from app.models import Company as CompanyModel
from app.models import Delegation as DelegationModel
from app.models import DelegationRequest as DelegationRequestModel
from app.resolvers.common import global_pk, viewer_id
from app.resolvers.errors import INPUT, attempt
from app.schema import delegations as types
from app.schema.companies import Company
from app.schema.errors import UserError


def _grants(
    services: list[types.DelegatedServiceInput] | None,
) -> list[delegations.ServiceGrant] | None:
    if services is None:
        return None
    return [
        delegations.ServiceGrant(item.service_code, [right.value for right in item.rights])
        for item in services
    ]


async def _company_change(
    info: strawberry.Info,
    company_id: strawberry.ID,
    change: Callable[[Runtime, Caller, int | None], Awaitable[CompanyModel]],
) -> tuple[Company | None, list[UserError]]:
    account_id = viewer_id(info)
    ctx = info.context
    company, errors = await attempt(
        change(ctx.runtime, ctx.caller, global_pk(company_id, "Company"))
    )
    if company is None:
        return None, errors
    role = await ctx.loaders.roles_by_account_and_company.load((account_id, company.id))
    return Company.from_model(company, role, account_id), errors


async def designate_alternate_administrator(
    info: strawberry.Info, input: Annotated[types.DesignateAlternateAdministratorInput, INPUT]
) -> types.DesignateAlternateAdministratorPayload:
    company, errors = await _company_change(
        info,
        input.company_id,
        lambda rt, caller, pk: alternates.designate_alternate(rt, caller, pk, input.account_email),
    )
    return types.DesignateAlternateAdministratorPayload(company=company, user_errors=errors)


async def suspend_alternate_administrator(
    info: strawberry.Info, input: Annotated[types.SuspendAlternateAdministratorInput, INPUT]
) -> types.SuspendAlternateAdministratorPayload:
    company, errors = await _company_change(
        info,
        input.company_id,
        lambda rt, caller, pk: alternates.change_alternate(rt, caller, pk, "suspend"),
    )
    return types.SuspendAlternateAdministratorPayload(company=company, user_errors=errors)


async def reactivate_alternate_administrator(
    info: strawberry.Info, input: Annotated[types.ReactivateAlternateAdministratorInput, INPUT]
) -> types.ReactivateAlternateAdministratorPayload:
    company, errors = await _company_change(
        info,
        input.company_id,
        lambda rt, caller, pk: alternates.change_alternate(rt, caller, pk, "reactivate"),
    )
    return types.ReactivateAlternateAdministratorPayload(company=company, user_errors=errors)


async def remove_alternate_administrator(
    info: strawberry.Info, input: Annotated[types.RemoveAlternateAdministratorInput, INPUT]
) -> types.RemoveAlternateAdministratorPayload:
    company, errors = await _company_change(
        info,
        input.company_id,
        lambda rt, caller, pk: alternates.change_alternate(rt, caller, pk, "remove"),
    )
    return types.RemoveAlternateAdministratorPayload(company=company, user_errors=errors)


def _delegation(
    info: strawberry.Info, delegation: DelegationModel | None
) -> types.Delegation | None:
    if delegation is None:
        return None
    return types.Delegation.from_model(
        delegation, info.context.runtime.clock.now(), info.context.viewer.id
    )


async def grant_delegation(
    info: strawberry.Info, input: Annotated[types.GrantDelegationInput, INPUT]
) -> types.GrantDelegationPayload:
    viewer_id(info)
    ctx = info.context
    delegation, errors = await attempt(
        delegations.grant(
            ctx.runtime,
            ctx.caller,
            global_pk(input.company_id, "Company"),
            input.delegate_email,
            _grants(input.services) or [],
            input.starts_at,
            input.ends_at,
        )
    )
    return types.GrantDelegationPayload(
        delegation=_delegation(info, delegation), user_errors=errors
    )


async def update_delegation(
    info: strawberry.Info, input: Annotated[types.UpdateDelegationInput, INPUT]
) -> types.UpdateDelegationPayload:
    viewer_id(info)
    ctx = info.context
    delegation, errors = await attempt(
        delegations.update(
            ctx.runtime,
            ctx.caller,
            global_pk(input.delegation_id, "Delegation"),
            _grants(input.services),
            input.ends_at,
        )
    )
    return types.UpdateDelegationPayload(
        delegation=_delegation(info, delegation), user_errors=errors
    )


async def revoke_delegation(
    info: strawberry.Info, input: Annotated[types.RevokeDelegationInput, INPUT]
) -> types.RevokeDelegationPayload:
    viewer_id(info)
    ctx = info.context
    delegation, errors = await attempt(
        delegations.revoke(ctx.runtime, ctx.caller, global_pk(input.delegation_id, "Delegation"))
    )
    return types.RevokeDelegationPayload(
        delegation=_delegation(info, delegation), user_errors=errors
    )


def _request(
    info: strawberry.Info, request: DelegationRequestModel | None
) -> types.DelegationRequest | None:
    if request is None:
        return None
    ctx = info.context
    return types.DelegationRequest.from_model(request, ctx.runtime.clock.now(), ctx.viewer.id)


async def request_delegation(
    info: strawberry.Info, input: Annotated[types.RequestDelegationInput, INPUT]
) -> types.RequestDelegationPayload:
    viewer_id(info)
    ctx = info.context
    created, errors = await attempt(
        delegation_requests.request(
            ctx.runtime,
            ctx.caller,
            input.company_identifier,
            _grants(input.services) or [],
            input.message,
        )
    )
    return types.RequestDelegationPayload(
        delegation_request=_request(info, created), user_errors=errors
    )


async def accept_delegation_request(
    info: strawberry.Info, input: Annotated[types.AcceptDelegationRequestInput, INPUT]
) -> types.AcceptDelegationRequestPayload:
    viewer_id(info)
    ctx = info.context
    delegation, errors = await attempt(
        delegation_requests.accept(
            ctx.runtime,
            ctx.caller,
            global_pk(input.request_id, "DelegationRequest"),
            input.starts_at,
            input.ends_at,
        )
    )
    return types.AcceptDelegationRequestPayload(
        delegation=_delegation(info, delegation), user_errors=errors
    )


async def decline_delegation_request(
    info: strawberry.Info, input: Annotated[types.DeclineDelegationRequestInput, INPUT]
) -> types.DeclineDelegationRequestPayload:
    viewer_id(info)
    ctx = info.context
    declined, errors = await attempt(
        delegation_requests.decline(
            ctx.runtime, ctx.caller, global_pk(input.request_id, "DelegationRequest")
        )
    )
    return types.DeclineDelegationRequestPayload(
        delegation_request=_request(info, declined), user_errors=errors
    )
