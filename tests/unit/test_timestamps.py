"""Timestamps are stored in UTC and read back timezone-aware, on every database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from app.db import create_engine, create_session_factory
from app.models import ThrottleState


async def test_aware_in_aware_out(database_url):
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    paris_summer = timezone(timedelta(hours=2))
    try:
        async with sessions() as session:
            session.add(
                ThrottleState(
                    key="k", failures=0, updated_at=datetime(2026, 7, 1, 14, 0, tzinfo=paris_summer)
                )
            )
            await session.commit()
        async with sessions() as session:
            stored = await session.scalar(select(ThrottleState.updated_at))
        assert stored == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
        assert stored.utcoffset() == timedelta(0)
        async with sessions() as session:
            naive = datetime(2026, 7, 1, 12, 0)  # noqa: DTZ001  (the point of the test)
            session.add(ThrottleState(key="naive", failures=0, updated_at=naive))
            with pytest.raises(StatementError, match="naive"):
                await session.commit()
    finally:
        await engine.dispose()
