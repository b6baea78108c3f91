"""Double sign-up, double confirmation and double activation are impossible, even at once."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.models import Account, CompanyRole, OutboxMessage, Role
from tests.api.flows import (
    ACTIVATE_ACCOUNT,
    CONFIRM_EMAIL,
    SIGN_UP_BASIC,
    SIGN_UP_EXPERT,
    basic_input,
    basic_until_letter,
    expert_input,
    sign_up_expert,
)
from tests.support import error_codes

ATTEMPTS = 6


async def _count(app, model, *where):
    async with app.state.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def _at_once(make_api, document, variables_list):
    clients = [make_api(ip=f"192.0.2.{index}") for index in range(len(variables_list))]
    for client in clients:
        await client.__aenter__()
    try:
        return await asyncio.gather(
            *(
                client.data(document, **variables)
                for client, variables in zip(clients, variables_list, strict=True)
            )
        )
    finally:
        for client in clients:
            await client.__aexit__()


async def test_concurrent_identical_sign_ups_create_one_account(app, make_api):
    results = await _at_once(make_api, SIGN_UP_EXPERT, [{"input": expert_input()}] * ATTEMPTS)

    outcomes = sorted(tuple(error_codes(r["signUpExpert"])) for r in results)
    assert outcomes == [()] + [("EMAIL_ALREADY_REGISTERED",)] * (ATTEMPTS - 1)
    assert await _count(app, Account) == 1
    assert await _count(app, OutboxMessage) == 1


async def test_concurrent_basic_sign_ups_for_one_company_create_one_account(app, make_api):
    inputs = [{"input": basic_input(f"user{index}@example.fr")} for index in range(ATTEMPTS)]
    results = await _at_once(make_api, SIGN_UP_BASIC, inputs)

    outcomes = sorted(tuple(error_codes(r["signUpBasic"])) for r in results)
    assert outcomes == [()] + [("COMPANY_SIGNUP_IN_PROGRESS",)] * (ATTEMPTS - 1)
    assert await _count(app, Account) == 1


async def test_concurrent_activations_activate_once(app, api, make_api, deliver, settings):
    account, code = await sign_up_expert(api, deliver, settings.mail_dir)
    variables = {"input": {"email": account["email"], "code": code}}

    results = await _at_once(make_api, ACTIVATE_ACCOUNT, [variables] * ATTEMPTS)

    outcomes = sorted(tuple(error_codes(r["activateAccount"])) for r in results)
    assert outcomes == [()] + [("CODE_ALREADY_USED",)] * (ATTEMPTS - 1)


async def test_concurrent_confirmations_post_one_letter(app, api, make_api, deliver, settings):
    _, token = await basic_until_letter(api, deliver, settings.mail_dir)

    results = await _at_once(make_api, CONFIRM_EMAIL, [{"input": {"token": token}}] * ATTEMPTS)

    outcomes = sorted(tuple(error_codes(r["confirmEmail"])) for r in results)
    assert outcomes == [()] + [("TOKEN_ALREADY_USED",)] * (ATTEMPTS - 1)
    assert await _count(app, OutboxMessage, OutboxMessage.kind == "LETTER") == 1


async def test_the_database_refuses_a_second_principal_administrator(app, api, deliver, settings):
    first, _ = await sign_up_expert(api, deliver, settings.mail_dir)
    second, _ = await sign_up_expert(api, deliver, settings.mail_dir, email="other@example.fr")
    runtime = app.state.runtime
    now = runtime.clock.now()
    async with runtime.sessions() as session:
        ids = list(await session.scalars(select(Account.id).order_by(Account.id)))
        session.add(
            CompanyRole(
                company_id=1, account_id=ids[0], role=Role.PRINCIPAL_ADMINISTRATOR, since=now
            )
        )
        await session.commit()
        session.add(
            CompanyRole(
                company_id=1, account_id=ids[1], role=Role.PRINCIPAL_ADMINISTRATOR, since=now
            )
        )
        with pytest.raises(IntegrityError):
            await session.commit()
    assert first["id"] != second["id"]
