"""changePassword, requestPasswordReset and resetPassword."""

from __future__ import annotations

from datetime import timedelta

from app.security import passwords
from tests.api.flows import LOG_IN, SIGN_UP_EXPERT, VIEWER, active_expert, expert_input, log_in
from tests.support import (
    OTHER_STRONG_PASSWORD,
    STRONG_PASSWORD,
    body,
    error_codes,
    mail_to,
    token_in,
)

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


SIGN_UP_ALIASES = """
mutation Many($a: SignUpExpertInput!, $b: SignUpExpertInput!, $c: SignUpExpertInput!) {
  a: signUpExpert(input: $a) { userErrors { code } }
  b: signUpExpert(input: $b) { userErrors { code } }
  c: signUpExpert(input: $c) { userErrors { code } }
}
"""
LOG_IN_ALIASES = (
    "mutation Many("
    + ", ".join(f"$p{i}: String!" for i in range(6))
    + ") {"
    + "".join(
        f' l{i}: logIn(input: {{email: "{EMAIL}", password: $p{i}}}) {{ userErrors {{ code }} }}'
        for i in range(6)
    )
    + " }"
)
LEET_PASSWORD = "4@8({[<3691!|1|70$5+7%2" * 4


async def test_aliases_cannot_multiply_password_work(api, deliver, settings):
    inputs = {
        name: expert_input(f"{name}@example.fr", password=LEET_PASSWORD) for name in ("a", "b", "c")
    }
    response = await api.call(SIGN_UP_ALIASES, **inputs)

    # Two sign-ups (estimate + hash each) fit in one request's budget; the third is refused,
    # and its non-null payload takes the response's data with it.
    assert response.data is None
    [error] = response.errors
    assert error["path"] == ["c"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    await deliver()
    assert len(mail_to(settings.mail_dir, "b@example.fr")) == 1
    assert mail_to(settings.mail_dir, "c@example.fr") == []


async def test_aliases_cannot_multiply_password_guesses(api, deliver, settings, app):
    await active_expert(api, deliver, settings.mail_dir)
    hasher = app.state.runtime.passwords
    before = hasher.verifications
    response = await api.call(LOG_IN_ALIASES, **{f"p{i}": f"guess number {i}" for i in range(6)})

    # Four verifications, then the fifth log-in is refused and the rest never run.
    assert hasher.verifications - before == 4
    [error] = response.errors
    assert error["path"] == ["l4"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"


async def test_no_strength_estimate_when_another_field_is_already_wrong(api, monkeypatch):
    def must_not_run(_password):
        raise AssertionError

    monkeypatch.setattr(passwords, "strength_problem", must_not_run)
    data = await api.data(
        SIGN_UP_EXPERT, input=expert_input("not an email", password=LEET_PASSWORD)
    )
    assert error_codes(data["signUpExpert"]) == ["INVALID_EMAIL"]


async def _token_for(client, settings):
    data = await client.data(CREATE_TOKEN, input={"name": "Logiciel", "scopes": ["companies:read"]})
    return data["createApiToken"]["secret"]


CREATE_TOKEN = """
mutation Create($input: CreateApiTokenInput!) { createApiToken(input: $input) { secret } }
"""


async def test_a_reset_revokes_api_tokens_and_says_so(api, deliver, settings, make_api):
    client = await _logged_in(api, deliver, settings, make_api)
    async with client:
        secret = await _token_for(client, settings)
    await api.data(REQUEST_RESET, input={"email": EMAIL})
    await deliver()
    token = token_in(mail_to(settings.mail_dir, EMAIL)[-1])

    await api.data(RESET, input={"token": token, "newPassword": OTHER_STRONG_PASSWORD})

    async with make_api(token=secret) as software:
        assert (await software.data("{ viewer { email } }"))["viewer"] is None
    await deliver()
    notice = mail_to(settings.mail_dir, EMAIL)[-1]
    assert notice["Subject"] == "Your password was changed"
    assert "1 API token(s) were revoked" in body(notice)


async def test_a_change_revokes_api_tokens_unless_kept(api, deliver, settings, make_api):
    client = await _logged_in(api, deliver, settings, make_api)
    async with client:
        revoked = await _token_for(client, settings)
        await client.data(
            CHANGE_PASSWORD,
            input={"currentPassword": STRONG_PASSWORD, "newPassword": OTHER_STRONG_PASSWORD},
        )
    async with make_api(token=await log_in(api, EMAIL, OTHER_STRONG_PASSWORD)) as client:
        kept = await _token_for(client, settings)
        data = await client.data(
            CHANGE_PASSWORD,
            input={
                "currentPassword": OTHER_STRONG_PASSWORD,
                "newPassword": STRONG_PASSWORD,
                "keepApiTokens": True,
            },
        )
        assert data["changePassword"]["userErrors"] == []
    async with make_api(token=revoked) as software:
        assert (await software.data("{ viewer { email } }"))["viewer"] is None
    async with make_api(token=kept) as software:
        assert (await software.data("{ viewer { email } }"))["viewer"]["email"] == EMAIL


async def test_a_reset_kills_every_other_outstanding_reset_link(api, deliver, settings):
    await active_expert(api, deliver, settings.mail_dir)
    tokens = []
    for _ in range(2):
        await api.data(REQUEST_RESET, input={"email": EMAIL})
        await deliver()
        tokens.append(token_in(mail_to(settings.mail_dir, EMAIL)[-1]))

    used = await api.data(RESET, input={"token": tokens[1], "newPassword": OTHER_STRONG_PASSWORD})
    assert used["resetPassword"]["userErrors"] == []
    older = await api.data(
        RESET, input={"token": tokens[0], "newPassword": "glacier tambour violet orange 55"}
    )
    assert error_codes(older["resetPassword"]) == ["TOKEN_EXPIRED"]
    assert await log_in(api, EMAIL, OTHER_STRONG_PASSWORD)


async def test_a_password_change_kills_outstanding_reset_links(api, deliver, settings, make_api):
    client = await _logged_in(api, deliver, settings, make_api)
    await api.data(REQUEST_RESET, input={"email": EMAIL})
    await deliver()
    token = token_in(mail_to(settings.mail_dir, EMAIL)[-1])
    async with client:
        await client.data(
            CHANGE_PASSWORD,
            input={"currentPassword": STRONG_PASSWORD, "newPassword": OTHER_STRONG_PASSWORD},
        )

    late = await api.data(
        RESET, input={"token": token, "newPassword": "glacier tambour violet orange 55"}
    )
    assert error_codes(late["resetPassword"]) == ["TOKEN_EXPIRED"]
    assert await log_in(api, EMAIL, OTHER_STRONG_PASSWORD)
