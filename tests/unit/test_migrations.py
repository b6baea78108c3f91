"""The migrations create exactly the schema the models describe, on either database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.db import Base, create_engine


async def test_models_and_migrations_agree(database_url):
    engine = create_engine(database_url)

    def differences(connection):
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()


async def test_events_recorded_before_the_chain_are_chained_in_order(empty_database_url):
    from datetime import UTC, datetime

    from sqlalchemy import text

    from app.audit.verification import verify
    from app.db import create_session_factory
    from app.migrate import upgrade

    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine, "0013")
        async with engine.begin() as connection:
            for index in range(5):
                await connection.execute(
                    text(
                        "INSERT INTO audit_events (occurred_at, kind, ip, details) "
                        "VALUES (:at, :kind, :ip, :details)"
                    ),
                    {
                        "at": datetime(2026, 1, 1, 12, index, tzinfo=UTC).replace(tzinfo=None)
                        if connection.dialect.name == "sqlite"
                        else datetime(2026, 1, 1, 12, index, tzinfo=UTC),
                        "kind": "LOGIN_SUCCEEDED",
                        "ip": f"192.0.2.{index}",
                        "details": '{"n": %d}' % index,  # noqa: UP031
                    },
                )
        await upgrade(engine)
        verdict = await verify(create_session_factory(engine))
        async with engine.connect() as connection:
            sequences = (
                (await connection.execute(text("SELECT sequence FROM audit_events ORDER BY id")))
                .scalars()
                .all()
            )
    finally:
        await engine.dispose()
    assert verdict.ok, verdict.fault
    assert verdict.events == 5
    assert list(sequences) == [1, 2, 3, 4, 5]
