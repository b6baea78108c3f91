"""Resolvers for online services: catalogue, requests, activation, authorization."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain import services
from app.models import Capacity
from app.reference.services import CATALOGUE
from app.reference.services import Right as RightValue
from app.resolvers.common import global_pk, viewer_id
from app.resolvers.errors import INPUT, attempt
from app.schema import services as types
from app.schema.companies import Company


def online_services() -> list[types.OnlineService]:
    return [types.OnlineService.from_entry(entry) for entry in CATALOGUE]


async def request_service_access(
    info: strawberry.Info, input: Annotated[types.RequestServiceAccessInput, INPUT]
) -> types.RequestServiceAccessPayload:
    viewer_id(info)
    ctx = info.context
    company_ids = [global_pk(company_id, "Company") for company_id in input.company_ids]
    requests, errors = await attempt(
        services.request_service_access(
            ctx.runtime,
            ctx.caller,
            company_ids,
            input.service_codes,
            Capacity(input.capacity.value),
        )
    )
    now = ctx.runtime.clock.now()
    return types.RequestServiceAccessPayload(
        requests=[types.ServiceRequest.from_model(request, now) for request in requests or []],
        user_errors=errors,
    )


async def activate_service_access(
    info: strawberry.Info, input: Annotated[types.ActivateServiceAccessInput, INPUT]
) -> types.ActivateServiceAccessPayload:
    account_id = viewer_id(info)
    ctx = info.context
    request_id = global_pk(input.request_id, "ServiceRequest")
    company, errors = await attempt(
        services.activate_service_access(ctx.runtime, ctx.caller, request_id, input.code)
    )
    return types.ActivateServiceAccessPayload(
        company=Company.from_model(company, "PRINCIPAL_ADMINISTRATOR", account_id)
        if company
        else None,
        user_errors=errors,
    )


async def authorize(
    info: strawberry.Info, input: Annotated[types.AuthorizeInput, INPUT]
) -> types.AuthorizePayload:
    account_id = viewer_id(info)
    question = services.Question(
        account_id=account_id,
        company_identifier=input.company_identifier,
        service_code=input.service_code,
        right=RightValue(input.right.value),
        now=info.context.runtime.clock.now(),
    )
    decision = await services.authorize(info.context.runtime.sessions, question)
    return types.AuthorizePayload(
        allowed=decision.allowed, reason=types.AuthorizationReason[decision.reason]
    )
