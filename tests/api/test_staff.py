"""The staff endpoint: staff accounts, log-in with password and TOTP, sessions, office scoping."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from app import cli
from app.domain import staff
from app.domain.offices import is_office, office_of
from tests.api.delegation_flows import principal_with_company
from tests.api.flows import SAMPLE_SIREN, VIEWER, active_expert, log_in
from tests.support import error_codes

STAFF_PASSWORD = "registre cadastre vendange girouette 44"
LOG_IN = """
mutation StaffLogIn($input: StaffLogInInput!) {
  staffLogIn(input: $input) { token expiresAt member { email office national } userErrors { code field message } }
}
"""
LOG_OUT = "mutation { staffLogOut(input: {}) { userErrors { code } } }"
ME = "{ me { email firstName lastName office national } }"
COMPANY = """
query Company($identifier: String!) {
  company(identifier: $identifier) {
    company { siren name office }
    principalAdministrator { email firstName role since suspended }
    alternateAdministrator { email }
    services { service { code } since }
    delegations { delegate { email } grantor { email } status services { service { code } rights } }
    pendingServiceRequests { requesterEmail services { code } expiresAt }
    pendingDelegationRequests
  }
}
"""
ACCOUNT = """
query Account($email: String!) {
  account(email: $email) {
    email registrationNumber mode status
    roles { company { siren office } role since }
  }
}
"""


async def _member(app, email="agent@dgfip.finances.gouv.fr", office="75", national=False):
    created = await staff.create_staff(
        app.state.runtime,
        email=email,
        first_name="Agnès",
        last_name="Verdier",
        office=office,
        national=national,
        password=STAFF_PASSWORD,
    )
    secret = parse_qs(urlparse(created.provisioning_uri).query)["secret"][0]
    return pyotp.TOTP(secret)


def _code(totp, clock, steps=0):
    return totp.at(clock.now() + timedelta(seconds=30 * steps))


async def _log_in(staff_api, totp, clock, email="agent@dgfip.finances.gouv.fr", **overrides):
    values = {"email": email, "password": STAFF_PASSWORD, "otp": _code(totp, clock)}
    values.update(overrides)
    async with staff_api() as client:
        return (await client.data(LOG_IN, input=values))["staffLogIn"]


async def test_staff_log_in_opens_a_session_on_the_staff_endpoint_only(
    app, staff_api, make_api, clock
):
    totp = await _member(app)

    payload = await _log_in(staff_api, totp, clock)

    assert payload["userErrors"] == []
    assert payload["member"] == {
        "email": "agent@dgfip.finances.gouv.fr",
        "office": "75",
        "national": False,
    }
    async with staff_api(token=payload["token"]) as client:
        assert (await client.data(ME))["me"]["lastName"] == "Verdier"
    async with make_api(token=payload["token"]) as public:
        assert (await public.data(VIEWER))["viewer"] is None


async def test_professional_credentials_are_not_accepted_on_the_staff_endpoint(
    app, api, deliver, settings, staff_api
):
    await active_expert(api, deliver, settings.mail_dir)
    token = await log_in(api, "claire.martin@example.fr")
    async with staff_api(token=token) as client:
        assert (await client.data(ME))["me"] is None
        refused = await client.call(COMPANY, identifier=SAMPLE_SIREN)
    assert refused.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_wrong_password_wrong_code_and_unknown_email_answer_alike(app, staff_api, clock):
    totp = await _member(app)
    answers = [
        await _log_in(staff_api, totp, clock, password="not the right password at all"),
        await _log_in(staff_api, totp, clock, otp="000000"),
        await _log_in(staff_api, totp, clock, email="nobody@dgfip.finances.gouv.fr"),
    ]
    assert len({str(answer["userErrors"]) for answer in answers}) == 1
    assert error_codes(answers[0]) == ["INVALID_CREDENTIALS"]
    assert all(answer["token"] is None for answer in answers)


async def test_a_code_is_accepted_once(app, staff_api, clock):
    totp = await _member(app)
    code = _code(totp, clock)
    assert (await _log_in(staff_api, totp, clock, otp=code))["token"]

    replayed = await _log_in(staff_api, totp, clock, otp=code)

    assert error_codes(replayed) == ["INVALID_CREDENTIALS"]
    clock.advance(timedelta(seconds=30))
    assert (await _log_in(staff_api, totp, clock))["token"]


async def test_codes_of_the_neighbouring_steps_only(app, staff_api, clock):
    totp = await _member(app)
    assert error_codes(await _log_in(staff_api, totp, clock, otp=_code(totp, clock, -2))) == [
        "INVALID_CREDENTIALS"
    ]
    assert (await _log_in(staff_api, totp, clock, otp=_code(totp, clock, -1)))["token"]


async def test_lock_out_after_five_failures(app, staff_api, clock):
    totp = await _member(app)
    for _ in range(5):
        await _log_in(staff_api, totp, clock, otp="000000")
    assert error_codes(await _log_in(staff_api, totp, clock)) == ["LOGIN_TEMPORARILY_LOCKED"]


async def test_staff_sessions_are_short(app, staff_api, clock):
    totp = await _member(app)
    token = (await _log_in(staff_api, totp, clock))["token"]
    async with staff_api(token=token) as client:
        clock.advance(timedelta(minutes=14))
        assert (await client.data(ME))["me"] is not None
        clock.advance(timedelta(minutes=15))
        assert (await client.data(ME))["me"] is None
    token = (await _log_in(staff_api, totp, clock))["token"]
    async with staff_api(token=token) as client:
        for _ in range(32):  # active all along, 7 h 59 min
            clock.advance(timedelta(minutes=14, seconds=59))
            assert (await client.data(ME))["me"] is not None
        clock.advance(timedelta(minutes=2))  # 8 h 01 min
        assert (await client.data(ME))["me"] is None


async def test_log_out_and_disable_end_sessions(app, staff_api, clock):
    totp = await _member(app)
    token = (await _log_in(staff_api, totp, clock))["token"]
    async with staff_api(token=token) as client:
        assert (await client.data(LOG_OUT))["staffLogOut"]["userErrors"] == []
        assert (await client.data(ME))["me"] is None
    clock.advance(timedelta(seconds=30))
    token = (await _log_in(staff_api, totp, clock))["token"]
    await staff.disable_staff(app.state.runtime, "agent@dgfip.finances.gouv.fr")
    async with staff_api(token=token) as client:
        assert (await client.data(ME))["me"] is None
    clock.advance(timedelta(seconds=30))
    assert error_codes(await _log_in(staff_api, totp, clock)) == ["INVALID_CREDENTIALS"]


async def test_staff_read_a_company_file_of_their_office(
    app, api, deliver, settings, make_api, staff_api, clock
):
    owner, _ = await principal_with_company(api, deliver, settings, make_api)
    await owner.__aexit__()
    totp = await _member(app)
    token = (await _log_in(staff_api, totp, clock))["token"]
    async with staff_api(token=token) as client:
        file = (await client.data(COMPANY, identifier=SAMPLE_SIREN))["company"]
        elsewhere = await client.call(COMPANY, identifier="300123478")  # Lyon, office 69
        unknown = await client.data(COMPANY, identifier="732829320")
    assert file["company"] == {
        "siren": SAMPLE_SIREN,
        "name": file["company"]["name"],
        "office": "75",
    }
    assert file["principalAdministrator"]["email"] == "owner@example.fr"
    assert file["principalAdministrator"]["role"] == "PRINCIPAL_ADMINISTRATOR"
    assert {s["service"]["code"] for s in file["services"]} == {
        "DECLARER_TVA",
        "PAYER_TVA",
        "MESSAGERIE",
    }
    assert elsewhere.errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert unknown["company"] is None


async def test_national_staff_read_every_office(app, staff_api, clock):
    totp = await _member(app, email="national@dgfip.finances.gouv.fr", national=True)
    token = (await _log_in(staff_api, totp, clock, email="national@dgfip.finances.gouv.fr"))[
        "token"
    ]
    async with staff_api(token=token) as client:
        file = (await client.data(COMPANY, identifier="300123478"))["company"]
    assert file["company"]["office"] == "69"


async def test_staff_read_an_account_with_its_roles_in_their_office(
    app, api, deliver, settings, make_api, staff_api, clock
):
    owner, _ = await principal_with_company(api, deliver, settings, make_api)
    await owner.__aexit__()
    totp = await _member(app, office="69")
    token = (await _log_in(staff_api, totp, clock))["token"]
    async with staff_api(token=token) as client:
        account = (await client.data(ACCOUNT, email="Owner@Example.fr"))["account"]
        nobody = (await client.data(ACCOUNT, email="nobody@example.fr"))["account"]
    assert account["status"] == "ACTIVE"
    assert account["mode"] == "EXPERT"
    assert account["roles"] == []  # its company is in Paris, not in office 69
    assert nobody is None


def test_offices_from_postal_codes():
    assert office_of("75019") == "75"
    assert office_of("20000") == "2A"
    assert office_of("20167") == "2A"
    assert office_of("20200") == "2B"
    assert office_of("97400") == "974"
    assert office_of("1234") is None
    assert office_of(None) is None
    assert all(is_office(code) for code in ("01", "95", "2A", "2B", "971"))
    assert not any(is_office(code) for code in ("00", "20", "96", "99", "979", "75 "))


async def test_the_staff_schema_exposes_no_secret():
    from graphql import GraphQLObjectType

    from app.schema.staff.root import build_staff_schema

    fields = [
        name.lower()
        for graphql_type in build_staff_schema()._schema.type_map.values()
        if isinstance(graphql_type, GraphQLObjectType)
        for name in graphql_type.fields
    ]
    for word in ("hash", "secret", "totp", "iban", "password"):
        assert not [name for name in fields if word in name], word


async def test_cli_creates_a_staff_member_and_prints_the_totp_uri(
    database_url, monkeypatch, capsys
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(STAFF_PASSWORD + "\n"))
    arguments = ["staff", "create", "--email", "agent@dgfip.finances.gouv.fr"]
    arguments += ["--first-name", "Agnès", "--last-name", "Verdier", "--office", "2A"]
    await asyncio.to_thread(cli.main, arguments)
    out = capsys.readouterr().out
    [uri] = [line for line in out.splitlines() if line.startswith("otpauth://totp/")]
    assert "secret=" in uri
    assert "period" not in uri or "period=30" in uri

    monkeypatch.setattr("sys.stdin", io.StringIO("too weak\n"))
    with pytest.raises(SystemExit) as refused:
        await asyncio.to_thread(
            cli.main, [*arguments[:3], "other@dgfip.finances.gouv.fr", *arguments[4:]]
        )
    assert refused.value.code == 1
    assert "PASSWORD_TOO_SHORT" in capsys.readouterr().err

    await asyncio.to_thread(
        cli.main, ["staff", "disable", "--email", "agent@dgfip.finances.gouv.fr"]
    )
    assert "staff member disabled" in capsys.readouterr().out


async def test_staff_creation_and_disabling_errors(app):
    from app.domain.errors import DomainError, DomainErrors

    await _member(app)
    with pytest.raises(DomainError) as duplicate:
        await _member(app)
    assert duplicate.value.code == "STAFF_ALREADY_EXISTS"
    with pytest.raises(DomainErrors) as office:
        await _member(app, email="other@dgfip.finances.gouv.fr", office="20")
    assert [error.code for error in office.value.errors] == ["INVALID_OFFICE"]
    with pytest.raises(DomainError) as unknown:
        await staff.disable_staff(app.state.runtime, "nobody@dgfip.finances.gouv.fr")
    assert unknown.value.code == "STAFF_NOT_FOUND"
