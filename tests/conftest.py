"""Fixtures: a migrated database per test, the app with a frozen clock, API clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from app.clock import FrozenClock
from app.main import create_app
from tests.databases import PostgresDatabases, SqliteDatabases, databases_for_run
from tests.support import Api, make_settings


@pytest.fixture(scope="session")
def databases(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SqliteDatabases | PostgresDatabases]:
    """SQLite by default; PostgreSQL when TEST_DATABASE_URL is set (`make test-postgres`)."""
    run = databases_for_run(tmp_path_factory.mktemp("databases"))
    asyncio.run(run.create_template())
    yield run
    asyncio.run(run.drop_template())


@pytest.fixture
async def database_url(databases) -> AsyncIterator[str]:
    """A fresh database, migrated and holding the sample directory, dropped after the test."""
    url = await databases.fresh()
    yield url
    await databases.drop(url)


@pytest.fixture
async def empty_database_url(databases) -> AsyncIterator[str]:
    """A fresh database with no tables at all."""
    url = await databases.fresh(empty=True)
    yield url
    await databases.drop(url)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def settings(database_url: str, tmp_path: Path, settings_overrides: dict[str, Any]):
    return make_settings(database_url, tmp_path, **settings_overrides)


@pytest.fixture
async def app(settings, clock: FrozenClock) -> AsyncIterator[Starlette]:
    application = create_app(settings, clock=clock)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def api(app: Starlette) -> AsyncIterator[Api]:
    async with Api(app) as client:
        yield client


@pytest.fixture
def make_api(app: Starlette) -> Callable[..., Api]:
    return lambda **kwargs: Api(app, **kwargs)


@pytest.fixture
def staff_api(app: Starlette) -> Callable[..., Api]:
    """Clients of the staff endpoint, /staff/graphql."""
    return lambda **kwargs: Api(app, path="/staff/graphql", **kwargs)


@pytest.fixture
def deliver(app: Starlette) -> Callable[[], Any]:
    """Run the outbox dispatcher once, as the background task would."""
    return app.state.dispatcher.run_once
