"""Email addresses: distinct addresses stay distinct accounts; one address in two spellings is one."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.db import create_engine
from app.migrate import upgrade
from app.models import Account
from app.notifications.addresses import email_key
from tests.api.flows import ACTIVATE_ACCOUNT, SIGN_UP_EXPERT, active_expert, expert_input
from tests.support import code_in, error_codes, mail_to


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("anna@straße.de", "anna@strasse.de"),  # German sharp s: two domains
        ("σίσυφος@example.gr", "σίσυφοσ@example.gr"),  # Greek final sigma: two mailboxes
        ("JOSÉ@example.fr", "josé@example.fr"),  # only A-Z fold: É and é may differ
    ],
)
async def test_addresses_that_mail_servers_keep_apart_are_two_accounts(
    api, deliver, settings, first, second
):
    await active_expert(api, deliver, settings.mail_dir, email=first)

    await api.data(SIGN_UP_EXPERT, input=expert_input(second))

    await deliver()
    [message] = mail_to(settings.mail_dir, second)
    code = code_in(message)  # the second address got its own code, not a notice
    data = await api.data(ACTIVATE_ACCOUNT, input={"email": second, "code": code})
    assert data["activateAccount"]["account"]["email"] == second


@pytest.mark.parametrize(
    "spelling",
    ["Claire.Martin@EXEMPLE.fr", "CLAIRE.MARTIN@exemple.FR", "claire.martin@xn--exmple-cua.fr"],
)
async def test_one_address_in_two_spellings_is_one_account(api, deliver, settings, spelling):
    typed = "Claire.Martin@Exämple.FR" if "xn--" in spelling else "claire.martin@exemple.fr"
    await active_expert(api, deliver, settings.mail_dir, email=typed)

    data = await api.data(SIGN_UP_EXPERT, input=expert_input(spelling))

    assert data["signUpExpert"]["userErrors"] == []
    await deliver()
    assert [m["Subject"] for m in mail_to(settings.mail_dir, typed)][-1] == (
        "Sign-up attempt with your email address"
    )


async def test_the_address_is_shown_as_typed(api, deliver, settings):
    account = await active_expert(api, deliver, settings.mail_dir, email="Claire.Martin@Exämple.FR")
    assert account["email"] == "Claire.Martin@Exämple.FR"


@pytest.mark.parametrize(
    "address",
    [
        "p\u0430ypal@example.fr",  # a Cyrillic a among Latin letters
        "support@ex\u0430mple.fr",  # the same trap in the domain
    ],
)
async def test_mixed_script_look_alikes_are_refused(api, address):
    data = await api.data(SIGN_UP_EXPERT, input=expert_input(address))
    assert [(e["code"], e["field"]) for e in data["signUpExpert"]["userErrors"]] == [
        ("EMAIL_MIXED_SCRIPTS", ["email"])
    ]


async def test_one_script_per_label_is_fine(api):
    for address in ("иван@пример.рф", "山田たろう@example.jp"):
        data = await api.data(SIGN_UP_EXPERT, input=expert_input(address))
        assert error_codes(data["signUpExpert"]) == [], address


async def test_the_migration_recomputes_existing_keys(empty_database_url):
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine, "0006")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO accounts (registration_number, email, email_key, password_hash,"
                    " first_name, last_name, mode, status, created_at, password_changed_at)"
                    " VALUES ('R1', 'Anna@Straße.de', 'anna@strasse.de', 'x', 'A', 'B',"
                    " 'EXPERT', 'ACTIVE', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
        await upgrade(engine)
        async with engine.connect() as connection:
            key = await connection.scalar(select(Account.email_key))
    finally:
        await engine.dispose()
    assert key == email_key("Anna@Straße.de") == "anna@xn--strae-oqa.de"
