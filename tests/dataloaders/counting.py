"""Count the SQL statements an engine runs (SQLAlchemy's `before_cursor_execute`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")
# Every request spends its query cost in one statement of its own (app/schema/cost.py,
# tested there): the counts here are about what answering the query costs.
COST_ACCOUNTING = "cost_budgets"


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            return
        if COST_ACCOUNTING not in statement:
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
