"""Engine, session factory, declarative base and the unit of work."""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    Executable,
    MetaData,
    Row,
    any_,
    bindparam,
    event,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite reads are plain deferred transactions; writes take the write lock at BEGIN so that two
# writers queue on the busy timeout instead of failing when a read lock cannot be upgraded.
WRITE_OPTION = "gateway_write"

SessionFactory = async_sessionmaker[AsyncSession]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps on every database: stored in UTC, read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetimes are refused: pass an aware one"
            raise ValueError(msg)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is UTC:  # what asyncpg gives for a UTC session
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[object], datetime | None] | None:
        """On SQLite, the text is parsed and marked UTC in one step: a page reads a thousand
        timestamps, and the generic path (the driver type's parser, then the method above,
        through a wrapper) cost several percent of such an answer."""
        if dialect.name == "sqlite":
            return _sqlite_moment
        return super().result_processor(dialect, coltype)


def _sqlite_moment(value: object) -> datetime | None:
    """A timestamp as SQLite stores it (naive UTC text, SQLAlchemy's format): aware, in UTC."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value)  # type: ignore[arg-type]
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class PoolSettings:
    """PostgreSQL connection pool and timeouts, per gateway process (README, "Deployment")."""

    size: int = 10
    max_overflow: int = 10
    timeout_seconds: float = 10.0
    recycle_seconds: int = 1800
    statement_timeout_ms: int = 15_000
    idle_in_transaction_timeout_ms: int = 30_000


def create_engine(url: str, pool: PoolSettings | None = None) -> AsyncEngine:
    if url.startswith("sqlite"):
        # Parameters stay out of error messages and logs: they hold digests and personal data.
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    pool = pool or PoolSettings()
    return create_async_engine(
        url,
        # READ COMMITTED on purpose: correctness comes from unique constraints, conditional
        # UPDATEs, row locks and SKIP LOCKED, not from serializable retries.
        isolation_level="READ COMMITTED",
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=pool.size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.timeout_seconds,
        pool_recycle=pool.recycle_seconds,
        connect_args={
            "server_settings": {
                "application_name": "espace-pro-gateway",
                "statement_timeout": str(pool.statement_timeout_ms),
                "idle_in_transaction_session_timeout": str(pool.idle_in_transaction_timeout_ms),
                "timezone": "UTC",
            }
        },
    )


def dialect_insert(session: AsyncSession) -> Callable[..., Any]:
    """`INSERT` with `ON CONFLICT` support for the session's database."""
    return insert_for(session.bind.dialect)


