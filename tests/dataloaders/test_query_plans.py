"""Every statement of the dashboard uses an index (EXPLAIN on SQLite and on PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.api.flows import DASHBOARD, active_expert, log_in
from tests.dataloaders.fixtures import delegate_many, make_principal_of_many
from tests.dataloaders.test_firm_statements import FIRM_DASHBOARD, _account_id


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


@pytest.mark.parametrize("dashboard", ["owner", "firm"])
async def test_dashboard_statements_use_indexes(app, api, deliver, settings, make_api, dashboard):
    runtime, engine = app.state.runtime, app.state.engine
    await active_expert(api, deliver, settings.mail_dir, email="owner@example.fr")
    owner_id = await _account_id(runtime, "owner@example.fr")
    if dashboard == "owner":
        await make_principal_of_many(runtime, owner_id, 150)
        email, query = "owner@example.fr", DASHBOARD
    else:
        await active_expert(api, deliver, settings.mail_dir, email="firm@example.fr")
        await delegate_many(
            runtime, owner_id, await _account_id(runtime, "firm@example.fr"), 150, 0
        )
        email, query = "firm@example.fr", FIRM_DASHBOARD
    async with make_api(token=await log_in(api, email)) as client:
        captured = []

        def record(_conn, _cursor, statement, parameters, *_args):
            if statement.lstrip().upper().startswith("SELECT"):
                captured.append((statement, parameters))

        event.listen(engine.sync_engine, "before_cursor_execute", record)
        try:
            await client.data(query)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", record)

    assert len(captured) >= 5
    scans = {}
    for statement, parameters in captured:
        plan = await _explain(engine, statement, parameters)
        if full := _full_scans(engine, plan):
            scans[statement] = full
    assert scans == {}
