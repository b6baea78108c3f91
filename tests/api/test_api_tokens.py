"""createApiToken, revokeApiToken, viewer.apiTokens, and what each scope lets a token reach."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.delegation_flows import (
    ALTERNATE_MUTATIONS,
    GRANT,
    UPDATE,
    grant_input,
    other_account,
    principal_with_company,
)
from tests.api.flows import ADD_COMPANY, SAMPLE_SIREN
from tests.support import OTHER_STRONG_PASSWORD, STRONG_PASSWORD, error_codes, mail_to

CREATE = """
mutation Create($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { secret apiToken { id name scopes expiresAt } userErrors { code field message } }
}
"""
REVOKE = """
mutation Revoke($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { apiToken { id revokedAt } userErrors { code } } }
"""
TOKENS = "{ viewer { apiTokens { id name scopes lastUsedAt revokedAt } } }"
ALL_SCOPES = ["companies:read", "delegations:read", "delegations:write"]


@pytest.fixture
async def owner(api, deliver, settings, make_api):
    client, company = await principal_with_company(api, deliver, settings, make_api)
    yield client, company
    await client.__aexit__()


async def _token(client, scopes, **overrides):
    data = await client.data(
        CREATE, input={"name": "Logiciel comptable", "scopes": scopes, **overrides}
    )
    payload = data["createApiToken"]
    assert payload["userErrors"] == [], payload
    return payload["secret"]


async def test_create_shows_the_secret_once_and_emails_the_owner(
    owner, deliver, settings, make_api
):
    client, _ = owner
    secret = await _token(client, ["companies:read"])
    assert secret.startswith("epro_")
    listed = (await client.data(TOKENS))["viewer"]["apiTokens"]
    assert [token["name"] for token in listed] == ["Logiciel comptable"]
    assert secret not in str(listed)
    async with make_api(token=secret) as software:
        assert (await software.data("{ viewer { email } }"))["viewer"][
            "email"
        ] == "owner@example.fr"
    assert (await client.data(TOKENS))["viewer"]["apiTokens"][0]["lastUsedAt"] is not None
    await deliver()
    assert (
        mail_to(settings.mail_dir, "owner@example.fr")[-1]["Subject"]
        == "A new API token was created"
    )


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"scopes": []}, "SCOPE_REQUIRED"),
        ({"scopes": ["admin"]}, "UNKNOWN_SCOPE"),
        ({"scopes": ["companies:read"], "name": " "}, "INVALID_NAME"),
        (
            {"scopes": ["companies:read"], "expiresAt": "2030-01-01T00:00:00+00:00"},
            "INVALID_EXPIRY",
        ),
        (
            {"scopes": ["companies:read"], "expiresAt": "2026-03-01T00:00:00+00:00"},
            "INVALID_EXPIRY",
        ),
    ],
)
async def test_create_errors(owner, overrides, code):
    client, _ = owner
    data = await client.data(CREATE, input={"name": "x", **overrides})
    assert error_codes(data["createApiToken"]) == [code]
    assert (await client.data(TOKENS))["viewer"]["apiTokens"] == []


async def test_create_needs_a_recent_log_in(owner, clock):
    client, _ = owner
    clock.advance(timedelta(minutes=16))
    data = await client.data(CREATE, input={"name": "x", "scopes": ["companies:read"]})
    assert error_codes(data["createApiToken"]) == ["RECENT_LOGIN_REQUIRED"]


async def test_revoked_and_expired_tokens_stop_working(owner, make_api, clock):
    client, _ = owner
    secret = await _token(client, ["companies:read"])
    token_id = (await client.data(TOKENS))["viewer"]["apiTokens"][0]["id"]
    await client.data(REVOKE, input={"tokenId": token_id})
    async with make_api(token=secret) as software:
        assert (await software.data("{ viewer { id } }"))["viewer"] is None
    short = await _token(
        client, ["companies:read"], expiresAt=(clock.now() + timedelta(minutes=10)).isoformat()
    )
    clock.advance(timedelta(minutes=10))
    async with make_api(token=short) as software:
        assert (await software.data("{ viewer { id } }"))["viewer"] is None
    assert error_codes(
        (await client.data(REVOKE, input={"tokenId": "garbage"}))["revokeApiToken"]
    ) == ["API_TOKEN_NOT_FOUND"]


SESSION_ONLY = [
    (CREATE, {"input": {"name": "x", "scopes": ["companies:read"]}}),
    (
        "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { userErrors { code } } }",
        {"input": {"currentPassword": STRONG_PASSWORD, "newPassword": OTHER_STRONG_PASSWORD}},
    ),
    (ADD_COMPANY, {"input": {"identifier": "300123478"}}),
    (TOKENS, {}),
]


async def test_tokens_never_manage_the_account(owner, make_api):
    client, _ = owner
    secret = await _token(client, ALL_SCOPES)
    async with make_api(token=secret) as software:
        for document, variables in SESSION_ONLY:
            response = await software.call(document, **variables)
            assert response.errors[0]["extensions"]["code"] == "FORBIDDEN", document


READS = {
    "companies:read": [
        "{ viewer { companies { totalCount } } }",
        f'{{ company(identifier: "{SAMPLE_SIREN}") {{ name }} }}',
        f'{{ authorize(input: {{companyIdentifier: "{SAMPLE_SIREN}", serviceCode: "DECLARER_TVA", right: DECLARE}}) {{ allowed }} }}',
    ],
    "delegations:read": [
        "{ viewer { delegationsReceived { totalCount } delegationsGranted { totalCount } } }",
    ],
}


@pytest.mark.parametrize(
    "scopes", [["companies:read"], ["delegations:read"], ["delegations:write"], ALL_SCOPES]
)
async def test_each_scope_opens_only_its_fields(owner, make_api, api, deliver, settings, scopes):
    client, company = owner
    secret = await _token(client, scopes)
    firm = await other_account(api, deliver, settings, make_api, "firm@example.fr")
    await firm.__aexit__()
    async with make_api(token=secret) as software:
        for scope, documents in READS.items():
            for document in documents:
                response = await software.call(document)
                if scope in scopes:
                    assert response.errors is None, (scope, document, response.errors)
                else:
                    assert response.errors[0]["extensions"]["code"] == "FORBIDDEN", (
                        scope,
                        document,
                    )
        grant = await software.call(GRANT, input=grant_input(company["id"], "firm@example.fr"))
        if "delegations:write" in scopes:
            assert grant.data["grantDelegation"]["userErrors"] == []
            # Writing is not reading: the payload's delegation needs delegations:read too.
            if "delegations:read" in scopes:
                assert grant.errors is None
            else:
                [error] = grant.errors
                assert error["path"] == ["grantDelegation", "delegation"]
                assert error["extensions"]["code"] == "FORBIDDEN"
        else:
            assert grant.errors[0]["extensions"]["code"] == "FORBIDDEN"
        nested = await software.call(
            f'{{ company(identifier: "{SAMPLE_SIREN}") {{ delegations {{ totalCount }} }} }}'
        )
        allowed = {"companies:read", "delegations:read"} <= set(scopes)
        assert (nested.errors is None) == allowed


async def test_a_token_can_do_nothing_its_account_could_not(
    owner, make_api, api, deliver, settings
):
    _, company = owner
    firm = await other_account(api, deliver, settings, make_api, "firm@example.fr")
    try:
        secret = await _token(firm, ALL_SCOPES)
    finally:
        await firm.__aexit__()
    async with make_api(token=secret) as software:
        response = await software.call(GRANT, input=grant_input(company["id"], "owner@example.fr"))
        assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"
        assert (await software.data(f'{{ company(identifier: "{SAMPLE_SIREN}") {{ name }} }}'))[
            "company"
        ] is None


async def test_payloads_do_not_leak_past_the_scopes(owner, make_api, api, deliver, settings):
    """A write-only token acts, but reads nothing through the mutation payloads."""
    client, company = owner
    firm = await other_account(api, deliver, settings, make_api, "firm@example.fr")
    await firm.__aexit__()
    secret = await _token(client, ["delegations:write"])
    async with make_api(token=secret) as software:
        designated = await software.call(
            ALTERNATE_MUTATIONS["designate"],
            input={"companyId": company["id"], "accountEmail": "firm@example.fr"},
        )
        granted = await client.data(GRANT, input=grant_input(company["id"], "firm@example.fr"))
        delegation_id = granted["grantDelegation"]["delegation"]["id"]
        updated = await software.call(
            UPDATE,
            input={
                "delegationId": delegation_id,
                "services": [{"serviceCode": "PAYER_TVA", "rights": ["PAY"]}],
            },
        )

    assert designated.data["designateAlternateAdministrator"] == {
        "company": None,
        "userErrors": [],
    }
    [error] = designated.errors
    assert error["path"] == ["designateAlternateAdministrator", "company"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert updated.data["updateDelegation"]["delegation"] is None
    assert updated.data["updateDelegation"]["userErrors"] == []
    assert [e["extensions"]["code"] for e in updated.errors] == ["FORBIDDEN"]
