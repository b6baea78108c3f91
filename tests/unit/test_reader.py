"""`Reader`: a request's reads share one connection while they come in together, give it back
as soon as none is waiting, and always see what was committed before they started."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError

from app.db import Reader, create_engine, create_session_factory, read_rows, read_session
from app.models import ThrottleState

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url):
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


def _checkouts(sessions) -> list[object]:
    seen: list[object] = []
    event.listen(sessions.kw["bind"].sync_engine.pool, "checkout", lambda *_: seen.append(1))
    return seen


def _checked_out(sessions) -> int:
    return sessions.kw["bind"].sync_engine.pool.checkedout()


async def _add(sessions, key: str) -> None:
    async with sessions() as session:
        session.add(ThrottleState(key=key, failures=len(key), updated_at=AT))
        await session.commit()


def _keys(key_prefix: str):
    return select(ThrottleState.key, ThrottleState.failures).where(
        ThrottleState.key.like(f"{key_prefix}%")
    )


async def test_reads_that_come_together_share_one_connection(sessions):
    await _add(sessions, "a1")
    await _add(sessions, "b22")
    reader = Reader(sessions)
    checkouts = _checkouts(sessions)
    first, second, third = await asyncio.gather(
        reader.rows(_keys("a")), reader.rows(_keys("b")), reader.rows(_keys("zz"))
    )
    assert [tuple(row) for row in first] == [("a1", 2)]
    assert [tuple(row) for row in second] == [("b22", 3)]
    assert list(third) == []
    assert len(checkouts) == 1
    assert _checked_out(sessions) == 0  # back in the pool once nobody waits


async def test_a_read_after_a_commit_sees_it(sessions):
    reader = Reader(sessions)
    assert list(await reader.rows(_keys("c"))) == []
    await _add(sessions, "c1")
    assert [row.key for row in await reader.rows(_keys("c"))] == ["c1"]


async def test_orm_reads_join_the_burst_and_leave_its_transaction_alone(sessions):
    await _add(sessions, "d1")
    reader = Reader(sessions)
    checkouts = _checkouts(sessions)

    async def instance():
        async with reader.session() as session:
            return await session.get(ThrottleState, "d1")

    found, rows = await asyncio.gather(instance(), reader.rows(_keys("d")))
    assert found.failures == 2
    assert found.updated_at == AT
    assert [row.key for row in rows] == ["d1"]
    assert len(checkouts) == 1
    assert _checked_out(sessions) == 0


async def test_a_failing_read_gives_the_connection_back(sessions):
    reader = Reader(sessions)
    with pytest.raises(DBAPIError):
        await reader.rows(text("SELECT * FROM no_such_table"))
    assert _checked_out(sessions) == 0
    await _add(sessions, "e1")
    assert [row.key for row in await reader.rows(_keys("e"))] == ["e1"]


async def test_a_failing_read_does_not_fail_the_reads_waiting_behind_it(sessions):
    """PostgreSQL aborts a transaction at its first error: those queued behind start anew."""
    await _add(sessions, "i1")
    reader = Reader(sessions)
    failing, after = await asyncio.gather(
        reader.rows(text("SELECT * FROM no_such_table")),
        reader.rows(_keys("i")),
        return_exceptions=True,
    )
    assert isinstance(failing, DBAPIError)
    assert [row.key for row in after] == ["i1"]
    assert _checked_out(sessions) == 0


async def test_a_cancelled_read_gives_the_connection_back(sessions):
    await _add(sessions, "f1")
    reader = Reader(sessions)
    first = asyncio.ensure_future(reader.rows(_keys("f")))
    waiting = asyncio.ensure_future(reader.rows(_keys("f")))
    await asyncio.sleep(0)
    waiting.cancel()
    assert [row.key for row in await first] == ["f1"]
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert _checked_out(sessions) == 0
    assert [row.key for row in await reader.rows(_keys("f"))] == ["f1"]


async def test_helpers_take_a_session_factory_too(sessions):
    await _add(sessions, "g1")
    assert [row.key for row in await read_rows(sessions, _keys("g"))] == ["g1"]
    async with read_session(sessions) as session:
        assert (await session.get(ThrottleState, "g1")).failures == 2
    reader = Reader(sessions)
    async with read_session(reader) as session:
        assert (await session.get(ThrottleState, "g1")).failures == 2
    assert _checked_out(sessions) == 0
