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
