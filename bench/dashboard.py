"""Dashboard benchmark: an account with 100 and one with 1,000 companies, over HTTP.

Builds the data, starts a real uvicorn process (one worker) on 127.0.0.1, runs the dashboard query
(viewer -> companies(first: 100) -> services, principal administrator, pending requests) with
concurrent clients, and prints p50/p99 latency, requests per second and SQL statements per request.
It then reads the same data with hand-written SQL serialised to JSON, and prints the ratio
gateway/raw as the distance from that floor.

    make bench                      # SQLite file under var/bench/
    BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench make bench
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import argon2
import httpx
from sqlalchemy import event, insert, text
from sqlalchemy.engine import make_url

from app.clock import SystemClock
from app.db import create_engine, create_session_factory
from app.migrate import upgrade
from app.models import (
    Account,
    Company,
    CompanyRole,
    CompanyService,
    Delegation,
    DelegationChange,
    Role,
)
from app.reference.services import STANDARD_SERVICES
from app.security.passwords import PasswordHasher, PasswordWorkBudget
from app.security.secrets import new_registration_number

ROOT = Path(__file__).parents[1]
PASSWORD = "violet tambour glacier parapluie 1987"
SIZES = (100, 1000)
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
WARMUP = 20
TIME_LIMIT_SECONDS = 120  # each measured run stops by itself after this, whatever is left
DASHBOARD = """
query Dashboard {
  viewer {
    companies(first: 100) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        id siren name myRole
        services { service { code name } rights since }
        principalAdministrator { firstName lastName since }
        pendingServiceRequests { id status expiresAt }
      } }
    }
  }
}
"""
FIRM_DASHBOARD = """
query FirmDashboard {
  viewer {
    companies(first: 100) {
      totalCount
      edges { node {
        id siren name myRole
        services { service { code } rights }
        principalAdministrator { lastName }
        delegations(first: 10) { edges { node { id status grantor { email } } } }
      } }
    }
    delegationsReceived(first: 100) {
      edges { node { id status services { service { code } rights } grantor { email } } }
    }
  }
}
"""
FEED = """
query Feed($after: String) {
  viewer { delegationChanges(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { kind occurredAt delegation { id status } } }
  } }
}
"""
FIRM = "firm@example.fr"
RAW_PAGE = """
SELECT r.id, c.id, c.siren, c.name, r.role FROM company_roles r JOIN companies c ON c.id = r.company_id
WHERE r.account_id = :account ORDER BY r.id LIMIT 101
"""
RAW_COUNT = "SELECT count(*) FROM company_roles WHERE account_id = :account"
RAW_SERVICES = (
    "SELECT company_id, service_code, since FROM company_services WHERE company_id IN ({ids})"
)
RAW_PRINCIPALS = (
    "SELECT r.company_id, a.first_name, a.last_name, r.since FROM company_roles r "
    "JOIN accounts a ON a.id = r.account_id "
    "WHERE r.company_id IN ({ids}) AND r.role = 'PRINCIPAL_ADMINISTRATOR'"
)
RAW_PENDING = (
    "SELECT company_id, id, status, expires_at FROM service_requests "
    "WHERE account_id = :account AND company_id IN ({ids}) AND status = 'PENDING'"
)


def database_url(name: str = "bench") -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    path = ROOT / "var" / "bench" / f"{name}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}"


async def recreate_postgres(url: str) -> None:
    admin = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    name = make_url(url).database
    engine = create_engine(admin)
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


async def build(url: str) -> dict[int, int]:
    """Two active accounts, principal administrators of 100 and 1,000 companies."""
    if url.startswith("postgresql"):
        await recreate_postgres(url)
    engine = create_engine(url)
    await upgrade(engine)
    sessions = create_session_factory(engine)
    now = SystemClock().now()
    password_hash = await PasswordHasher(argon2.profiles.RFC_9106_LOW_MEMORY).hash(
        PASSWORD, PasswordWorkBudget()
    )
    accounts = {}
    async with sessions() as session:
        next_company = 1
        for size in SIZES:
            account = Account(
                registration_number=new_registration_number(),
                email=f"owner{size}@example.fr",
                email_key=f"owner{size}@example.fr",
                password_hash=password_hash,
                first_name="Bench",
                last_name=f"Owner {size}",
                mode="EXPERT",
                status="ACTIVE",
                created_at=now,
                activated_at=now,
                password_changed_at=now,
            )
            session.add(account)
            await session.flush()
            ids = list(range(next_company, next_company + size))
            next_company += size
            await session.execute(
                insert(Company),
                [
                    {
                        "id": i,
                        "siren": f"{800000000 + i}",
                        "name": f"ENTREPRISE {i}",
                        "street_name": "RUE DU BANC",
                        "postal_code": "75001",
                        "city": "PARIS",
                        "updated_at": now,
                    }
                    for i in ids
                ],
            )
            await session.execute(
                insert(CompanyRole),
                [
                    {
                        "company_id": i,
                        "account_id": account.id,
                        "role": Role.PRINCIPAL_ADMINISTRATOR,
                        "since": now,
                    }
                    for i in ids
                ],
            )
            await session.execute(
                insert(CompanyService),
                [
                    {"company_id": i, "service_code": s.code, "since": now}
                    for i in ids
                    for s in STANDARD_SERVICES
                ],
            )
            accounts[size] = account.id
        firm = Account(
            registration_number=new_registration_number(),
            email=FIRM,
            email_key=FIRM,
            password_hash=password_hash,
            first_name="Cabinet",
            last_name="Aubert",
            mode="EXPERT",
            status="ACTIVE",
            created_at=now,
            activated_at=now,
            password_changed_at=now,
        )
        session.add(firm)
        await session.flush()
        # The firm holds a delegation on each of the 1,000 companies, each with its GRANTED change.
        delegated = range(next_company - SIZES[-1], next_company)
        await session.execute(
            insert(Delegation),
            [
                {
                    "id": i,
                    "company_id": i,
                    "delegate_account_id": firm.id,
                    "grantor_account_id": accounts[SIZES[-1]],
                    "starts_at": now,
                    "start_noted_at": now,
                    "services": {"DECLARER_TVA": ["CONSULT", "DECLARE"], "PAYER_TVA": ["PAY"]},
                    "created_at": now,
                    "updated_at": now,
                }
                for i in delegated
            ],
        )
        await session.execute(
            insert(CompanyRole),
            [
                {"company_id": i, "account_id": firm.id, "role": Role.DELEGATE, "since": now}
                for i in delegated
            ],
        )
        await session.execute(
            insert(DelegationChange),
            [
                {
                    "delegation_id": i,
                    "company_id": i,
                    "delegate_account_id": firm.id,
                    "kind": "GRANTED",
                    "occurred_at": now,
                }
                for i in delegated
            ],
        )
        await session.commit()
    await engine.dispose()
    return accounts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    # The bench is one caller sending thousands of requests: no hourly points budget for it.
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "APP_ENV": "production",
        "GRAPHQL_INTROSPECTION": "1",
        "COST_POINTS_PER_HOUR": str(10**9),
        **(extra_env or {}),
    }
    return serve([sys.executable, "-m", "app", "serve", "--port", str(port)], port, env, "gateway")


def serve(command: list[str], port: int, env: dict[str, str] | None, name: str) -> subprocess.Popen:
    """Start a server process and wait until its /readyz answers."""
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"the {name} did not start")


async def log_in(client: httpx.AsyncClient, email: str) -> str:
    query = "mutation($i: LogInInput!) { logIn(input: $i) { token userErrors { code } } }"
    variables = {"i": {"email": email, "password": PASSWORD}}
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    return response.json()["data"]["logIn"]["token"]


async def load(
    client: httpx.AsyncClient, token: str, total: int, query: str = DASHBOARD
) -> tuple[list[float], float]:
    headers = {"authorization": f"Bearer {token}"}
    latencies: list[float] = []
    remaining = total
    deadline = time.monotonic() + TIME_LIMIT_SECONDS

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0 and time.monotonic() < deadline:
            remaining -= 1
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": query}, headers=headers)
            latencies.append(time.perf_counter() - started)
            body = response.json()
            if "errors" in body or len(body["data"]["viewer"]["companies"]["edges"]) != 100:
                raise SystemExit(f"unexpected answer: {str(body)[:300]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    return latencies, time.perf_counter() - started


FEED_ROUNDS = 5


async def read_feed(client: httpx.AsyncClient, token: str) -> tuple[list[float], list[float]]:
    """Read the whole change feed page by page, as a sync loop would from scratch."""
    headers = {"authorization": f"Bearer {token}"}
    pages, wholes = [], []
    for _ in range(FEED_ROUNDS):
        after, count, started = None, 0, time.perf_counter()
        while True:
            page_started = time.perf_counter()
            body = (
                await client.post(
                    "/graphql", json={"query": FEED, "variables": {"after": after}}, headers=headers
                )
            ).json()
            pages.append(time.perf_counter() - page_started)
            feed = body["data"]["viewer"]["delegationChanges"]
            count += len(feed["edges"])
            after = feed["pageInfo"]["endCursor"]
            if not feed["pageInfo"]["hasNextPage"]:
                break
        wholes.append(time.perf_counter() - started)
        if count != SIZES[-1]:
            raise SystemExit(f"the feed returned {count} changes, not {SIZES[-1]}")
    return pages, wholes


def start_floor(url: str, port: int) -> subprocess.Popen:
    command = [sys.executable, str(ROOT / "bench" / "floor.py"), "--port", str(port)]
    return serve([*command, "--database-url", url], port, None, "floor")


WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "15"))
WRK_SCRIPT = """wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
"""


def wrk(port: int, token: str, query: str = DASHBOARD) -> tuple[float, float]:
    """Requests/s and p99 (s) of wrk (one thread, CLIENTS connections) on 127.0.0.1: a load
    generator in C, so that neither server is measured through the client's own slowness."""
    script = ROOT / "var" / "bench" / "wrk.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(json.dumps({"query": query}))
    script.write_text(WRK_SCRIPT.format(body=body, token=token), encoding="utf-8")
    output = subprocess.run(
        [shutil.which("wrk") or "/usr/bin/wrk", "-t1", f"-c{CLIENTS}", f"-d{WRK_SECONDS}s",
         "--timeout", "60s", "--latency", "-s", str(script), f"http://127.0.0.1:{port}/graphql"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"wrk saw errors:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()
    return rate, float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


async def answer(client: httpx.AsyncClient, token: str, query: str) -> dict:
    headers = {"authorization": f"Bearer {token}"}
    return (await client.post("/graphql", json={"query": query}, headers=headers)).json()


async def floor_figures(
    url: str, tokens: dict[int, str], firm_token: str, firm_answers: dict[str, dict]
) -> dict[object, tuple[float, float]]:
    """The floor, served by uvicorn and loaded by wrk exactly as the gateway was.

    The firm dashboard and the feed must answer exactly what the gateway answered."""
    port = free_port()
    server = start_floor(url, port)
    figures: dict[object, tuple[float, float]] = {}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for size, token in tokens.items():
                await load(client, token, WARMUP)  # checks the answer's shape too
                figures[size] = wrk(port, token)
            for name, query in (("firm dashboard", FIRM_DASHBOARD), ("feed page", FEED)):
                floor_data = (await answer(client, firm_token, query))["data"]
                if floor_data != firm_answers[name]["data"]:
                    raise SystemExit(f"the floor's {name} differs from the gateway's")
                figures[name] = wrk(port, firm_token, query)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def statements_per_request(url: str, token: str, query: str = DASHBOARD) -> int:
    """One dashboard request in process, counting what reaches the database driver."""
    from app.main import create_app
    from app.settings import Settings

    app = create_app(
        Settings(database_url=url, outbox_dispatcher=False, cost_points_per_hour=10**9)
    )
    count = 0

    def record(_conn, _cursor, statement, *_args) -> None:
        nonlocal count
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            count += 1

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = {"authorization": f"Bearer {token}"}
            await client.post("/graphql", json={"query": query}, headers=headers)
            event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
            await client.post("/graphql", json={"query": query}, headers=headers)
            event.remove(app.state.engine.sync_engine, "before_cursor_execute", record)
    return count


async def raw_floor(url: str, account_id: int, total: int) -> list[float]:
    """The same page read with hand-written SQL and serialised to JSON, one request at a time."""
    engine = create_engine(url)
    latencies = []
    async with engine.connect() as connection:
        for _ in range(total):
            started = time.perf_counter()
            page = (await connection.execute(text(RAW_PAGE), {"account": account_id})).all()
            total_count = (
                await connection.execute(text(RAW_COUNT), {"account": account_id})
            ).scalar()
            ids = ", ".join(str(row[1]) for row in page[:100])
            services, principals, pending = {}, {}, {}
            for company_id, code, since in await connection.execute(
                text(RAW_SERVICES.format(ids=ids))
            ):
                services.setdefault(company_id, []).append({"code": code, "since": str(since)})
            for company_id, first, last, since in await connection.execute(
                text(RAW_PRINCIPALS.format(ids=ids))
            ):
                principals[company_id] = {"firstName": first, "lastName": last, "since": str(since)}
            pending_rows = await connection.execute(
                text(RAW_PENDING.format(ids=ids)), {"account": account_id}
            )
            for company_id, request_id, status, expires in pending_rows:
                pending.setdefault(company_id, []).append(
                    {"id": request_id, "status": status, "expiresAt": str(expires)}
                )
            json.dumps(
                {
                    "totalCount": total_count,
                    "edges": [
                        {
                            "id": row[1],
                            "siren": row[2],
                            "name": row[3],
                            "myRole": row[4],
                            "services": services.get(row[1], []),
                            "principalAdministrator": principals.get(row[1]),
                            "pendingServiceRequests": pending.get(row[1], []),
                        }
                        for row in page[:100]
                    ],
                }
            )
            latencies.append(time.perf_counter() - started)
    await engine.dispose()
    return latencies


def print_floor_comparison(gateway: dict, floors: dict) -> None:
    print(
        f"\nagainst the floor (bench/floor.py: plain Starlette, hand-written SQL, same database, "
        f"uvicorn; both loaded by wrk, {CLIENTS} connections, {WRK_SECONDS} s):"
    )
    print(f"{'page':>14} {'gateway req/s':>14} {'floor req/s':>12} {'ratio':>7} {'gateway p99 ms':>15}  target")
    verdicts = []
    for size in SIZES:
        (rate, p99), (floor_rate, _) = gateway[size], floors[size]
        ok = rate / floor_rate >= 1 / 3
        verdicts.append(ok)
        print(
            f"{f'{size} companies':>14} {rate:>14.1f} {floor_rate:>12.1f} {rate / floor_rate:>7.3f}"
            f" {p99 * 1000:>15.1f}  >= 0.333 {'PASS' if ok else 'FAIL'}"
        )
    for name in ("firm dashboard", "feed page"):
        (rate, p99), (floor_rate, _) = gateway[name], floors[name]
        print(
            f"{name:>14} {rate:>14.1f} {floor_rate:>12.1f} {rate / floor_rate:>7.3f}"
            f" {p99 * 1000:>15.1f}  (beside its own floor)"
        )
    growth = gateway[SIZES[1]][1] / gateway[SIZES[0]][1]
    ok = growth <= 1.2
    verdicts.append(ok)
    print(f"gateway p99 at {SIZES[1]} / p99 at {SIZES[0]}: {growth:.2f}  <= 1.2 {'PASS' if ok else 'FAIL'}")
    print("all PASS" if all(verdicts) else "some FAIL")


async def main() -> None:
    url = database_url()
    print(
        f"database: {make_url(url).get_backend_name()}; clients: {CLIENTS}; requests per size: {REQUESTS}"
    )
    accounts = await build(url)
    port = free_port()
    server = start_server(url, port)
    results = {}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            tokens, gateway_wrk = {}, {}
            for size in SIZES:
                token = tokens[size] = await log_in(client, f"owner{size}@example.fr")
                await load(client, token, WARMUP)
                latencies, elapsed = await load(client, token, REQUESTS)
                gateway_wrk[size] = wrk(port, token)
                statements = await statements_per_request(url, token)
                raw = await raw_floor(url, accounts[size], REQUESTS // 4)
                results[size] = (latencies, elapsed, statements, raw)
            firm_token = await log_in(client, FIRM)
            await load(client, firm_token, WARMUP, FIRM_DASHBOARD)
            firm = await load(client, firm_token, REQUESTS, FIRM_DASHBOARD)
            firm_statements = await statements_per_request(url, firm_token, FIRM_DASHBOARD)
            feed = await read_feed(client, firm_token)
            firm_answers = {}
            for name, query in (("firm dashboard", FIRM_DASHBOARD), ("feed page", FEED)):
                firm_answers[name] = await answer(client, firm_token, query)
                gateway_wrk[name] = wrk(port, firm_token, query)
    finally:
        server.terminate()
        server.wait(timeout=30)
    floors = await floor_figures(url, {size: tokens[size] for size in SIZES}, firm_token, firm_answers)

    print(
        f"{'companies':>9} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>7} {'SQL/req':>7} {'raw p50 ms':>10} {'gateway/raw':>11}"
    )
    for size, (latencies, elapsed, statements, raw) in results.items():
        p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
        raw_p50 = statistics.median(raw) * 1000
        print(
            f"{size:>9} {p50:>8.1f} {p99:>8.1f} {len(latencies) / elapsed:>7.0f} {statements:>7} {raw_p50:>10.2f} {p50 / raw_p50:>10.1f}x"
        )
    p99_small = percentile(results[SIZES[0]][0], 0.99)
    p99_large = percentile(results[SIZES[1]][0], 0.99)
    flat = results[SIZES[0]][2] == results[SIZES[1]][2]
    print(
        f"statements flat in N: {'yes' if flat else 'NO'}; p99 at {SIZES[1]} / p99 at {SIZES[0]}: {p99_large / p99_small:.2f}"
    )
    latencies, elapsed = firm
    print(
        f"firm dashboard (delegations on {SIZES[-1]} companies): "
        f"p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, {len(latencies) / elapsed:.0f} req/s, "
        f"{firm_statements} SQL statements per request"
    )
    pages, whole = feed
    print(
        f"change feed ({SIZES[-1]} changes, pages of 100, one client): page p50 "
        f"{percentile(pages, 0.5) * 1000:.1f} ms, p99 {percentile(pages, 0.99) * 1000:.1f} ms; "
        f"whole feed read in {statistics.median(whole) * 1000:.0f} ms (median of {FEED_ROUNDS})"
    )
    print(
        "gateway latencies include HTTP and concurrency with other clients; raw is one request at a time"
    )
    print_floor_comparison(gateway_wrk, floors)


if __name__ == "__main__":
    asyncio.run(main())
