"""Fixtures: a migrated database per test, the app with a frozen clock, API clients."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from app.clock import FrozenClock
from app.db import create_engine, create_session_factory
from app.domain.directory import import_sirene
from app.main import create_app
from app.migrate import upgrade
from tests.support import Api, make_settings

SAMPLE = Path(__file__).parent.parent / "app" / "reference" / "sirene"
LEGAL_UNITS = SAMPLE / "StockUniteLegale_sample.csv"
ESTABLISHMENTS = SAMPLE / "StockEtablissement_sample.csv"


async def _build_template(path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    await import_sirene(
        create_session_factory(engine), LEGAL_UNITS, ESTABLISHMENTS, FrozenClock().now()
    )
    await engine.dispose()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once, with the sample directory imported; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(_build_template(path))
    return path


@pytest.fixture
def database_url(template_database: Path, tmp_path: Path) -> str:
    path = tmp_path / "test.db"
    shutil.copyfile(template_database, path)
    return f"sqlite+aiosqlite:///{path}"


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
def deliver(app: Starlette) -> Callable[[], Any]:
    """Run the outbox dispatcher once, as the background task would."""
    return app.state.dispatcher.run_once