def insert_for(dialect: Dialect) -> Callable[..., Any]:
    """`INSERT` with `ON CONFLICT` support for this kind of database."""
    return postgresql_insert if dialect.name == "postgresql" else sqlite_insert


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy emit BEGIN itself (the driver's implicit BEGIN is always deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


# SQLite has one writer at a time. Writers of this process wait their turn here, in arrival
# order, instead of in SQLite's busy handler, which sleeps in growing steps (up to 100 ms) and
# would leave the write lock idle while a dashboard's one small write sleeps behind a storm of
# log-ins. Other processes (the CLI beside a running server) still queue on the busy timeout.
_SQLITE_WRITERS: weakref.WeakKeyDictionary[
    Engine, tuple[asyncio.AbstractEventLoop, asyncio.Lock]
] = weakref.WeakKeyDictionary()


def _writer_turn(sessions: SessionFactory) -> asyncio.Lock | None:
    """The in-process queue of SQLite writers for this database (None on PostgreSQL)."""
    bind = sessions.kw.get("bind")
    if bind is None or bind.dialect.name != "sqlite":
        return None
    loop = asyncio.get_running_loop()
    held = _SQLITE_WRITERS.get(bind.sync_engine)
    if held is None or held[0] is not loop:
        held = _SQLITE_WRITERS[bind.sync_engine] = (loop, asyncio.Lock())
    return held[1]


@asynccontextmanager
async def write_transaction(sessions: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One mutation, one transaction: committed on success, rolled back on any exception."""
    turn = _writer_turn(sessions)
    if turn is None:
        async with sessions() as session, session.begin():
            await session.connection(execution_options={WRITE_OPTION: True})
            yield session
        return
    async with turn, sessions() as session, session.begin():
        await session.connection(execution_options={WRITE_OPTION: True})
        yield session


class Reader:
    """One request's reads, sharing a connection while they come in together.

    A request's loaders dispatch their batches in the same tick (a page's services,
    administrators and pending requests): each used to check out a connection, begin, run one
    statement, roll back and check the connection in, through a session of its own. Here they
    queue on one connection instead and run one after the other, and the connection goes back
    to the pool as soon as no read is waiting (a "burst"). So a request never holds a connection
    while it waits for anything else (a write transaction, another burst), and a read issued
    after a commit of the same request starts a new transaction that sees it.

    Rows come back buffered; `session()` is for the reads that build ORM instances, on the same
    connection and in the same transaction.
    """

    __slots__ = ("_connection", "_engine", "_turn", "_waiting")

    def __init__(self, sessions: SessionFactory) -> None:
        self._engine: AsyncEngine = sessions.kw["bind"]
        self._turn = asyncio.Lock()
        self._waiting = 0
        self._connection: AsyncConnection | None = None

    @asynccontextmanager
    async def _burst(self) -> AsyncIterator[AsyncConnection]:
        self._waiting += 1
        try:
            await self._turn.acquire()
        finally:
            self._waiting -= 1
        failed = False
        try:
            if self._connection is None:
                self._connection = await self._engine.connect()
                # Explicitly, so that sessions join this transaction rather than each begin
                # and roll back one of their own.
                await self._connection.begin()
            yield self._connection
        except BaseException:
            # A failed statement can leave the transaction unusable (PostgreSQL aborts it): the
            # reads still waiting start on a fresh connection, as they would have on their own.
            failed = True
            raise
        finally:
            try:
                if (failed or not self._waiting) and self._connection is not None:
                    connection, self._connection = self._connection, None
                    await connection.close()
            finally:
                self._turn.release()

    @property
    def dialect(self) -> Dialect:
        return self._engine.dialect

    async def rows(
        self, statement: Executable, parameters: dict[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        """The statement's rows (Core: columns, never ORM instances)."""
        async with self._burst() as connection:
            return (await connection.execute(statement, parameters)).all()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """An ORM session on the burst's connection, for the reads that build instances."""
        async with self._burst() as connection:
            # The session joins the burst's transaction: closing it leaves that alone.
            session = AsyncSession(bind=connection, expire_on_commit=False)
            try:
                yield session
            finally:
                await session.close()


ReadSource = SessionFactory | Reader


@asynccontextmanager
async def read_session(source: ReadSource) -> AsyncIterator[AsyncSession]:
    """A session to read with: on the request's `Reader` when given one, else a fresh one."""
    if isinstance(source, Reader):
        async with source.session() as session:
            yield session
        return
    async with source() as session:
        yield session


def _expanding_in(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    return column.in_(bindparam(name, expanding=True))


def _any_of(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    return column == any_(bindparam(name, type_=ARRAY(column.type)))


KeysIn = Callable[[ColumnElement[Any], str], ColumnElement[bool]]


class KeyedStatement:
    """A loader's statement, built once for each kind of database, given its keys as parameters.

    `build` receives how to say "this column is one of the keys named so" and returns the
    statement. Elsewhere that is an IN list expanded at each execution; on PostgreSQL one array
    parameter (`= ANY(...)`), which the driver sends as one value where SQLAlchemy would render
    a hundred placeholders, with a cast each, on every request. The index is used either way.
    """

    __slots__ = ("_default", "_postgresql")

    def __init__(self, build: Callable[[KeysIn], Executable]) -> None:
        self._default = build(_expanding_in)
        self._postgresql = build(_any_of)

    def on(self, dialect: Dialect) -> Executable:
        return self._postgresql if dialect.name == "postgresql" else self._default


async def read_rows(
    source: ReadSource,
    statement: Executable | KeyedStatement,
    parameters: dict[str, Any] | None = None,
) -> Sequence[Row[Any]]:
    """A read's rows as plain tuples (no ORM instance), through the request's `Reader` if given.

    A statement built once (a `KeyedStatement`, or any statement with bound parameters) and
    given its values here costs neither its construction nor its cache key on each request."""
    if isinstance(statement, KeyedStatement):
        bind = source.dialect if isinstance(source, Reader) else source.kw["bind"].dialect
        statement = statement.on(bind)
    if isinstance(source, Reader):
        return await source.rows(statement, parameters)
    async with source() as session:
        return (await session.execute(statement, parameters)).all()
