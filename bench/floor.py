"""The floors: the bench's pages served by a plain Starlette app from hand-written SQL.

Same database, same bearer session token (looked up by digest, as the gateway does), same
statements a careful hand-written endpoint would send, served by uvicorn like the gateway, so
both can be loaded the same way. One endpoint, /graphql, answers the three documents of the bench
(told apart by their operation name): `Dashboard` (same shape as the gateway's), `FirmDashboard`
and `Feed` (the same JSON as the gateway's, byte for byte once parsed: the bench checks it).

    python bench/floor.py --port 8100 --database-url sqlite+aiosqlite:///var/bench/bench.db
"""

from __future__ import annotations

import argparse
import base64
import json
from datetime import UTC, datetime

import uvicorn
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.cli import settle_collector
from app.db import create_engine
from app.reference.services import STANDARD_SERVICES
from app.security.secrets import digest
from app.settings import Settings

SERVICES = {service.code: service for service in STANDARD_SERVICES}
SESSION = "SELECT account_id FROM sessions WHERE token_digest = :digest AND revoked_at IS NULL"
PAGE = (
    "SELECT r.id, c.id, c.siren, c.name, r.role FROM company_roles r "
    "JOIN companies c ON c.id = r.company_id WHERE r.account_id = :account ORDER BY r.id LIMIT 101"
)
COUNT = "SELECT count(*) FROM company_roles WHERE account_id = :account"
SERVICES_OF = (
    "SELECT company_id, service_code, since FROM company_services WHERE company_id IN ({ids})"
)
PRINCIPALS = (
    "SELECT r.company_id, a.first_name, a.last_name, r.since FROM company_roles r "
    "JOIN accounts a ON a.id = r.account_id "
    "WHERE r.company_id IN ({ids}) AND r.role = 'PRINCIPAL_ADMINISTRATOR'"
)
PENDING = (
    "SELECT company_id, id, status, expires_at FROM service_requests "
    "WHERE account_id = :account AND company_id IN ({ids}) AND status = 'PENDING'"
)


def global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def moment(value: object) -> str:
    return value if isinstance(value, str) else value.isoformat()


FIRM_PAGE = (
    "SELECT r.id, c.id, c.siren, c.name, r.role FROM company_roles r "
    "JOIN companies c ON c.id = r.company_id WHERE r.account_id = :account ORDER BY r.id LIMIT 100"
)
SERVICE_CODES_OF = (
    "SELECT company_id, service_code FROM company_services WHERE company_id IN ({ids}) "
    "ORDER BY company_id, id"
)
PRINCIPAL_NAMES = (
    "SELECT r.company_id, a.last_name FROM company_roles r JOIN accounts a ON a.id = r.account_id "
    "WHERE r.company_id IN ({ids}) AND r.role = 'PRINCIPAL_ADMINISTRATOR'"
)
DELEGATION = "d.id, d.company_id, d.services, d.starts_at, d.ends_at, d.revoked_at, g.email"
OWN_DELEGATIONS = (
    f"SELECT {DELEGATION} FROM delegations d JOIN accounts g ON g.id = d.grantor_account_id "
    "WHERE d.company_id IN ({ids}) AND d.delegate_account_id = :account ORDER BY d.company_id, d.id"
)
RECEIVED = (
    f"SELECT {DELEGATION} FROM delegations d JOIN accounts g ON g.id = d.grantor_account_id "
    "WHERE d.delegate_account_id = :account ORDER BY d.id LIMIT 100"
)
DUE = (
    "SELECT id FROM delegations WHERE revoked_at IS NULL AND ("
    "(start_noted_at IS NULL AND starts_at <= :now) OR (end_noted_at IS NULL AND ends_at <= :now)"
    ") LIMIT 1"
)
FEED_WHERE = (
    "(ch.delegate_account_id = :account OR ch.company_id IN (SELECT company_id FROM company_roles "
    "WHERE account_id = :account AND (role = 'PRINCIPAL_ADMINISTRATOR' OR "
    "(role = 'ALTERNATE_ADMINISTRATOR' AND suspended_at IS NULL))))"
)
FEED_PAGE = (
    "SELECT ch.id, ch.kind, ch.occurred_at, d.id, d.starts_at, d.ends_at, d.revoked_at "
    "FROM delegation_changes ch JOIN delegations d ON d.id = ch.delegation_id "
    f"WHERE {FEED_WHERE} AND ch.id > :after ORDER BY ch.id LIMIT 101"
)


