"""Resolvers for companies."""

from __future__ import annotations

import strawberry

from app.db import read_session
from app.domain.companies import account_companies
from app.resolvers.errors import LimitExceededError
from app.schema.companies import Company, CompanyConnection, CompanyEdge
from app.schema.nodes import MAX_PAGE_SIZE, PageInfo, decode_cursor, encode_cursor


def page_size(first: int | None) -> int:
    if first is None:
        return MAX_PAGE_SIZE
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise LimitExceededError(f"`first` must be between 0 and {MAX_PAGE_SIZE}.")
    return first


async def resolve_account_companies(
    info: strawberry.Info, account_id: int, first: int | None, after: str | None
) -> CompanyConnection:
    size = page_size(first)
    async with read_session(info.context.runtime.sessions) as session:
        page = await account_companies(session, account_id, size, decode_cursor(after))
    edges = [
        CompanyEdge(cursor=encode_cursor(position), node=Company.from_model(company, role))
        for position, company, role in page.rows
    ]
    return CompanyConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=page.total,
    )
