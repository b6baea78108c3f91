"""Per-address rate limits and per-key lock-out, kept in the database for every process to share."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import SessionFactory, dialect_insert, write_transaction
from app.domain.errors import RateLimitedError
from app.models import RateLimitHit, ThrottleState
from app.security.secrets import digest
from app.settings import LockoutPolicy, RateLimit

# One host usually holds a whole IPv6 /64 (SLAAC, privacy addresses): counting each address apart
# would give it 2^64 budgets.
IPV6_CLIENT_PREFIX = 64


def client_key(address: str | None) -> str:
    """Whom per-address limits count: the IPv4 address, or the IPv6 /64 it belongs to."""
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(parsed)


async def consume_rate_limit(
    sessions: SessionFactory, bucket: str, client: str | None, limit: RateLimit, now: datetime
) -> None:
    """Count one attempt for (bucket, client address); refuse it past the limit.

    Runs in a transaction of its own, so the attempt counts even when the operation then fails.
    """
    key = f"{bucket}:{client_key(client)}"
    since = now - limit.window
    async with write_transaction(sessions) as session:
        await serialize_on(session, key)
        await session.execute(
            delete(RateLimitHit).where(RateLimitHit.key == key, RateLimitHit.at <= since)
        )
        hits = await session.execute(
            select(func.count(), func.min(RateLimitHit.at)).where(RateLimitHit.key == key)
        )
        count, oldest = hits.one()
        if count >= limit.limit:
            retry_after = (oldest + limit.window - now) if oldest else limit.window
            raise RateLimitedError(max(1, int(retry_after.total_seconds()) + 1))
        session.add(RateLimitHit(key=key, at=now))


async def serialize_on(session: AsyncSession, key: str) -> None:
    """Make concurrent checks of one key take turns, so that none can slip past the limit.

    SQLite already runs write transactions one at a time; PostgreSQL takes an advisory lock
    released at commit.
    """
    if session.bind.dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))


def lockout_key(purpose: str, *parts: str) -> str:
    return f"{purpose}:{digest('|'.join(parts))}"


async def failure_count(session: AsyncSession, key: str) -> int:
    state = await session.get(ThrottleState, key)
    return state.failures if state else 0


async def locked_until(session: AsyncSession, key: str, now: datetime) -> datetime | None:
    state = await session.get(ThrottleState, key)
    if state and state.locked_until and state.locked_until > now:
        return state.locked_until
    return None


async def register_failure(
    session: AsyncSession, key: str, policy: LockoutPolicy, now: datetime
) -> tuple[int, datetime | None]:
    """One more consecutive failure; returns the count and the lock it starts, if any."""
    # Create the row if needed without racing a concurrent failure, then lock it.
    await session.execute(
        dialect_insert(session)(ThrottleState)
        .values(key=key, failures=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=[ThrottleState.key])
    )
    state = await session.scalar(
        select(ThrottleState)
        .where(ThrottleState.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    state.failures += 1
    state.updated_at = now
    over = state.failures - policy.free_failures
    if over < 0:
        return state.failures, None
    wait = min(policy.first_wait * (2**over), policy.max_wait)
    state.locked_until = now + wait
    return state.failures, state.locked_until


async def clear_failures(session: AsyncSession, key: str) -> None:
    await session.execute(delete(ThrottleState).where(ThrottleState.key == key))


def seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, int((moment - now) / timedelta(seconds=1)) + 1)
