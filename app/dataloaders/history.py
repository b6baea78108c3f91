"""Loader for pages of company histories: one pair of statements for every company of a request."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from app.db import ReadSource, read_session
from app.domain import history
from app.domain.history import HistoryFilter, HistoryPage

# (company id, filter, page size, before this chain position)
HistoryKey = tuple[int, HistoryFilter, int, int | None]


async def load_company_histories(
    source: ReadSource, keys: Sequence[HistoryKey]
) -> list[HistoryPage]:
    groups: dict[tuple[HistoryFilter, int, int | None], list[int]] = defaultdict(list)
    for company_id, history_filter, size, before in keys:
        groups[history_filter, size, before].append(company_id)
    pages: dict[HistoryKey, HistoryPage] = {}
    async with read_session(source) as session:
        for (history_filter, size, before), company_ids in groups.items():
            found = await history.company_histories(
                session, company_ids, history_filter, size, before
            )
            for company_id, page in found.items():
                pages[company_id, history_filter, size, before] = page
    return [pages[key] for key in keys]
