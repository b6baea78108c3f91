"""Double sign-up, double confirmation and double activation are impossible, even at once."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.models import Account, CompanyRole, OutboxMessage, Role
from app.notifications.outbox import UNSOLICITED_EMAILS_PER_HOUR
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
from tests.support import error_codes, read_letters

ATTEMPTS = 6


async def _rows(app, query):
    async with app.state.runtime.sessions() as session:
        return (await session.execute(query)).all()


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

    assert all(r["signUpExpert"]["userErrors"] == [] for r in results)
    assert await _count(app, Account) == 1
    subjects = [
        subject
        for (subject,) in await _rows(app, select(OutboxMessage.subject).order_by(OutboxMessage.id))
    ]
    # One code; the owner hears of the other attempts, up to the hourly cap of such emails.
    assert subjects.count("Your activation code") == 1
    assert len(subjects) == UNSOLICITED_EMAILS_PER_HOUR


async def test_concurrent_basic_sign_ups_for_one_company_run_side_by_side(app, make_api):
    inputs = [{"input": basic_input(f"user{index}@example.fr")} for index in range(ATTEMPTS)]
    results = await _at_once(make_api, SIGN_UP_BASIC, inputs)

    assert all(r["signUpBasic"]["userErrors"] == [] for r in results)
    assert await _count(app, Account) == ATTEMPTS


async def test_concurrent_basic_activations_appoint_one_principal(
    app, api, make_api, deliver, settings
):
    variables = []
    for index in range(3):
        account, token = await basic_until_letter(
            api, deliver, settings.mail_dir, email=f"u{index}@example.fr"
        )
        await api.data(CONFIRM_EMAIL, input={"token": token})
        await deliver()
        code = read_letters(settings.letters_dir)[-1]["code"]
        variables.append({"input": {"email": account["email"], "code": code}})

    results = await _at_once(make_api, ACTIVATE_ACCOUNT, variables)

    outcomes = sorted(tuple(error_codes(r["activateAccount"])) for r in results)
    assert outcomes == [()] + [("COMPANY_ALREADY_HAS_ADMINISTRATOR",)] * 2
    principals = CompanyRole.role == Role.PRINCIPAL_ADMINISTRATOR
    assert await _count(app, CompanyRole, principals) == 1


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
    assert first["email"] != second["email"]
    assert len(ids) == 2
