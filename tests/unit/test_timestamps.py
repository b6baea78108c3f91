"""Timestamps are stored in UTC and read back timezone-aware, on every database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, select
from sqlalchemy.exc import StatementError

from app.db import UTCDateTime, create_engine, create_session_factory
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


async def test_read_back_exactly_through_core_rows(database_url):
    """Core reads (the loaders' plain rows) convert as the ORM does: microseconds kept, any
    stored offset brought to UTC, NULL left alone."""
    probe = Table(
        "timestamp_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", UTCDateTime, nullable=True),
    )
    written = [
        datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
        None,
    ]
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(probe.create)
            await connection.execute(
                probe.insert(), [{"id": i, "at": at} for i, at in enumerate(written)]
            )
            read = (await connection.execute(select(probe.c.at).order_by(probe.c.id))).scalars()
            read = list(read)
            await connection.run_sync(probe.drop)
    finally:
        await engine.dispose()
    assert read == [written[0], datetime(2026, 1, 2, 1, 4, 5, tzinfo=UTC), None]
    assert [moment.tzinfo for moment in read[:2]] == [UTC, UTC]
