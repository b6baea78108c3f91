"""Resolvers for companies: the viewer's list, one company, add and remove."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.db import read_session
from app.domain import companies, staff_actions
from app.resolvers.common import global_pk, viewer_id
from app.resolvers.errors import INPUT, attempt
from app.schema import services as types
from app.schema.companies import (
    AcknowledgeCompanyReviewInput,
    AcknowledgeCompanyReviewPayload,
    Company,
)


async def company(
    info: strawberry.Info,
    identifier: Annotated[str, strawberry.argument(description="SIREN or IDSP of the company.")],
) -> Company | None:
    account_id = viewer_id(info)
    async with read_session(info.context.runtime.sessions) as session:
        found = await companies.viewer_company(session, account_id, identifier)
    return Company.from_model(*found, account_id) if found else None


async def add_company(
    info: strawberry.Info, input: Annotated[types.AddCompanyInput, INPUT]
) -> types.AddCompanyPayload:
    account_id = viewer_id(info)
    ctx = info.context
    result, errors = await attempt(companies.add_company(ctx.runtime, ctx.caller, input.identifier))
    if result is None:
        return types.AddCompanyPayload(company=None, warnings=[], user_errors=errors)
    added, warnings = result
    role = await ctx.loaders.roles_by_account_and_company.load((account_id, added.id))
    return types.AddCompanyPayload(
        company=Company.from_model(added, role, account_id),
        warnings=[
            types.Warning(code=types.WarningCode[w.code], message=w.message) for w in warnings
        ],
        user_errors=[],
    )


async def remove_company(
    info: strawberry.Info, input: Annotated[types.RemoveCompanyInput, INPUT]
) -> types.RemoveCompanyPayload:
    viewer_id(info)
    ctx = info.context
    pk = global_pk(input.company_id, "Company")
    _, errors = await attempt(companies.remove_company(ctx.runtime, ctx.caller, pk))
    return types.RemoveCompanyPayload(user_errors=errors)


async def acknowledge_company_review(
    info: strawberry.Info, input: Annotated[AcknowledgeCompanyReviewInput, INPUT]
) -> AcknowledgeCompanyReviewPayload:
    account_id = viewer_id(info)
    ctx = info.context
    reviewed, errors = await attempt(
        staff_actions.acknowledge_review(
            ctx.runtime, ctx.caller, global_pk(input.company_id, "Company")
        )
    )
    return AcknowledgeCompanyReviewPayload(
        company=Company.from_model(reviewed, "PRINCIPAL_ADMINISTRATOR", account_id)
        if reviewed
        else None,
        user_errors=errors,
    )