def instant(value: object) -> datetime | None:
    """A timestamp as the gateway reads it: aware, in UTC (SQLite hands back naive text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def status(starts_at: object, ends_at: object, revoked_at: object, now: datetime) -> str:
    if revoked_at is not None:
        return "REVOKED"
    if now < instant(starts_at):
        return "SCHEDULED"
    ends = instant(ends_at)
    return "EXPIRED" if ends is not None and now >= ends else "ACTIVE"


def cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"cursor:{position}".encode()).decode().rstrip("=")


def services_of(raw: object) -> dict[str, list[str]]:
    return json.loads(raw) if isinstance(raw, str) else raw


async def firm_dashboard(connection, account: int) -> dict:
    """`FirmDashboard`: the companies a delegate holds, its own delegations, those it received."""
    now = datetime.now(UTC)
    rows = (await connection.execute(text(FIRM_PAGE), {"account": account})).all()
    total = (await connection.execute(text(COUNT), {"account": account})).scalar()
    ids = ", ".join(str(row[1]) for row in rows) or "NULL"
    held: dict[int, list[str]] = {}
    for company_id, code in await connection.execute(text(SERVICE_CODES_OF.format(ids=ids))):
        held.setdefault(company_id, []).append(code)
    principals = dict((await connection.execute(text(PRINCIPAL_NAMES.format(ids=ids)))).all())
    own: dict[int, list] = {}
    for row in await connection.execute(
        text(OWN_DELEGATIONS.format(ids=ids)), {"account": account}
    ):
        own.setdefault(row[1], []).append(row)

    def services_page(company_id: int) -> list[dict]:
        # The rights of the live delegation, while it is active, on the services the company holds.
        live = [row for row in own.get(company_id, []) if row[5] is None]
        if not live or status(live[0][3], live[0][4], None, now) != "ACTIVE":
            return []
        rights = services_of(live[0][2])
        return [
            {"service": {"code": code}, "rights": rights[code]}
            for code in held.get(company_id, [])
            if rights.get(code)
        ]

    def delegation(row: tuple, *, with_services: bool) -> dict:
        node = {
            "id": global_id("Delegation", row[0]),
            "status": status(row[3], row[4], row[5], now),
        }
        if with_services:
            node["services"] = [
                {"service": {"code": code}, "rights": rights}
                for code, rights in services_of(row[2]).items()
            ]
        node["grantor"] = {"email": row[6]}
        return node

    received = (await connection.execute(text(RECEIVED), {"account": account})).all()
    edges = [
        {
            "node": {
                "id": global_id("Company", company_id),
                "siren": siren,
                "name": name,
                "myRole": role,
                "services": services_page(company_id),
                "principalAdministrator": (
                    {"lastName": principals[company_id]} if company_id in principals else None
                ),
                "delegations": {
                    "edges": [
                        {"node": delegation(row, with_services=False)}
                        for row in own.get(company_id, [])[:10]
                    ]
                },
            }
        }
        for _, company_id, siren, name, role in rows
    ]
    return {
        "viewer": {
            "companies": {"totalCount": total, "edges": edges},
            "delegationsReceived": {
                "edges": [{"node": delegation(row, with_services=True)} for row in received]
            },
        }
    }


async def feed(connection, account: int, after: str | None) -> dict:
    """`Feed`: one page of the change feed after a cursor."""
    now = datetime.now(UTC)
    # What the gateway checks first: whether a start or an expiry is due to be noted.
    await connection.execute(text(DUE), {"now": now})
    position = (
        int(base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).split(b":")[1])
        if after
        else 0
    )
    rows = (
        await connection.execute(text(FEED_PAGE), {"account": account, "after": position})
    ).all()
    edges = [
        {
            "cursor": cursor(change_id),
            "node": {
                "kind": kind,
                "occurredAt": instant(occurred_at).isoformat(),
                "delegation": {
                    "id": global_id("Delegation", delegation_id),
                    "status": status(starts_at, ends_at, revoked_at, now),
                },
            },
        }
        for change_id, kind, occurred_at, delegation_id, starts_at, ends_at, revoked_at in rows[
            :100
        ]
    ]
    page_info = {
        "hasNextPage": len(rows) > 100,
        "endCursor": edges[-1]["cursor"] if edges else after,
    }
    return {"viewer": {"delegationChanges": {"pageInfo": page_info, "edges": edges}}}


def build(database_url: str) -> Starlette:
    engine = create_engine(database_url)

    async def dashboard(request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        document = await request.json()
        async with engine.connect() as connection:
            account = (await connection.execute(text(SESSION), {"digest": digest(token)})).scalar()
            if account is None:
                return Response(
                    json.dumps({"data": {"viewer": None}}), media_type="application/json"
                )
            query = document.get("query", "")
            if "query FirmDashboard" in query:
                data = await firm_dashboard(connection, account)
                return Response(json.dumps({"data": data}), media_type="application/json")
            if "query Feed" in query:
                after = (document.get("variables") or {}).get("after")
                data = await feed(connection, account, after)
                return Response(json.dumps({"data": data}), media_type="application/json")
            page = (await connection.execute(text(PAGE), {"account": account})).all()
            total = (await connection.execute(text(COUNT), {"account": account})).scalar()
            rows = page[:100]
            ids = ", ".join(str(row[1]) for row in rows) or "NULL"
            services: dict[int, list] = {}
            for company_id, code, since in await connection.execute(
                text(SERVICES_OF.format(ids=ids))
            ):
                service = SERVICES.get(code)
                services.setdefault(company_id, []).append(
                    {
                        "service": {"code": code, "name": service.name if service else code},
                        "rights": [right.value for right in service.rights] if service else [],
                        "since": moment(since),
                    }
                )
            principals = {
                company_id: {"firstName": first, "lastName": last, "since": moment(since)}
                for company_id, first, last, since in await connection.execute(
                    text(PRINCIPALS.format(ids=ids))
                )
            }
            pending: dict[int, list] = {}
            for company_id, request_id, status, expires in await connection.execute(
                text(PENDING.format(ids=ids)), {"account": account}
            ):
                pending.setdefault(company_id, []).append(
                    {
                        "id": global_id("ServiceRequest", request_id),
                        "status": status,
                        "expiresAt": moment(expires),
                    }
                )
        edges = [
            {
                "node": {
                    "id": global_id("Company", company_id),
                    "siren": siren,
                    "name": name,
                    "myRole": role,
                    "services": services.get(company_id, []),
                    "principalAdministrator": principals.get(company_id),
                    "pendingServiceRequests": pending.get(company_id, []),
                }
            }
            for _, company_id, siren, name, role in rows
        ]
        body = {
            "data": {
                "viewer": {
                    "companies": {
                        "totalCount": total,
                        "pageInfo": {
                            "hasNextPage": len(page) > 100,
                            "endCursor": global_id("Cursor", rows[-1][0]) if rows else None,
                        },
                        "edges": edges,
                    }
                }
            }
        }
        return Response(json.dumps(body), media_type="application/json")

    async def ready(_: Request) -> Response:
        return Response("ready")

    return Starlette(
        routes=[Route("/graphql", dashboard, methods=["POST"]), Route("/readyz", ready)]
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    app = build(args.database_url)
    # Served like the gateway, with the same collector settings (`python -m app serve`).
    settle_collector(Settings.from_env().gc_young_threshold)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
