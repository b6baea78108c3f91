"""Resolvers for companies: the viewer's list, one company, add and remove."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.db import read_session
from app.domain import companies
from app.domain.errors import NotAuthenticatedError
from app.resolvers.errors import INPUT, LimitExceededError, attempt, top_level
from app.schema import services as types
from app.schema.companies import Company, CompanyConnection, CompanyEdge
from app.schema.nodes import (
    MAX_PAGE_SIZE,
    PageInfo,
    decode_cursor,
    encode_cursor,
    from_global_id,
)


def page_size(first: int | None) -> int:
    if first is None:
        return MAX_PAGE_SIZE
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise LimitExceededError(f"`first` must be between 0 and {MAX_PAGE_SIZE}.")
    return first


def global_pk(global_id: str, type_name: str) -> int | None:
    """The primary key behind a global ID of this type; None for anything else."""
    decoded = from_global_id(global_id)
    return decoded[1] if decoded and decoded[0] == type_name else None


def viewer_id(info: strawberry.Info) -> int:
    if info.context.viewer is None:
        raise top_level(NotAuthenticatedError())
    return info.context.viewer.id


async def resolve_account_companies(
    info: strawberry.Info, account_id: int, first: int | None, after: str | None
) -> CompanyConnection:
    size = page_size(first)
    async with read_session(info.context.runtime.sessions) as session:
        page = await companies.account_companies(session, account_id, size, decode_cursor(after))
    edges = [
        CompanyEdge(
            cursor=encode_cursor(position), node=Company.from_model(company, role, account_id)
        )
        for position, company, role in page.rows
    ]
    return CompanyConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=page.total,
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
