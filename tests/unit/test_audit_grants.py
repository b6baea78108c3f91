"""On PostgreSQL, the application's role may read and append the history, never change it.

The grants are the README's ("Deployment"): the owner runs the migrations, the gateway connects
as a role without UPDATE, DELETE nor TRUNCATE on audit_events (the triggers stay as a second
wall).
"""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.db import create_engine

GRANTS = [
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM {role}",
]


async def test_the_application_role_appends_but_never_changes_the_history(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("roles and grants are PostgreSQL's")
    role = f"gateway_app_{secrets.token_hex(4)}"
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text(f"CREATE ROLE {role} NOLOGIN"))
            for grant in GRANTS:
                await autocommit.execute(text(grant.format(role=role)))
            await autocommit.execute(text(f"SET ROLE {role}"))
            await autocommit.execute(
                text(
                    "INSERT INTO audit_events (occurred_at, kind, details) "
                    "VALUES (now(), 'LOGGED_OUT', '{}')"
                )
            )
            for statement in (
                "UPDATE audit_events SET kind = 'EDITED'",
                "DELETE FROM audit_events",
                "TRUNCATE audit_events",
            ):
                with pytest.raises(DBAPIError, match="permission denied"):
                    await autocommit.execute(text(statement))
            await autocommit.execute(text("RESET ROLE"))
            await autocommit.execute(text(f"DROP OWNED BY {role}"))
            await autocommit.execute(text(f"DROP ROLE {role}"))
    finally:
        await engine.dispose()
