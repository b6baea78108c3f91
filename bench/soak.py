"""Soak: mixed reads and writes against a served gateway for five minutes, on 127.0.0.1 only.

Serves the gateway (production settings, one process) on the dashboard bench's data, then runs
8 clients without pause, each going round: the 100-company dashboard, a page of the firm's change
feed, `updateIdentity`, `grantDelegation` then `revokeDelegation` to the firm (history events and
outbox emails), `createApiToken` then `revokeApiToken`. A warm-up of the same load comes first;
the server's resident memory (VmRSS) is read every second after it.
Targets: 0 errors (HTTP status, GraphQL errors, userErrors), RSS growth < 10 % after warm-up.

    make bench-soak                          # SQLite under var/bench/
    BENCH_SOAK_SECONDS=60 make bench-soak    # a shorter run while trying things
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections import Counter
from pathlib import Path

import httpx
from dashboard import (
    CLIENTS,
    DASHBOARD,
    FEED,
    FIRM,
    build,
    database_url,
    free_port,
    log_in,
    start_server,
)

SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "300"))
WARMUP_SECONDS = int(os.environ.get("BENCH_SOAK_WARMUP_SECONDS", "60"))
GROWTH_TARGET = 0.10
IDENTITY = """mutation($i: UpdateIdentityInput!) {
  updateIdentity(input: $i) { account { lastName } userErrors { code field } } }"""
GRANT = """mutation($i: GrantDelegationInput!) {
  grantDelegation(input: $i) { delegation { id status } userErrors { code field } } }"""
REVOKE = """mutation($i: RevokeDelegationInput!) {
  revokeDelegation(input: $i) { delegation { id status } userErrors { code field } } }"""
CREATE_TOKEN = """mutation($i: CreateApiTokenInput!) {
  createApiToken(input: $i) { apiToken { id } userErrors { code field } } }"""
REVOKE_TOKEN = """mutation($i: RevokeApiTokenInput!) {
  revokeApiToken(input: $i) { userErrors { code field } } }"""


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit(f"no VmRSS for process {pid}")


class Soak:
    def __init__(self, http: httpx.AsyncClient, owner: str, firm: str) -> None:
        self.http, self.owner, self.firm = http, owner, firm
        self.operations: Counter[str] = Counter()
        self.errors: list[str] = []
        self.companies: list[tuple[str, str]] = []  # (company id, a service it holds)
        self.turns = itertools.count()

    async def call(self, name: str, token: str, query: str, variables: dict | None = None) -> dict:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {token}"},
        )
        self.operations[name] += 1
        body = (
            response.json()
            if response.headers.get("content-type", "").startswith("application/json")
            else {}
        )
        data = (body.get("data") or {}) if isinstance(body, dict) else {}
        payload = next(iter(data.values()), None) if data else None
        if response.status_code != 200 or body.get("errors") or not data:
            self.errors.append(f"{name}: HTTP {response.status_code} {str(body)[:200]}")
        elif isinstance(payload, dict) and payload.get("userErrors"):
            self.errors.append(f"{name}: {payload['userErrors']}")
        return data

    async def round(self) -> None:
        turn = next(self.turns)
        page = await self.call("dashboard", self.owner, DASHBOARD)
        if not self.companies and page:
            self.companies = [
                (edge["node"]["id"], edge["node"]["services"][0]["service"]["code"])
                for edge in page["viewer"]["companies"]["edges"]
            ]
        await self.call("feed", self.firm, FEED, {"after": None})
        await self.call(
            "updateIdentity",
            self.owner,
            IDENTITY,
            {"i": {"firstName": "Bench", "lastName": f"Owner {turn % 7}"}},
        )
        company, service = self.companies[turn % len(self.companies)]
        granted = await self.call(
            "grantDelegation",
            self.owner,
            GRANT,
            {
                "i": {
                    "companyId": company,
                    "delegateEmail": FIRM,
                    "services": [{"serviceCode": service, "rights": ["CONSULT"]}],
                }
            },
        )
        delegation = ((granted.get("grantDelegation") or {}).get("delegation") or {}).get("id")
        if delegation:
            await self.call(
                "revokeDelegation", self.owner, REVOKE, {"i": {"delegationId": delegation}}
            )
        created = await self.call(
            "createApiToken",
            self.owner,
            CREATE_TOKEN,
            {"i": {"name": f"soak {turn}", "scopes": ["companies:read"]}},
        )
        token = ((created.get("createApiToken") or {}).get("apiToken") or {}).get("id")
        if token:
            await self.call("revokeApiToken", self.owner, REVOKE_TOKEN, {"i": {"tokenId": token}})


async def run_for(soak: Soak, seconds: float) -> None:
    deadline = time.monotonic() + seconds

    async def client() -> None:
        while time.monotonic() < deadline:
            await soak.round()

    await asyncio.gather(*(client() for _ in range(CLIENTS)))


async def sample(pid: int, samples: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(resident_kib(pid))
        await asyncio.sleep(1)


async def main() -> None:
    url = database_url("soak")
    await build(url)
    port = free_port()
    server = start_server(url, port, {"MAIL_DIR": "var/bench/mail"})
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            soak = Soak(http, await log_in(http, "owner100@example.fr"), await log_in(http, FIRM))
            await run_for(soak, WARMUP_SECONDS)
            warm_errors, soak.errors = soak.errors, []
            warm_operations, soak.operations = sum(soak.operations.values()), Counter()
            samples: list[int] = []
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample(server.pid, samples, stop))
            started = time.monotonic()
            await run_for(soak, SECONDS)
            elapsed = time.monotonic() - started
            stop.set()
            await sampler
            samples.append(resident_kib(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)

    total = sum(soak.operations.values())
    growth = (samples[-1] - samples[0]) / samples[0]
    print(
        f"soak: {CLIENTS} clients, {SECONDS} s after a {WARMUP_SECONDS} s warm-up "
        f"({warm_operations} operations, {len(warm_errors)} errors)"
    )
    print(
        "operations: "
        + ", ".join(f"{name} {count}" for name, count in sorted(soak.operations.items()))
        + f"; {total} in all, {total / elapsed:.0f}/s"
    )
    for error in soak.errors[:5]:
        print(f"  error: {error}")
    print(f"errors: {len(soak.errors)}  target 0 {'PASS' if not soak.errors else 'FAIL'}")
    minutes = [samples[i] / 1024 for i in range(0, len(samples), 60)] + [samples[-1] / 1024]
    print("server RSS each minute (MiB): " + " ".join(f"{value:.1f}" for value in minutes))
    print(
        f"server RSS after warm-up {samples[0] / 1024:.1f} MiB, at the end {samples[-1] / 1024:.1f} MiB, "
        f"peak {max(samples) / 1024:.1f} MiB: growth {growth * 100:+.1f} %  "
        f"target < {GROWTH_TARGET * 100:.0f} % {'PASS' if growth < GROWTH_TARGET else 'FAIL'}"
    )


if __name__ == "__main__":
    asyncio.run(main())
