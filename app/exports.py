"""Exports of the user's data: `/exports/history.csv` and `/exports/personal-data.json`.

Both answer the account's own session (cookie or bearer, as `/graphql`); an API token gets 403,
no credentials 401. The CSV is streamed from the database in batches, so memory stays flat
whatever the number of events, and ends with the chain hash of the last event exported.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import datetime

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from app.db import read_session
from app.domain import personal_data
from app.domain.history import Entry, HistoryFilter, stream_account_history
from app.domain.runtime import Runtime
from app.graphql_view import professional_caller
from app.schema.history import company_key
from app.schema.scalars import parse_aware_datetime

HEADER = [
    "sequence",
    "occurredAt",
    "kind",
    "actorKind",
    "actor",
    "companySiren",
    "companyIdsp",
    "companyName",
    "summary",
    "clientAddress",
    "userAgent",
]
# A cell starting with one of these would be a formula in a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


async def _account_id(request: Request) -> int | Response:
    account, caller = await professional_caller(request.app.state.runtime, request)
    if account is None:
        return _error(401, "UNAUTHENTICATED", "Log in first.")
    if caller.api_token_id is not None:
        return _error(403, "FORBIDDEN", "Exports of personal data need a session, not a token.")
    return account.id


def _filter(request: Request) -> HistoryFilter:
    """The history filter from query parameters: kinds (comma-separated), companyId, from, to."""
    params = request.query_params
    kinds = tuple(k for value in params.getlist("kinds") for k in value.split(",") if k)
    moments: dict[str, datetime | None] = {}
    for name in ("from", "to"):
        moments[name] = parse_aware_datetime(params[name]) if params.get(name) else None
    return HistoryFilter(
        kinds=kinds,
        company_id=company_key(params.get("companyId")),
        since=moments["from"],
        until=moments["to"],
    )


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _row(entry: Entry, account_id: int) -> list[object]:
    event = entry.event
    own = event.actor_account_id == account_id
    return [
        _cell(value)
        for value in (
            event.sequence,
            event.occurred_at.isoformat(),
            event.kind,
            entry.actor_kind,
            entry.actor_name,
            entry.company_siren,
            entry.company_idsp,
            entry.company_name,
            entry.summary,
            event.ip if own else None,
            event.user_agent if own else None,
        )
    ]


async def _csv_lines(
    runtime: Runtime, account_id: int, history_filter: HistoryFilter
) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(HEADER)
    yield flush()
    last: Entry | None = None
    async with read_session(runtime.sessions) as session:
        async for entry in stream_account_history(session, account_id, history_filter):
            writer.writerow(_row(entry, account_id))
            last = entry
            if buffer.tell() > 64 * 1024:
                yield flush()
    if last is None:
        buffer.write("# no event exported\r\n")
    else:
        buffer.write(f"# chain hash of event #{last.event.sequence}: {last.event.hash}\r\n")
    yield flush()


async def history_csv(request: Request) -> Response:
    account_id = await _account_id(request)
    if isinstance(account_id, Response):
        return account_id
    try:
        history_filter = _filter(request)
    except GraphQLError as error:
        return _error(400, "BAD_REQUEST", error.message)
    return StreamingResponse(
        _csv_lines(request.app.state.runtime, account_id, history_filter),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": 'attachment; filename="history.csv"',
            "cache-control": "private, no-store",
        },
    )


async def personal_data_json(request: Request) -> Response:
    account_id = await _account_id(request)
    if isinstance(account_id, Response):
        return account_id
    runtime: Runtime = request.app.state.runtime
    async with read_session(runtime.sessions) as session:
        data = await personal_data.export(session, account_id, runtime.clock.now())
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "content-disposition": 'attachment; filename="personal-data.json"',
            "cache-control": "private, no-store",
        },
    )


ROUTES = [
    Route("/exports/history.csv", history_csv, methods=["GET"]),
    Route("/exports/personal-data.json", personal_data_json, methods=["GET"]),
]
