"""signUpExpert and activateAccount (expert mode)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.security.secrets import is_valid_registration_number
from tests.api.flows import (
    ACTIVATE_ACCOUNT,
    SIGN_UP_EXPERT,
    expert_input,
    sign_up_expert,
)
from tests.support import body, code_in, error_codes, mail_to, read_mail

REGISTRATION_NUMBER = re.compile(r"registration number is (\S+)\.")


async def test_sign_up_creates_a_pending_account_and_emails_a_code(api, deliver, settings):
    data = await api.data(SIGN_UP_EXPERT, input=expert_input())

    assert data["signUpExpert"] == {"account": None, "userErrors": []}
    await deliver()
    [message] = mail_to(settings.mail_dir, "claire.martin@example.fr")
    assert message["Subject"] == "Your activation code"
    assert code_in(message)
    number = REGISTRATION_NUMBER.search(body(message)).group(1)
    assert is_valid_registration_number(number)
    # Nothing the user typed reaches an address nobody has confirmed yet.
    assert "Claire" not in body(message)
    assert "Martin" not in body(message)


async def test_activation_with_the_emailed_code(api, deliver, settings):
    account, code = await sign_up_expert(api, deliver, settings.mail_dir)

    data = await api.data(
        ACTIVATE_ACCOUNT, input={"email": account["email"].upper(), "code": code.lower()}
    )

    assert data["activateAccount"]["userErrors"] == []
    activated = data["activateAccount"]["account"]
    assert activated["status"] == "ACTIVE"
    assert activated["mode"] == "EXPERT"
    [message] = mail_to(settings.mail_dir, account["email"])
    assert activated["registrationNumber"] in body(message)


async def test_registration_numbers_differ_and_are_not_sequential(api, deliver, settings):
    for index in range(3):
        await api.data(SIGN_UP_EXPERT, input=expert_input(f"user{index}@example.fr"))
    await deliver()
    numbers = {
        REGISTRATION_NUMBER.search(body(message)).group(1)
        for message in read_mail(settings.mail_dir)
    }
    assert len(numbers) == 3


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"email": "not-an-email"}, "INVALID_EMAIL", ["email"]),
        ({"firstName": "  "}, "NAME_REQUIRED", ["firstName"]),
        ({"lastName": "x" * 101}, "INVALID_NAME", ["lastName"]),
        ({"password": "short pass phrase"}, "PASSWORD_TOO_SHORT", ["password"]),
        ({"password": "a" * 257}, "PASSWORD_TOO_LONG", ["password"]),
        ({"password": "aaaaaaaaaaaaaaaaaaaaaaaa"}, "PASSWORD_TOO_WEAK", ["password"]),
        (
            {"password": "claire aime les longues balades"},
            "PASSWORD_CONTAINS_PERSONAL_DATA",
            ["password"],
        ),
        (
            {"password": "mon espace impots tout neuf 2026"},
            "PASSWORD_CONTAINS_PERSONAL_DATA",
            ["password"],
        ),
    ],
)
async def test_sign_up_refuses_bad_input_and_creates_nothing(
    api, deliver, settings, overrides, code, field
):
    data = await api.data(SIGN_UP_EXPERT, input=expert_input(**overrides))

    payload = data["signUpExpert"]
    assert payload["account"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    await deliver()
    assert read_mail(settings.mail_dir) == []


async def test_sign_up_reports_every_wrong_field_at_once(api):
    data = await api.data(
        SIGN_UP_EXPERT, input=expert_input(email="nope", firstName="", password="short")
    )
    assert sorted(error_codes(data["signUpExpert"])) == [
        "INVALID_EMAIL",
        "NAME_REQUIRED",
        "PASSWORD_TOO_SHORT",
    ]


async def test_weak_password_message_explains_how_to_do_better(api):
    data = await api.data(SIGN_UP_EXPERT, input=expert_input(password="aaaaaaaaaaaaaaaaaaaaaaaa"))
    [error] = data["signUpExpert"]["userErrors"]
    assert "pass-phrase" in error["message"]


async def test_a_long_unicode_password_is_accepted_whole(api, deliver, settings):
    password = "éléphant rose 🐘 sous la pluie d'automne " * 6  # ~230 characters
    account, code = await sign_up_expert(api, deliver, settings.mail_dir, password=password)
    await api.data(ACTIVATE_ACCOUNT, input={"email": account["email"], "code": code})
    from tests.api.flows import LOG_IN

    truncated = await api.data(LOG_IN, input={"email": account["email"], "password": password[:72]})
    assert error_codes(truncated["logIn"]) == ["INVALID_CREDENTIALS"]
    whole = await api.data(LOG_IN, input={"email": account["email"], "password": password})
    assert whole["logIn"]["userErrors"] == []


async def test_duplicate_sign_up_answers_alike_and_tells_the_owner(api, deliver, settings):
    first = await api.data(SIGN_UP_EXPERT, input=expert_input())

    second = await api.data(SIGN_UP_EXPERT, input=expert_input("Claire.MARTIN@example.fr"))

    assert second == first == {"signUpExpert": {"account": None, "userErrors": []}}
    await deliver()
    subjects = [m["Subject"] for m in mail_to(settings.mail_dir, "claire.martin@example.fr")]
    assert subjects == ["Your activation code", "Sign-up attempt with your email address"]
    assert mail_to(settings.mail_dir, "Claire.MARTIN@example.fr") == []


async def test_wrong_code(api, deliver, settings):
    account, _ = await sign_up_expert(api, deliver, settings.mail_dir)

    data = await api.data(
        ACTIVATE_ACCOUNT, input={"email": account["email"], "code": "0000-0000-0000-0000"}
    )

    assert [(e["code"], e["field"]) for e in data["activateAccount"]["userErrors"]] == [
        ("CODE_INVALID", ["code"])
    ]


async def test_five_wrong_attempts_stop_the_code_from_that_address(api, deliver, settings):
    account, code = await sign_up_expert(api, deliver, settings.mail_dir)
    answers = []
    for _ in range(5):
        data = await api.data(
            ACTIVATE_ACCOUNT, input={"email": account["email"], "code": "0000-0000-0000-0000"}
        )
        answers.append(error_codes(data["activateAccount"]))

    data = await api.data(ACTIVATE_ACCOUNT, input={"email": account["email"], "code": code})

    assert answers == [["CODE_INVALID"]] * 4 + [["CODE_ATTEMPTS_EXHAUSTED"]]
    assert error_codes(data["activateAccount"]) == ["CODE_ATTEMPTS_EXHAUSTED"]


async def test_unknown_email_gets_the_same_answers_as_a_registered_one(api):
    answers = []
    for _ in range(6):
        data = await api.data(
            ACTIVATE_ACCOUNT, input={"email": "nobody@example.fr", "code": "0000-0000-0000-0000"}
        )
        answers.append(error_codes(data["activateAccount"]))
    assert answers == [["CODE_INVALID"]] * 4 + [["CODE_ATTEMPTS_EXHAUSTED"]] * 2


async def test_used_code(api, deliver, settings):
    account, code = await sign_up_expert(api, deliver, settings.mail_dir)
    await api.data(ACTIVATE_ACCOUNT, input={"email": account["email"], "code": code})

    data = await api.data(ACTIVATE_ACCOUNT, input={"email": account["email"], "code": code})

    assert error_codes(data["activateAccount"]) == ["CODE_ALREADY_USED"]


async def test_code_expires_after_48_hours_and_the_email_is_free_again(
    api, deliver, settings, clock
):
    account, code = await sign_up_expert(api, deliver, settings.mail_dir)
    clock.advance(timedelta(hours=47, minutes=59))
    await api.data(SIGN_UP_EXPERT, input=expert_input())
    await deliver()
    assert mail_to(settings.mail_dir, account["email"])[-1]["Subject"] == (
        "Sign-up attempt with your email address"
    )

    clock.advance(timedelta(minutes=1))
    data = await api.data(ACTIVATE_ACCOUNT, input={"email": account["email"], "code": code})

    assert error_codes(data["activateAccount"]) == ["CODE_EXPIRED"]
    again = await api.data(SIGN_UP_EXPERT, input=expert_input())
    assert again["signUpExpert"]["userErrors"] == []
    await deliver()
    new_code = code_in(mail_to(settings.mail_dir, account["email"])[-1])
    activated = await api.data(
        ACTIVATE_ACCOUNT, input={"email": account["email"], "code": new_code}
    )
    assert activated["activateAccount"]["account"]["status"] == "ACTIVE"


async def test_codes_never_appear_in_responses(api, deliver, settings):
    response = await api.call(SIGN_UP_EXPERT, input=expert_input())
    await deliver()
    code = code_in(mail_to(settings.mail_dir, "claire.martin@example.fr")[0])
    assert code not in str(response)
