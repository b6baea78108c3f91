"""The floor: the dashboard's JSON served by a plain Starlette app from hand-written SQL.

Same database, same bearer session token (looked up by digest, as the gateway does), same
statements a careful hand-written endpoint would send, same answer shape as the gateway's
`Dashboard` query, served by uvicorn like the gateway, so both can be loaded the same way.

    python bench/floor.py --port 8100 --database-url sqlite+aiosqlite:///var/bench/bench.db
"""

from __future__ import annotations

import argparse
import base64
import json

import uvicorn
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.db import create_engine
from app.reference.services import STANDARD_SERVICES
from app.security.secrets import digest

SERVICES = {service.code: service for service in STANDARD_SERVICES}
SESSION = (
    "SELECT account_id FROM sessions WHERE token_digest = :digest AND revoked_at IS NULL"
)
PAGE = (
    "SELECT r.id, c.id, c.siren, c.name, r.role FROM company_roles r "
    "JOIN companies c ON c.id = r.company_id WHERE r.account_id = :account ORDER BY r.id LIMIT 101"
)
COUNT = "SELECT count(*) FROM company_roles WHERE account_id = :account"
SERVICES_OF = "SELECT company_id, service_code, since FROM company_services WHERE company_id IN ({ids})"
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


def build(database_url: str) -> Starlette:
    engine = create_engine(database_url)

    async def dashboard(request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        async with engine.connect() as connection:
            account = (
                await connection.execute(text(SESSION), {"digest": digest(token)})
            ).scalar()
            if account is None:
                return Response(json.dumps({"data": {"viewer": None}}), media_type="application/json")
            page = (await connection.execute(text(PAGE), {"account": account})).all()
            total = (await connection.execute(text(COUNT), {"account": account})).scalar()
            rows = page[:100]
            ids = ", ".join(str(row[1]) for row in rows) or "NULL"
            services: dict[int, list] = {}
            for company_id, code, since in await connection.execute(text(SERVICES_OF.format(ids=ids))):
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
                    {"id": global_id("ServiceRequest", request_id), "status": status, "expiresAt": moment(expires)}
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
    uvicorn.run(build(args.database_url), host="127.0.0.1", port=args.port, log_level="warning")
