"""The user's rights: sessions, identity, login email, email preferences, the data export."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from app.models import Account, OutboxMessage
from tests.api.delegation_flows import principal_with_company
from tests.api.flows import LOG_IN, SIGN_UP_EXPERT, active_expert, expert_input, log_in
from tests.api.test_api_tokens import _token
from tests.api.test_staff import _log_in, _member
from tests.support import STRONG_PASSWORD, code_in, mail_to, read_mail, token_in

SESSIONS = "query { viewer { sessions { id device clientAddress createdAt lastUsedAt current } } }"
REVOKE = """mutation($input: RevokeSessionInput!) {
  revokeSession(input: $input) { revoked userErrors { code field } } }"""
IDENTITY = """mutation($input: UpdateIdentityInput!) {
  updateIdentity(input: $input) { account { firstName lastName } userErrors { code field } } }"""
CHANGE_EMAIL = """mutation($input: ChangeLoginEmailInput!) {
  changeLoginEmail(input: $input) { linkSent userErrors { code field } } }"""
CONFIRM_EMAIL_CHANGE = """mutation($input: ConfirmLoginEmailChangeInput!) {
  confirmLoginEmailChange(input: $input) { changed userErrors { code field } } }"""
PREFERENCES = "query { viewer { emailPreferences { generalInformation } } }"
UPDATE_PREFERENCES = """mutation($input: UpdateEmailPreferencesInput!) {
  updateEmailPreferences(input: $input) { emailPreferences { generalInformation } userErrors { code } } }"""
SEND_INFORMATION = """mutation($input: SendInformationEmailInput!) {
  sendInformationEmail(input: $input) { recipients userErrors { code field } } }"""
REASON = "Information sur la campagne déclarative 2027"


@pytest.fixture
async def http(app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 5000)), base_url="http://t"
    ) as client:
        yield client


async def _logged_in(api, make_api, email="claire.martin@example.fr"):
    return make_api(token=await log_in(api, email))


async def test_sessions_are_listed_and_closed_one_by_one(api, deliver, settings, make_api):
    await active_expert(api, deliver, settings.mail_dir)
    laptop = await log_in(api, "claire.martin@example.fr")
    async with make_api(token=laptop) as client, await _logged_in(api, make_api) as phone:
        sessions = (await client.data(SESSIONS))["viewer"]["sessions"]
        assert len(sessions) == 2
        assert [s["current"] for s in sessions] == [False, True]
        assert sessions[0]["clientAddress"] == "203.0.113.7"
        assert sessions[0]["device"] == "tests"
        revoked = await client.data(REVOKE, input={"sessionId": sessions[0]["id"]})
        assert revoked["revokeSession"] == {"revoked": True, "userErrors": []}
        assert (await phone.call(SESSIONS)).data["viewer"] is None
        again = await client.data(REVOKE, input={"sessionId": sessions[0]["id"]})
        assert again["revokeSession"]["userErrors"] == [
            {"code": "SESSION_ALREADY_CLOSED", "field": ["sessionId"]}
        ]
        assert len((await client.data(SESSIONS))["viewer"]["sessions"]) == 1


async def test_nobody_closes_another_account_s_session(api, deliver, settings, make_api):
    await active_expert(api, deliver, settings.mail_dir)
    await active_expert(api, deliver, settings.mail_dir, email="other@example.fr")
    async with (
        await _logged_in(api, make_api) as owner,
        await _logged_in(api, make_api, "other@example.fr") as other,
    ):
        [mine] = (await owner.data(SESSIONS))["viewer"]["sessions"]
        response = await other.call(REVOKE, input={"sessionId": mine["id"]})
        assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"
        assert len((await owner.data(SESSIONS))["viewer"]["sessions"]) == 1
        token = await _token(owner, ["companies:read"])
    async with make_api(token=token) as software:
        assert (await software.data(SESSIONS))["viewer"]["sessions"] == []


async def test_identity_is_corrected(api, deliver, settings, make_api):
    await active_expert(api, deliver, settings.mail_dir)
    async with await _logged_in(api, make_api) as client:
        data = await client.data(IDENTITY, input={"firstName": "Clara", "lastName": "Martin-Duval"})
        assert data["updateIdentity"] == {
            "account": {"firstName": "Clara", "lastName": "Martin-Duval"},
            "userErrors": [],
        }
        bad = await client.data(IDENTITY, input={"firstName": " ", "lastName": "x" * 101})
        assert bad["updateIdentity"]["userErrors"] == [
            {"code": "NAME_REQUIRED", "field": ["firstName"]},
            {"code": "INVALID_NAME", "field": ["lastName"]},
        ]


async def test_the_login_email_changes_only_when_the_link_is_used(
    api, deliver, settings, make_api, clock
):
    await active_expert(api, deliver, settings.mail_dir)
    async with await _logged_in(api, make_api) as client:
        wrong = await client.data(
            CHANGE_EMAIL, input={"newEmail": "new@example.fr", "currentPassword": "nope" * 6}
        )
        same = await client.data(
            CHANGE_EMAIL,
            input={"newEmail": "Claire.Martin@example.fr", "currentPassword": STRONG_PASSWORD},
        )
        done = await client.data(
            CHANGE_EMAIL, input={"newEmail": "new@example.fr", "currentPassword": STRONG_PASSWORD}
        )
    assert wrong["changeLoginEmail"]["userErrors"] == [
        {"code": "CURRENT_PASSWORD_INCORRECT", "field": ["currentPassword"]}
    ]
    assert same["changeLoginEmail"]["userErrors"] == [
        {"code": "EMAIL_UNCHANGED", "field": ["newEmail"]}
    ]
    assert done["changeLoginEmail"] == {"linkSent": True, "userErrors": []}
    await deliver()
    [link] = mail_to(settings.mail_dir, "new@example.fr")
    notice = mail_to(settings.mail_dir, "claire.martin@example.fr")[-1]
    assert notice["Subject"] == "Change of your login email requested"
    await log_in(api, "claire.martin@example.fr")  # nothing changed yet

    token = token_in(link)
    confirmed = await api.data(CONFIRM_EMAIL_CHANGE, input={"token": token})
    assert confirmed["confirmLoginEmailChange"] == {"changed": True, "userErrors": []}
    old = await api.data(
        LOG_IN, input={"email": "claire.martin@example.fr", "password": STRONG_PASSWORD}
    )
    assert [e["code"] for e in old["logIn"]["userErrors"]] == ["INVALID_CREDENTIALS"]
    await log_in(api, "new@example.fr")
    reused = await api.data(CONFIRM_EMAIL_CHANGE, input={"token": token})
    assert reused["confirmLoginEmailChange"]["userErrors"] == [
        {"code": "TOKEN_ALREADY_USED", "field": ["token"]}
    ]
    await deliver()
    assert mail_to(settings.mail_dir, "claire.martin@example.fr")[-1]["Subject"] == (
        "Your login email was changed"
    )


async def test_email_change_links_expire_and_yield_to_a_taken_address(
    api, deliver, settings, make_api, clock
):
    await active_expert(api, deliver, settings.mail_dir)
    async with await _logged_in(api, make_api) as client:
        for address in ("late@example.fr", "taken@example.fr"):
            await client.data(
                CHANGE_EMAIL, input={"newEmail": address, "currentPassword": STRONG_PASSWORD}
            )
    await deliver()
    superseded = token_in(mail_to(settings.mail_dir, "late@example.fr")[-1])
    taken = token_in(mail_to(settings.mail_dir, "taken@example.fr")[-1])
    await active_expert(api, deliver, settings.mail_dir, email="taken@example.fr")
    codes = []
    for token in (superseded, taken):
        data = await api.data(CONFIRM_EMAIL_CHANGE, input={"token": token})
        codes.append(data["confirmLoginEmailChange"]["userErrors"][0]["code"])
    clock.advance(timedelta(hours=73))
    expired = await api.data(CONFIRM_EMAIL_CHANGE, input={"token": taken})
    codes.append(expired["confirmLoginEmailChange"]["userErrors"][0]["code"])
    assert codes == ["TOKEN_INVALID", "EMAIL_UNAVAILABLE", "TOKEN_EXPIRED"]


async def test_the_personal_data_export_holds_everything_and_no_secret(
    app, api, deliver, settings, make_api, http
):
    owner, _ = await principal_with_company(api, deliver, settings, make_api)
    session_token = owner.token
    api_secret = await _token(owner, ["companies:read"])
    await owner.__aexit__()
    response = await http.get(
        "/exports/personal-data.json", headers={"authorization": f"Bearer {session_token}"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["loginEmail"] == "owner@example.fr"
    assert data["identity"] == {"firstName": "Claire", "lastName": "Martin"}
    assert data["registrationNumber"]
    assert data["preferences"] == {"generalInformationEmails": False}
    assert data["companies"][0]["role"] == "PRINCIPAL_ADMINISTRATOR"
    assert data["companies"][0]["name"] == "BOULANGERIE DES TROIS EPIS"
    assert data["apiTokens"][0]["scopes"] == ["companies:read"]
    assert data["sessions"][0]["clientAddress"] == "203.0.113.7"
    assert any(item["subject"] == "Your activation code" for item in data["emailsSent"])
    assert {entry["kind"] for entry in data["history"]} >= {
        "ACCOUNT_SIGNED_UP",
        "LOGIN_SUCCEEDED",
        "PRINCIPAL_ADMINISTRATOR_APPOINTED",
    }
    async with app.state.runtime.sessions() as session:
        account = await session.scalar(select(Account).where(Account.email == "owner@example.fr"))
    text = response.text
    code = code_in(read_mail(settings.mail_dir)[0])
    for secret in (account.password_hash, session_token, api_secret, code, code.replace("-", "")):
        assert secret not in text
    assert "digest" not in text.lower()


async def test_general_information_emails_reach_the_opted_in_only_and_unsubscribe_without_login(
    app, api, deliver, settings, make_api, staff_api, clock, http
):
    data = await api.data(
        SIGN_UP_EXPERT, input=expert_input("optin@example.fr", generalInformationEmails=True)
    )
    assert data["signUpExpert"]["userErrors"] == []
    await deliver()
    from tests.api.flows import ACTIVATE_ACCOUNT

    code = code_in(mail_to(settings.mail_dir, "optin@example.fr")[-1])
    await api.data(ACTIVATE_ACCOUNT, input={"email": "optin@example.fr", "code": code})
    await active_expert(api, deliver, settings.mail_dir, email="default@example.fr")
    async with await _logged_in(api, make_api, "default@example.fr") as client:
        assert (await client.data(PREFERENCES))["viewer"]["emailPreferences"] == {
            "generalInformation": False
        }
    async with await _logged_in(api, make_api, "optin@example.fr") as client:
        assert (await client.data(PREFERENCES))["viewer"]["emailPreferences"] == {
            "generalInformation": True
        }

    totp = await _member(app, email="national@dgfip.finances.gouv.fr", national=True)
    token = (await _log_in(staff_api, totp, clock, email="national@dgfip.finances.gouv.fr"))[
        "token"
    ]
    information = {
        "subject": "Campagne 2027",
        "body": "Bonjour,\nLa campagne ouvre.",
        "reason": REASON,
    }
    async with staff_api(token=token) as national:
        sent = await national.data(SEND_INFORMATION, input=information)
        bad = await national.data(
            SEND_INFORMATION, input={"subject": "", "body": "x", "reason": "court"}
        )
    assert sent["sendInformationEmail"] == {"recipients": 1, "userErrors": []}
    assert {(e["code"], tuple(e["field"])) for e in bad["sendInformationEmail"]["userErrors"]} == {
        ("REASON_REQUIRED", ("reason",)),
        ("INVALID_SUBJECT", ("subject",)),
    }
    await deliver()
    assert [m["Subject"] for m in mail_to(settings.mail_dir, "default@example.fr")] == [
        "Your activation code"
    ]
    [email] = [
        m for m in mail_to(settings.mail_dir, "optin@example.fr") if m["Subject"] == "Campagne 2027"
    ]
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = email["List-Unsubscribe"].strip("<>")
    assert link in email.get_content()
    path = link.removeprefix(settings.public_url)

    page = await http.get(path)
    assert page.status_code == 200
    async with await _logged_in(api, make_api, "optin@example.fr") as client:
        assert (await client.data(PREFERENCES))["viewer"]["emailPreferences"] == {
            "generalInformation": True
        }
    one_click = await http.post(path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    async with await _logged_in(api, make_api, "optin@example.fr") as client:
        assert (await client.data(PREFERENCES))["viewer"]["emailPreferences"] == {
            "generalInformation": False
        }
        back = await client.data(UPDATE_PREFERENCES, input={"generalInformation": True})
        assert back["updateEmailPreferences"]["emailPreferences"] == {"generalInformation": True}
    async with app.state.runtime.sessions() as session:
        delivered = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.subject == "Campagne 2027")
        )
    assert delivered.headers is None  # the unsubscribe token does not outlive delivery
    assert json.dumps(delivered.body) == "null"


async def test_only_national_staff_send_information_emails(app, staff_api, clock):
    totp = await _member(app)
    token = (await _log_in(staff_api, totp, clock))["token"]
    async with staff_api(token=token) as agent:
        response = await agent.call(
            SEND_INFORMATION, input={"subject": "Objet", "body": "Texte", "reason": REASON}
        )
    assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"
