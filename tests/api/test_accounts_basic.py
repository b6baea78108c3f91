"""signUpBasic, confirmEmail and activateAccount with the posted code (basic mode)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.flows import (
    ACTIVATE_ACCOUNT,
    CONFIRM_EMAIL,
    SAMPLE_COMPANY_NAME,
    SAMPLE_SIREN,
    SIGN_UP_BASIC,
    VIEWER,
    basic_input,
    basic_until_letter,
    log_in,
)
from tests.support import error_codes, mail_to, read_letters, read_mail

STANDARD_SERVICE_COUNT = 9


async def _confirmed(api, deliver, settings, **overrides):
    account, token = await basic_until_letter(api, deliver, settings.mail_dir, **overrides)
    data = await api.data(CONFIRM_EMAIL, input={"token": token})
    assert data["confirmEmail"]["userErrors"] == []
    await deliver()
    return account, read_letters(settings.letters_dir)[-1]


async def test_sign_up_emails_a_confirmation_link_to_the_business_address(api, deliver, settings):
    _, token = await basic_until_letter(api, deliver, settings.mail_dir)

    assert len(token) >= 40
    [message] = read_mail(settings.mail_dir)
    assert f"{settings.public_url}/confirm-email?token={token}" in message.get_content()
    # The business address is not confirmed yet: no text the user typed goes to it.
    assert "Paul" not in message.get_content()


async def test_confirmation_posts_a_letter_to_the_registered_office(api, deliver, settings):
    _, letter = await _confirmed(api, deliver, settings)

    assert letter["companyIdentifier"] == SAMPLE_SIREN
    assert letter["recipient"] == [SAMPLE_COMPANY_NAME, "12 RUE DES LILAS", "75019 PARIS"]
    assert letter["code"] in letter["body"]
    assert set(letter) == {"companyIdentifier", "recipient", "subject", "body", "code"}


async def test_activation_makes_the_account_principal_administrator(
    api, deliver, settings, make_api
):
    account, letter = await _confirmed(api, deliver, settings)

    data = await api.data(
        ACTIVATE_ACCOUNT, input={"email": account["email"], "code": letter["code"]}
    )

    assert data["activateAccount"]["account"]["status"] == "ACTIVE"
    assert data["activateAccount"]["account"]["mode"] == "BASIC"
    token = await log_in(api, account["email"])
    async with make_api(token=token) as client:
        viewer = (await client.data(VIEWER))["viewer"]
    [edge] = viewer["companies"]["edges"]
    assert edge["node"]["siren"] == SAMPLE_SIREN
    assert edge["node"]["myRole"] == "PRINCIPAL_ADMINISTRATOR"
    assert viewer["companies"]["totalCount"] == 1


async def test_activation_grants_every_standard_service(app, api, deliver, settings):
    from sqlalchemy import select

    from app.models import CompanyService

    account, letter = await _confirmed(api, deliver, settings)
    await api.data(ACTIVATE_ACCOUNT, input={"email": account["email"], "code": letter["code"]})

    async with app.state.runtime.sessions() as session:
        codes = set(await session.scalars(select(CompanyService.service_code)))
    assert len(codes) == STANDARD_SERVICE_COUNT
    assert "MESSAGERIE" in codes
    assert not codes & {
        "REMBOURSEMENT_TVA_UE",
        "DECLARER_DAC6",
        "GUICHET_TVA_UE",
        "ECONOMIE_COLLABORATIVE",
    }


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"siren": "123456789"}, "INVALID_SIREN", ["siren"]),
        ({"siren": "12345"}, "INVALID_SIREN", ["siren"]),
        ({"siren": "732829320"}, "COMPANY_NOT_FOUND", ["siren"]),
        ({"businessEmail": "nope@"}, "INVALID_EMAIL", ["businessEmail"]),
    ],
)
async def test_sign_up_refuses_bad_input(api, deliver, settings, overrides, code, field):
    data = await api.data(SIGN_UP_BASIC, input=basic_input(**overrides))

    assert [(e["code"], e["field"]) for e in data["signUpBasic"]["userErrors"]] == [(code, field)]
    assert data["signUpBasic"]["account"] is None
    await deliver()
    assert read_mail(settings.mail_dir) == []


async def test_siren_with_spaces_is_accepted(api):
    data = await api.data(SIGN_UP_BASIC, input=basic_input(siren="300 123 403"))
    assert data["signUpBasic"]["userErrors"] == []


async def test_company_with_a_user_answers_alike_and_tells_the_company(api, deliver, settings):
    account, letter = await _confirmed(api, deliver, settings)
    await api.data(ACTIVATE_ACCOUNT, input={"email": account["email"], "code": letter["code"]})
    await deliver()
    before = len(read_mail(settings.mail_dir))

    data = await api.data(
        SIGN_UP_BASIC,
        input=basic_input("someone.else@example.fr", businessEmail="stranger@example.org"),
    )

    assert data == {"signUpBasic": {"account": None, "userErrors": []}}
    await deliver()
    new = {m["To"]: m["Subject"] for m in read_mail(settings.mail_dir)[before:]}
    assert new == {
        "stranger@example.org": "Basic-mode sign-up not available",
        account["email"]: f"Basic-mode sign-up attempt: {SAMPLE_COMPANY_NAME}",
    }
    assert mail_to(settings.mail_dir, "someone.else@example.fr") == []


async def test_registered_email_answers_alike_and_tells_the_owner(api, deliver, settings):
    await basic_until_letter(api, deliver, settings.mail_dir)

    data = await api.data(SIGN_UP_BASIC, input=basic_input(businessEmail="other@example.org"))

    assert data == {"signUpBasic": {"account": None, "userErrors": []}}
    await deliver()
    assert mail_to(settings.mail_dir, "other@example.org") == []
    assert [m["Subject"] for m in mail_to(settings.mail_dir, "paul.durand@example.fr")] == [
        "Sign-up attempt with your email address"
    ]


async def test_a_confirmed_sign_up_can_be_overtaken_and_the_first_code_entered_wins(
    api, deliver, settings
):
    squatter, squatter_letter = await _confirmed(
        api, deliver, settings, email="squatter@example.org", businessEmail="sq@example.org"
    )
    owner, owner_letter = await _confirmed(api, deliver, settings)
    assert squatter_letter["code"] != owner_letter["code"]

    assert await _activation_codes(api, owner, owner_letter["code"]) == []
    assert await _activation_codes(api, squatter, squatter_letter["code"]) == [
        "COMPANY_ALREADY_HAS_ADMINISTRATOR"
    ]


async def test_confirming_after_the_company_got_users_posts_nothing(api, deliver, settings):
    _, late_token = await basic_until_letter(
        api, deliver, settings.mail_dir, email="late@example.org", businessEmail="l@example.org"
    )
    owner, letter = await _confirmed(api, deliver, settings)
    await _activation_codes(api, owner, letter["code"])

    data = await api.data(CONFIRM_EMAIL, input={"token": late_token})

    assert error_codes(data["confirmEmail"]) == ["COMPANY_ALREADY_HAS_USERS"]
    await deliver()
    assert len(read_letters(settings.letters_dir)) == 1


async def test_unknown_link(api):
    data = await api.data(CONFIRM_EMAIL, input={"token": "not-a-token"})
    assert [(e["code"], e["field"]) for e in data["confirmEmail"]["userErrors"]] == [
        ("TOKEN_INVALID", ["token"])
    ]


async def test_link_works_once(api, deliver, settings):
    _, token = await basic_until_letter(api, deliver, settings.mail_dir)
    await api.data(CONFIRM_EMAIL, input={"token": token})

    data = await api.data(CONFIRM_EMAIL, input={"token": token})

    assert error_codes(data["confirmEmail"]) == ["TOKEN_ALREADY_USED"]
    await deliver()
    assert len(read_letters(settings.letters_dir)) == 1


async def test_link_expires_after_72_hours(api, deliver, settings, clock):
    _, token = await basic_until_letter(api, deliver, settings.mail_dir)
    clock.advance(timedelta(hours=72))

    data = await api.data(CONFIRM_EMAIL, input={"token": token})

    assert error_codes(data["confirmEmail"]) == ["TOKEN_EXPIRED"]
    await deliver()
    assert read_letters(settings.letters_dir) == []


async def test_posted_code_is_valid_to_the_end_of_the_60th_day_in_paris(
    api, deliver, settings, clock
):
    # Sign-up begins on 2 March at 23:30 in Paris (22:30 UTC): day 60 after it is 1 May.
    clock.set(datetime(2026, 3, 2, 22, 30, tzinfo=UTC))
    account, letter = await _confirmed(api, deliver, settings)
    # 1 May 23:59 in Paris is 21:59 UTC (summer time).
    clock.set(datetime(2026, 5, 1, 21, 59, tzinfo=UTC))
    assert await _activation_codes(api, account, "0000-0000-0000-0000") == ["CODE_INVALID"]

    clock.set(datetime(2026, 5, 1, 22, 0, tzinfo=UTC))
    assert await _activation_codes(api, account, letter["code"]) == ["CODE_EXPIRED"]


async def test_posted_code_on_the_last_day_activates(api, deliver, settings, clock):
    clock.set(datetime(2026, 3, 2, 22, 30, tzinfo=UTC))
    account, letter = await _confirmed(api, deliver, settings)
    clock.set(datetime(2026, 5, 1, 21, 59, tzinfo=UTC))

    assert await _activation_codes(api, account, letter["code"]) == []


async def test_emailed_code_does_not_work_before_the_letter(api, deliver, settings):
    account, _ = await basic_until_letter(api, deliver, settings.mail_dir)
    assert await _activation_codes(api, account, "0000-0000-0000-0000") == ["CODE_INVALID"]


async def _activation_codes(api, account, code):
    data = await api.data(ACTIVATE_ACCOUNT, input={"email": account["email"], "code": code})
    return error_codes(data["activateAccount"])


async def test_activation_refused_when_the_company_got_an_administrator_meanwhile(
    app, api, deliver, settings
):
    from sqlalchemy import select

    from app.models import Account, Company, CompanyRole, Role

    account, letter = await _confirmed(api, deliver, settings)
    runtime = app.state.runtime
    # Another path (expert-mode service sign-up) made someone else principal administrator.
    other, _ = await basic_until_letter(
        api, deliver, settings.mail_dir, email="x@example.fr", siren="300123478"
    )
    async with runtime.sessions() as session:
        company_id = await session.scalar(select(Company.id).where(Company.siren == SAMPLE_SIREN))
        other_id = await session.scalar(select(Account.id).where(Account.email == other["email"]))
        session.add(
            CompanyRole(
                company_id=company_id,
                account_id=other_id,
                role=Role.PRINCIPAL_ADMINISTRATOR,
                since=runtime.clock.now(),
            )
        )
        await session.commit()

    codes = await _activation_codes(api, account, letter["code"])

    assert codes == ["COMPANY_ALREADY_HAS_ADMINISTRATOR"]
    # Nothing was half-done: the account is still pending and holds no role.
    async with runtime.sessions() as session:
        assert (
            await session.scalar(select(Account.status).where(Account.email == account["email"]))
            == "PENDING_ACTIVATION"
        )
