"""The databases a test run uses: SQLite files by default, PostgreSQL with TEST_DATABASE_URL.

Either way each test gets a fresh database, cloned from a template that was migrated and loaded
with the sample directory once per run, and dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.clock import FrozenClock
from app.db import create_engine, create_session_factory
from app.domain.directory import import_sirene
from app.migrate import upgrade

SAMPLE = Path(__file__).parent.parent / "app" / "reference" / "sirene"
LEGAL_UNITS = SAMPLE / "StockUniteLegale_sample.csv"
ESTABLISHMENTS = SAMPLE / "StockEtablissement_sample.csv"

# An administrative URL (any database of the server): the tests create and drop their own.
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


async def migrate(url: str, *, with_sample: bool) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        if with_sample:
            sessions = create_session_factory(engine)
            await import_sirene(sessions, LEGAL_UNITS, ESTABLISHMENTS, FrozenClock().now())
    finally:
        await engine.dispose()


class SqliteDatabases:
    name = "sqlite"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.template = directory / "template.db"

    async def create_template(self) -> None:
        await migrate(self._url(self.template), with_sample=True)

    async def fresh(self, *, empty: bool = False) -> str:
        path = self.directory / f"test-{secrets.token_hex(6)}.db"
        if empty:
            return self._url(path)
        shutil.copyfile(self.template, path)
        return self._url(path)

    async def drop(self, url: str) -> None:
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    async def drop_template(self) -> None:
        await self.drop(self._url(self.template))

    @staticmethod
    def _url(path: Path) -> str:
        return f"sqlite+aiosqlite:///{path}"


class PostgresDatabases:
    name = "postgresql"

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url)
        self.template = f"gateway_template_{secrets.token_hex(4)}"

    async def _admin(self, statement: str) -> None:
        engine = create_engine(self.admin_url.render_as_string(hide_password=False))
        try:
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    def _url(self, database: str) -> str:
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    async def create_template(self) -> None:
        await self._admin(f'CREATE DATABASE "{self.template}"')
        await migrate(self._url(self.template), with_sample=True)

    async def fresh(self, *, empty: bool = False) -> str:
        name = f"gateway_test_{secrets.token_hex(6)}"
        template = "template0" if empty else self.template
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self._url(name)

    async def drop(self, url: str) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    async def drop_template(self) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


def databases_for_run(directory: Path) -> SqliteDatabases | PostgresDatabases:
    return PostgresDatabases(POSTGRES_URL) if POSTGRES_URL else SqliteDatabases(directory)
