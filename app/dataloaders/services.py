"""Loaders for service requests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select

from app.db import KeyedStatement, ReadSource, read_session
from app.models import ServiceRequest, ServiceRequestStatus

# Built once: each batch only gives its keys.
PENDING_OF = KeyedStatement(
    lambda keys_in: select(ServiceRequest)
    .where(
        # Two key lists rather than a row-value IN: SQLite only uses the
        # (account_id, company_id, status) index for the former.
        keys_in(ServiceRequest.account_id, "accounts"),
        keys_in(ServiceRequest.company_id, "companies"),
        ServiceRequest.status == ServiceRequestStatus.PENDING,
    )
    .order_by(ServiceRequest.id)
)


async def load_pending_requests_by_account_and_company(
    source: ReadSource, keys: Sequence[tuple[int, int]]
) -> list[list[ServiceRequest]]:
    """Requests still marked pending; the caller drops those whose deadline has passed."""
    accounts = sorted({account for account, _ in keys})
    companies = sorted({company for _, company in keys})
    async with read_session(source) as session:
        rows = await session.scalars(
            PENDING_OF.on(session.bind.dialect), {"accounts": accounts, "companies": companies}
        )
        by_key: dict[tuple[int, int], list[ServiceRequest]] = defaultdict(list)
        for request in rows:
            by_key[request.account_id, request.company_id].append(request)
    return [by_key.get(key, []) for key in keys]


async def load_service_requests_by_id(
    source: ReadSource, keys: Sequence[int]
) -> list[ServiceRequest | None]:
    async with read_session(source) as session:
        rows = await session.scalars(select(ServiceRequest).where(ServiceRequest.id.in_(keys)))
        by_id = {request.id: request for request in rows}
    return [by_id.get(key) for key in keys]
