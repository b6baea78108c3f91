"""changePassword, requestPasswordReset and resetPassword."""

from __future__ import annotations

from datetime import timedelta

from tests.api.flows import LOG_IN, VIEWER, active_expert, log_in
from tests.support import OTHER_STRONG_PASSWORD, STRONG_PASSWORD, error_codes, mail_to, token_in

EMAIL = "claire.martin@example.fr"

CHANGE_PASSWORD = """
mutation ChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input) { account { email } userErrors { code field message } }
}
"""
REQUEST_RESET = """
mutation RequestReset($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { userErrors { code } }
}
"""
RESET = """
mutation Reset($input: ResetPasswordInput!) {
  resetPassword(input: $input) { account { email } userErrors { code field message } }
}
"""


async def _logged_in(api, deliver, settings, make_api):
    await active_expert(api, deliver, settings.mail_dir)
    return make_api(token=await log_in(api, EMAIL))


async def test_change_password_closes_other_sessions_and_emails_the_owner(
    api, deliver, settings, make_api
):
    client = await _logged_in(api, deliver, settings, make_api)
    other = make_api(token=await log_in(api, EMAIL))
    async with client, other:
        data = await client.data(
            CHANGE_PASSWORD,
            input={"currentPassword": STRONG_PASSWORD, "newPassword": OTHER_STRONG_PASSWORD},
        )
        assert data["changePassword"]["userErrors"] == []
        assert (await client.data(VIEWER))["viewer"] is not None
        assert (await other.data(VIEWER))["viewer"] is None
    assert await log_in(api, EMAIL, OTHER_STRONG_PASSWORD)
    await deliver()
    assert [m["Subject"] for m in mail_to(settings.mail_dir, EMAIL)][
        -1
    ] == "Your password was changed"


async def test_change_password_errors(api, deliver, settings, make_api):
    client = await _logged_in(api, deliver, settings, make_api)
    async with client:
        cases = {
            ("wrong current password is long", OTHER_STRONG_PASSWORD): (
                "CURRENT_PASSWORD_INCORRECT",
                ["currentPassword"],
            ),
            (STRONG_PASSWORD, STRONG_PASSWORD): ("PASSWORD_UNCHANGED", ["newPassword"]),
            (STRONG_PASSWORD, "too short"): ("PASSWORD_TOO_SHORT", ["newPassword"]),
            (STRONG_PASSWORD, "martin " * 4): ("PASSWORD_CONTAINS_PERSONAL_DATA", ["newPassword"]),
        }
        for (current, new), expected in cases.items():
            data = await client.data(
                CHANGE_PASSWORD, input={"currentPassword": current, "newPassword": new}
            )
            assert [(e["code"], e["field"]) for e in data["changePassword"]["userErrors"]] == [
                expected
            ]
    assert await log_in(api, EMAIL, STRONG_PASSWORD)


async def test_change_password_needs_a_session(api):
    response = await api.call(
        CHANGE_PASSWORD,
        input={"currentPassword": STRONG_PASSWORD, "newPassword": OTHER_STRONG_PASSWORD},
    )
    assert response.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_reset_password_with_the_emailed_link(api, deliver, settings, make_api):
    client = await _logged_in(api, deliver, settings, make_api)
    data = await api.data(REQUEST_RESET, input={"email": EMAIL})
    assert data["requestPasswordReset"]["userErrors"] == []
    await deliver()
    token = token_in(mail_to(settings.mail_dir, EMAIL)[-1])

    data = await api.data(RESET, input={"token": token, "newPassword": OTHER_STRONG_PASSWORD})

    assert data["resetPassword"]["userErrors"] == []
    async with client:
        assert (await client.data(VIEWER))["viewer"] is None
    assert await log_in(api, EMAIL, OTHER_STRONG_PASSWORD)
    old = await api.data(LOG_IN, input={"email": EMAIL, "password": STRONG_PASSWORD})
    assert error_codes(old["logIn"]) == ["INVALID_CREDENTIALS"]


async def test_reset_request_for_unknown_email_answers_the_same_and_sends_nothing(
    api, deliver, settings
):
    known = await api.data(REQUEST_RESET, input={"email": EMAIL})
    unknown = await api.data(REQUEST_RESET, input={"email": "nobody@example.fr"})
    assert known == unknown
    await deliver()
    assert mail_to(settings.mail_dir, "nobody@example.fr") == []


async def test_reset_link_errors(api, deliver, settings, clock):
    await active_expert(api, deliver, settings.mail_dir)
    await api.data(REQUEST_RESET, input={"email": EMAIL})
    await deliver()
    token = token_in(mail_to(settings.mail_dir, EMAIL)[-1])

    weak = await api.data(RESET, input={"token": token, "newPassword": "short"})
    assert error_codes(weak["resetPassword"]) == ["PASSWORD_TOO_SHORT"]
    unknown = await api.data(RESET, input={"token": "forged", "newPassword": OTHER_STRONG_PASSWORD})
    assert error_codes(unknown["resetPassword"]) == ["TOKEN_INVALID"]
    ok = await api.data(RESET, input={"token": token, "newPassword": OTHER_STRONG_PASSWORD})
    assert ok["resetPassword"]["userErrors"] == []
    used = await api.data(
        RESET, input={"token": token, "newPassword": "glacier tambour violet orange 55"}
    )
    assert error_codes(used["resetPassword"]) == ["TOKEN_ALREADY_USED"]

    await api.data(REQUEST_RESET, input={"email": EMAIL})
    await deliver()
    late = token_in(mail_to(settings.mail_dir, EMAIL)[-1])
    clock.advance(timedelta(hours=1))
    expired = await api.data(
        RESET, input={"token": late, "newPassword": "glacier tambour violet orange 55"}
    )
    assert error_codes(expired["resetPassword"]) == ["TOKEN_EXPIRED"]
