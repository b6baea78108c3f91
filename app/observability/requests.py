"""The record of the request in progress, filled by whichever layer learns something about it.

The middleware opens a record per HTTP request and reads it once the response is sent (the log
line and the metrics); the GraphQL view names the caller, a schema extension the operations, the
engine counts SQL statements and the log-in rules note failures and lock-outs. Code running
outside a request (the outbox dispatcher, the command line) finds no record and notes nothing.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class Operation:
    """One GraphQL operation of the request (a batch holds several)."""

    name: str | None
    type: str | None


@dataclass
class RequestRecord:
    method: str
    path: str
    request_id: str
    endpoint: str
    caller_kind: str = "anonymous"
    # "kind:id" of the caller; logs and traces show only a keyed digest of it (`pseudonym`).
    identity: str | None = None
    operations: list[Operation] = field(default_factory=list)
    error_codes: list[str] = field(default_factory=list)
    sql_statements: int = 0
    login_failures: int = 0
    lockouts: int = 0
    status: int | None = None
    # The app's tracer when tracing is on: the operation spans are its children.
    tracer: Any = None


_current: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar(
    "request_record", default=None
)


def open_record(record: RequestRecord) -> contextvars.Token[RequestRecord | None]:
    return _current.set(record)


def close_record(token: contextvars.Token[RequestRecord | None]) -> None:
    _current.reset(token)


def current_record() -> RequestRecord | None:
    return _current.get()


def note_caller(kind: str, identity: str | None) -> None:
    """`kind` is anonymous, session, api_token or staff; `identity` e.g. "account:12"."""
    record = _current.get()
    if record is not None:
        record.caller_kind = kind
        record.identity = identity


def note_operation(name: str | None, operation_type: str | None) -> None:
    record = _current.get()
    if record is not None:
        record.operations.append(Operation(name, operation_type))


def note_error_code(code: str) -> None:
    record = _current.get()
    if record is not None:
        record.error_codes.append(code)


def note_login_failure(*, locked: bool) -> None:
    record = _current.get()
    if record is not None:
        record.login_failures += 1
        record.lockouts += int(locked)


def count_statements(engine: AsyncEngine) -> None:
    """Counts every statement the engine sends into the record of the request that sent it.

    SQLAlchemy runs the listener in a greenlet that shares the request task's context, so the
    record found is the one of the request whose code awaited the statement.
    """

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(*_args: object) -> None:
        record = _current.get()
        if record is not None:
            record.sql_statements += 1
