"""Every statement of the dashboard uses an index (EXPLAIN on SQLite and on PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import event, select

from app.models import Account
from tests.api.flows import DASHBOARD, logged_in_expert
from tests.dataloaders.fixtures import make_principal_of_many


async def _explain(engine, statement, parameters):
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # Tiny test tables make a sequential scan cheapest; forbid it to see the index plan.
            await connection.exec_driver_sql("SET enable_seqscan = off")
            rows = await connection.exec_driver_sql("EXPLAIN " + statement, parameters)
            return [row[0] for row in rows]
        rows = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return [row[-1] for row in rows]


def _full_scans(engine, plan):
    if engine.dialect.name == "postgresql":
        return [line for line in plan if "Seq Scan" in line]
    return [line for line in plan if line.startswith("SCAN") and "CONSTANT ROW" not in line]


async def test_dashboard_statements_use_indexes(app, api, deliver, settings, make_api):
    runtime, engine = app.state.runtime, app.state.engine
    email = "owner@example.fr"
    async with await logged_in_expert(
        api, deliver, settings.mail_dir, make_api, email=email
    ) as client:
        async with runtime.sessions() as session:
            account_id = await session.scalar(select(Account.id).where(Account.email == email))
        await make_principal_of_many(runtime, account_id, 150)
        captured = []

        def record(_conn, _cursor, statement, parameters, *_args):
            if statement.lstrip().upper().startswith("SELECT"):
                captured.append((statement, parameters))

        event.listen(engine.sync_engine, "before_cursor_execute", record)
        try:
            await client.data(DASHBOARD)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", record)

    assert len(captured) >= 5
    scans = {}
    for statement, parameters in captured:
        plan = await _explain(engine, statement, parameters)
        if full := _full_scans(engine, plan):
            scans[statement] = full
    assert scans == {}
