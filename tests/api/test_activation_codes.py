"""resendActivationCode, and wrong attempts counted per client address so nobody kills another's code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.codes import MAX_CODE_ATTEMPTS, MAX_CODE_ATTEMPTS_IN_ALL
from app.settings import LockoutPolicy, RateLimit, RateLimits
from tests.api.flows import (
    ACTIVATE_ACCOUNT,
    CONFIRM_EMAIL,
    basic_until_letter,
    sign_up_expert,
)
from tests.support import GENEROUS, body, code_in, error_codes, mail_to, read_letters, token_in

RESEND = """
mutation Resend($input: ResendActivationCodeInput!) {
  resendActivationCode(input: $input) { userErrors { code field message } }
}
"""
WRONG = "0000-0000-0000-0000"


async def _activate(client, email, code):
    data = await client.data(ACTIVATE_ACCOUNT, input={"email": email, "code": code})
    return error_codes(data["activateAccount"])


async def test_a_fresh_code_replaces_the_old_one(api, deliver, settings):
    account, old = await sign_up_expert(api, deliver, settings.mail_dir)

    data = await api.data(RESEND, input={"email": account["email"]})

    assert data["resendActivationCode"]["userErrors"] == []
    await deliver()
    new = code_in(mail_to(settings.mail_dir, account["email"])[-1])
    assert new != old
    assert await _activate(api, account["email"], old) == ["CODE_INVALID"]
    assert await _activate(api, account["email"], new) == []


async def test_a_fresh_code_gets_48_hours_again(api, deliver, settings, clock):
    account, _ = await sign_up_expert(api, deliver, settings.mail_dir)
    clock.advance(timedelta(hours=47))
    await api.data(RESEND, input={"email": account["email"]})
    await deliver()
    new = code_in(mail_to(settings.mail_dir, account["email"])[-1])
    clock.advance(timedelta(hours=47))
    assert await _activate(api, account["email"], new) == []


async def test_resend_answers_alike_for_unknown_and_active_emails(api, deliver, settings):
    account, code = await sign_up_expert(api, deliver, settings.mail_dir)
    await _activate(api, account["email"], code)
    await deliver()
    sent = len(mail_to(settings.mail_dir, account["email"]))

    active = await api.data(RESEND, input={"email": account["email"]})
    unknown = await api.data(RESEND, input={"email": "nobody@example.fr"})

    assert active == unknown == {"resendActivationCode": {"userErrors": []}}
    await deliver()
    assert len(mail_to(settings.mail_dir, account["email"])) == sent
    assert mail_to(settings.mail_dir, "nobody@example.fr") == []


async def test_a_basic_sign_up_gets_a_fresh_link_then_a_fresh_letter(api, deliver, settings):
    account, old_token = await basic_until_letter(api, deliver, settings.mail_dir)
    business = "contact@boulangerie-epis.example.fr"
    await api.data(RESEND, input={"email": account["email"]})
    await deliver()
    new_token = token_in(mail_to(settings.mail_dir, business)[-1])
    assert new_token != old_token
    stale = await api.data(CONFIRM_EMAIL, input={"token": old_token})
    assert error_codes(stale["confirmEmail"]) == ["TOKEN_EXPIRED"]
    confirmed = await api.data(CONFIRM_EMAIL, input={"token": new_token})
    assert confirmed["confirmEmail"]["userErrors"] == []
    await deliver()
    first_letter = read_letters(settings.letters_dir)[-1]["code"]

    await api.data(RESEND, input={"email": account["email"]})
    await deliver()
    letters = read_letters(settings.letters_dir)
    assert len(letters) == 2
    assert await _activate(api, account["email"], first_letter) == ["CODE_INVALID"]
    assert await _activate(api, account["email"], letters[-1]["code"]) == []


async def test_a_stranger_cannot_kill_someone_elses_code(api, deliver, settings, make_api):
    account, code = await sign_up_expert(api, deliver, settings.mail_dir)
    async with make_api(ip="198.51.100.66") as stranger:
        answers = [await _activate(stranger, account["email"], WRONG) for _ in range(6)]
    assert (
        answers == [["CODE_INVALID"]] * (MAX_CODE_ATTEMPTS - 1) + [["CODE_ATTEMPTS_EXHAUSTED"]] * 2
    )

    # The owner, elsewhere, still activates with the code they received.
    assert await _activate(api, account["email"], code) == []


async def test_a_wrong_code_from_the_same_address_stays_exhausted(api, deliver, settings):
    account, code = await sign_up_expert(api, deliver, settings.mail_dir)
    for _ in range(MAX_CODE_ATTEMPTS):
        await _activate(api, account["email"], WRONG)
    assert await _activate(api, account["email"], code) == ["CODE_ATTEMPTS_EXHAUSTED"]
    # A fresh code is the way out.
    await api.data(RESEND, input={"email": account["email"]})
    await deliver()
    fresh = code_in(mail_to(settings.mail_dir, account["email"])[-1])
    assert await _activate(api, account["email"], fresh) == []


async def test_many_addresses_together_kill_the_code(api, deliver, settings, make_api):
    account, code = await sign_up_expert(api, deliver, settings.mail_dir)
    clients = MAX_CODE_ATTEMPTS_IN_ALL // (MAX_CODE_ATTEMPTS - 1) + 1
    for index in range(clients):
        async with make_api(ip=f"198.51.100.{index + 1}") as stranger:
            for _ in range(MAX_CODE_ATTEMPTS - 1):
                await _activate(stranger, account["email"], WRONG)
    assert await _activate(api, account["email"], code) == ["CODE_ATTEMPTS_EXHAUSTED"]


async def test_the_resent_email_carries_no_typed_text(api, deliver, settings):
    account, _ = await sign_up_expert(api, deliver, settings.mail_dir)
    await api.data(RESEND, input={"email": account["email"]})
    await deliver()
    assert "Claire" not in body(mail_to(settings.mail_dir, account["email"])[-1])


class TestResendLimit:
    @pytest.fixture
    def settings_overrides(self):
        tight = RateLimit(2, timedelta(hours=1))
        return {
            "rate_limits": RateLimits(GENEROUS, GENEROUS, GENEROUS, GENEROUS, tight),
            "lockout": LockoutPolicy(),
        }

    async def test_resend_is_rate_limited_per_address(self, make_api, clock):
        async with make_api(ip="192.0.2.20") as client:
            for _ in range(2):
                assert (await client.call(RESEND, input={"email": "a@example.fr"})).errors is None
            refused = await client.call(RESEND, input={"email": "b@example.fr"})
        assert refused.errors[0]["extensions"]["code"] == "RATE_LIMITED"
        clock.advance(timedelta(hours=1))
        async with make_api(ip="192.0.2.20") as client:
            assert (await client.call(RESEND, input={"email": "a@example.fr"})).errors is None
