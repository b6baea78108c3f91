"""History figures, side by side in one run, on SQLite and on PostgreSQL (when reachable).

1. Appends per second: transactions that each record one event, with the hash chain (the
   gateway's way) and without it (the same row written directly, unchained), by one writer and by
   four concurrent writers.
2. The CSV export of 10,000 and of 100,000 events through `/exports/history.csv`, each in a fresh
   process: time and peak RSS (flat in the number of rows when the export streams).

    make bench-history            # BENCH_POSTGRES_URL=... to point at another server
"""

from __future__ import annotations

import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from app.audit import chain
from app.audit.events import EventKind, record_event
from app.clock import SystemClock
from app.db import create_engine, create_session_factory, write_transaction
from app.domain.runtime import Caller
from app.migrate import upgrade
from app.models import AuditEvent

APPENDS = 400
WRITERS = 4
POSTGRES = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def _fresh(kind: str, directory: Path, label: str = "appends") -> str:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{directory}/{label}.db"
    name = f"bench_history_{label}_{os.getpid()}"
    admin = create_engine(POSTGRES)
    async with admin.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        await autocommit.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return POSTGRES.rsplit("/", 1)[0] + f"/{name}"


async def _appends(url: str, *, chained: bool, writers: int) -> float:
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    clock = SystemClock()
    each = APPENDS // writers

    async def writer(label: str) -> None:
        for index in range(each):
            async with write_transaction(sessions) as session:
                if chained:
                    record_event(
                        session, EventKind.LOGGED_OUT, caller=Caller(ip=label), at=clock.now()
                    )
                else:
                    session.add(
                        AuditEvent(
                            occurred_at=clock.now(),
                            kind=EventKind.LOGGED_OUT.value,
                            ip=label,
                            details={"n": index},
                        )
                    )

    started = time.perf_counter()
    await asyncio.gather(*(writer(f"192.0.2.{n}") for n in range(writers)))
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return each * writers / elapsed


async def _fill(url: str, account_id: int, count: int) -> None:
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    now = SystemClock().now()
    for start in range(0, count, 5_000):
        async with sessions() as session:
            rows = [
                AuditEvent(
                    occurred_at=now,
                    kind=EventKind.LOGIN_SUCCEEDED.value,
                    subject_account_id=account_id,
                    ip="203.0.113.7",
                    user_agent="bench/1.0",
                    details={},
                )
                for _ in range(min(5_000, count - start))
            ]
            await session.run_sync(lambda sync, rows=rows: chain.append(sync, rows))
            await session.commit()
    await engine.dispose()


EXPORT = """
import asyncio, resource, sys, time
import httpx
from app.main import create_app
from app.settings import Settings

async def main(url, token):
    app = create_app(Settings(database_url=url, outbox_dispatcher=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            started = time.perf_counter()
            lines = 0
            async with client.stream("GET", "/exports/history.csv",
                                     headers={"authorization": f"Bearer {token}"}) as response:
                async for chunk in response.aiter_text():
                    lines += chunk.count("\\n")
            elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{lines} {elapsed:.2f} {peak:.0f}")

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def _account_with_session(url: str) -> tuple[int, str]:
    from datetime import timedelta

    from app.models import Account, Session
    from app.security.secrets import digest, new_session_token

    engine = create_engine(url)
    sessions = create_session_factory(engine)
    now = SystemClock().now()
    token = new_session_token()
    async with sessions() as session:
        account = Account(
            registration_number=f"B{os.getpid()}",
            email="bench@example.fr",
            email_key="bench@example.fr",
            password_hash="!",  # noqa: S106  (no password: the bench opens a session row)
            first_name="Bench",
            last_name="Mark",
            mode="EXPERT",
            status="ACTIVE",
            created_at=now,
            password_changed_at=now,
        )
        session.add(account)
        await session.flush()
        session.add(
            Session(
                account_id=account.id,
                token_digest=digest(token),
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=12),
            )
        )
        await session.commit()
        account_id = account.id
    await engine.dispose()
    return account_id, token


def _export(url: str, token: str) -> tuple[int, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", EXPORT, url, token],
        capture_output=True,
        text=True,
        check=True,
        timeout=1200,
    ).stdout.split()
    return int(out[0]), float(out[1]), float(out[2])


async def run(kind: str, directory: Path) -> None:
    url = await _fresh(kind, directory)
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    print(f"\n== {kind} ==")
    for writers in (1, WRITERS):
        plain = await _appends(url, chained=False, writers=writers)
        chained = await _appends(url, chained=True, writers=writers)
        print(
            f"appends/s, {writers} writer(s): unchained {plain:7.0f}   chained {chained:7.0f}   "
            f"ratio {chained / plain:.2f}"
        )
    # The unchained rows above would (rightly) fail verification: start the export afresh.
    url = (
        await _fresh(kind, directory / "export")
        if kind == "postgres"
        else (f"sqlite+aiosqlite:///{directory}/export.db")
    )
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    account_id, token = await _account_with_session(url)
    filled = 0
    for target in (10_000, 100_000):
        await _fill(url, account_id, target - filled)
        filled = target
        lines, seconds, peak = _export(url, token)
        print(
            f"CSV export of {target:>7,} events: {lines:>7,} lines in {seconds:6.2f} s "
            f"({target / seconds:8.0f} rows/s), peak RSS {peak:5.0f} MiB"
        )


async def main() -> None:
    print(
        f"bench process: Python {sys.version.split()[0]}, ru_maxrss now "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        await run("sqlite", root)
        try:
            await run("postgres", root)
        except OSError as error:
            print(f"PostgreSQL not reachable ({error}); its figures are left out.")


if __name__ == "__main__":
    asyncio.run(main())
