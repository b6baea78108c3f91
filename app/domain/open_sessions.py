"""The one way a session token is checked, for professionals and staff alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.db import read_session, write_transaction
from app.domain.runtime import Caller, Runtime
from app.models import Session
from app.security.secrets import digest

# Refreshing `last_seen_at` on every request would turn each read into a write.
LAST_SEEN_GRANULARITY = timedelta(minutes=1)
# Changes to credentials and money need a log-in this recent (ASVS 7.5.1).
RECENT_LOGIN = timedelta(minutes=15)

Owner = TypeVar("Owner")
SessionRow = TypeVar("SessionRow")


async def open_session(
    rt: Runtime,
    token: str,
    *,
    session_model: type[SessionRow],
    owner_model: type[Owner],
    owner_key: InstrumentedAttribute[int],
    idle_timeout: timedelta,
    usable: Callable[[Owner], bool],
) -> tuple[Owner, SessionRow] | None:
    """The owner and session behind a token, while the session is open and the owner usable."""
    now = rt.clock.now()
    model: Any = session_model
    async with read_session(rt.sessions) as session:
        row = (
            await session.execute(
                select(session_model, owner_model)
                .join(owner_model, owner_model.id == owner_key)  # type: ignore[attr-defined]
                .where(model.token_digest == digest(token))
            )
        ).first()
    if row is None:
        return None
    found, owner = row
    if (
        found.revoked_at
        or now >= found.expires_at
        or now >= found.last_seen_at + idle_timeout
        or not usable(owner)
    ):
        return None
    if now - found.last_seen_at >= LAST_SEEN_GRANULARITY:
        async with write_transaction(rt.sessions) as session:
            await session.execute(
                update(session_model).where(model.id == found.id).values(last_seen_at=now)
            )
    return owner, found


async def logged_in_recently(session: AsyncSession, caller: Caller, now: datetime) -> bool:
    """Whether the caller's session (never an API token) was opened within RECENT_LOGIN."""
    if caller.session_id is None or caller.api_token_id is not None:
        return False
    user_session = await session.get(Session, caller.session_id)
    return user_session is not None and now - user_session.created_at <= RECENT_LOGIN
