"""Log-in storm: the dashboard's p99 while 20 clients log in continuously, against its idle p99.

Serves the gateway (production settings, RFC 9106 argon2) and loads the 100-company dashboard
with 8 clients, idle, then again while 20 other clients log in without pause (each from its own
address through X-Forwarded-For, so the per-address limit does not stop them); three rounds of
both, alternating.
Target: p99 under the storm <= 2 x idle p99.

    make bench-storm                    # SQLite under var/bench/
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time

import httpx
from dashboard import (
    CLIENTS,
    DASHBOARD,
    PASSWORD,
    build,
    database_url,
    free_port,
    load,
    log_in,
    percentile,
    start_server,
)

STORM_CLIENTS = 20
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
LOG_IN = "mutation($i: LogInInput!) { logIn(input: $i) { token userErrors { code } } }"
TARGET = 2.0
ROUNDS = 3


async def storm(base: str, stop: asyncio.Event, counts: list[int]) -> None:
    addresses = itertools.count(1)

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            while not stop.is_set():
                number = next(addresses)
                forwarded = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
                response = await http.post(
                    "/graphql",
                    json={"query": LOG_IN, "variables": {"i": {"email": "owner1000@example.fr", "password": PASSWORD}}},
                    headers={"x-forwarded-for": forwarded},
                )
                payload = response.json()["data"]["logIn"]
                if payload["userErrors"]:
                    raise SystemExit(f"log-in refused: {payload['userErrors']}")
                counts.append(1)

    await asyncio.gather(*(client() for _ in range(STORM_CLIENTS)))


async def measure(url: str) -> tuple[float, float, float]:
    """Idle and storm phases alternate ROUNDS times, so that a drift of the shared machine's
    speed during the run weighs on both sides alike; each p99 is over all its phases."""
    port = free_port()
    server = start_server(url, port, {"FORWARDED_ALLOW_IPS": "127.0.0.1"})
    base = f"http://127.0.0.1:{port}"
    idle: list[float] = []
    busy: list[float] = []
    logins, storm_seconds = 0, 0.0
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            token = await log_in(client, "owner100@example.fr")
            await load(client, token, 30, DASHBOARD)
            for _ in range(ROUNDS):
                idle += (await load(client, token, REQUESTS // ROUNDS, DASHBOARD))[0]
                stop, counts = asyncio.Event(), []
                storming = asyncio.create_task(storm(base, stop, counts))
                await asyncio.sleep(2)  # let the storm fill the queue
                started, before = time.perf_counter(), len(counts)
                busy += (await load(client, token, REQUESTS // ROUNDS, DASHBOARD))[0]
                logins += len(counts) - before
                storm_seconds += time.perf_counter() - started
                stop.set()
                await storming
    finally:
        server.terminate()
        server.wait(timeout=30)
    return percentile(idle, 0.99), percentile(busy, 0.99), logins / storm_seconds


async def main() -> None:
    url = database_url()
    await build(url)
    print(f"dashboard (100 companies) with {CLIENTS} clients, {REQUESTS} requests per phase; storm: {STORM_CLIENTS} clients logging in")
    print(f"{'idle p99 ms':>12}{'storm p99 ms':>13}{'ratio':>7}{'log-ins/s':>10}  target")
    idle, busy, rate = await measure(url)
    verdict = "PASS" if busy / idle <= TARGET else "FAIL"
    print(f"{idle * 1000:>12.1f}{busy * 1000:>13.1f}{busy / idle:>7.2f}{rate:>10.1f}  <= {TARGET:.0f}x {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
