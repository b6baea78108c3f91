"""The account history records each step and refuses edits and deletions."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from app.models import AuditEvent
from tests.api.flows import LOG_IN, LOG_OUT, active_expert, log_in
from tests.support import OTHER_STRONG_PASSWORD


async def _kinds(app):
    async with app.state.runtime.sessions() as session:
        return list(await session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))


async def test_account_lifecycle_is_recorded_with_address_and_user_agent(
    app, api, deliver, settings, make_api
):
    account = await active_expert(api, deliver, settings.mail_dir)
    await api.data(LOG_IN, input={"email": account["email"], "password": OTHER_STRONG_PASSWORD})
    async with make_api(token=await log_in(api, account["email"])) as client:
        await client.data(LOG_OUT, input={})

    assert await _kinds(app) == [
        "ACCOUNT_SIGNED_UP",
        "ACCOUNT_ACTIVATED",
        "LOGIN_FAILED",
        "LOGIN_SUCCEEDED",
        "LOGGED_OUT",
    ]
    async with app.state.runtime.sessions() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.kind == "LOGGED_OUT"))
    assert event.ip == "203.0.113.7"
    assert event.user_agent == "tests/1.0"
    assert event.actor_account_id == event.subject_account_id is not None


@pytest.mark.parametrize(
    "statement", [update(AuditEvent).values(kind="EDITED"), delete(AuditEvent)]
)
async def test_history_is_append_only(app, api, deliver, settings, statement):
    await active_expert(api, deliver, settings.mail_dir)
    async with app.state.runtime.sessions() as session:
        with pytest.raises(DBAPIError, match="append-only"):
            await session.execute(statement)
