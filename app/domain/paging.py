"""Keyset pagination shared by every connection: `first` items after a position."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.base import ExecutableOption

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    rows: list[Row]  # each row starts with its position
    total: int
    has_next: bool


async def page_of(
    session: AsyncSession,
    query: Select[Any],
    position: InstrumentedAttribute[int],
    first: int,
    after: int | None,
    *options: ExecutableOption,
) -> Page[Any]:
    """One page of `query`, ordered by `position`, and the total count without the page limit."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    paged = query.order_by(position).limit(first + 1).options(*options)
    if after is not None:
        paged = paged.where(position > after)
    rows = [tuple(row) for row in await session.execute(paged)]
    return Page(rows[:first], total or 0, len(rows) > first)
