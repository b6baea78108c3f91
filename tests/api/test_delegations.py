"""grantDelegation, updateDelegation, revokeDelegation, their statuses, and authorize."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.api.delegation_flows import (
    COMPANY_DELEGATIONS,
    GRANT,
    REVOKE,
    UPDATE,
    ask,
    grant_input,
    other_account,
    principal_with_company,
)
from tests.api.flows import SAMPLE_SIREN
from tests.api.test_nodes import NODE
from tests.support import error_codes, mail_to

FIRM = "firm@example.fr"


@pytest.fixture
async def world(api, deliver, settings, make_api):
    owner, company = await principal_with_company(api, deliver, settings, make_api)
    firm = await other_account(api, deliver, settings, make_api, FIRM)
    stranger = await other_account(api, deliver, settings, make_api, "stranger@example.fr")
    yield owner, company, firm, stranger
    for client in (owner, firm, stranger):
        await client.__aexit__()


async def _grant(owner, company, email=FIRM, **overrides):
    data = await owner.data(GRANT, input=grant_input(company["id"], email, **overrides))
    return data["grantDelegation"]


async def test_grant_gives_the_delegate_its_rights_now(world, deliver, settings):
    owner, company, firm, _ = world
    payload = await _grant(owner, company)

    assert payload["userErrors"] == []
    delegation = payload["delegation"]
    assert delegation["status"] == "ACTIVE"
    assert delegation["delegate"]["email"] == FIRM
    assert delegation["grantor"]["email"] == "owner@example.fr"
    assert await ask(firm) == (True, "DELEGATION")
    assert await ask(firm, right="CONSULT") == (True, "DELEGATION")
    assert await ask(firm, right="PAY", service="PAYER_TVA") == (False, "RIGHT_NOT_DELEGATED")
    view = (await firm.data(COMPANY_DELEGATIONS, identifier=SAMPLE_SIREN))["company"]
    assert view["myRole"] == "DELEGATE"
    assert view["services"] == [
        {"service": {"code": "DECLARER_TVA"}, "rights": ["CONSULT", "DECLARE"]}
    ]
    await deliver()
    assert [m["Subject"] for m in mail_to(settings.mail_dir, FIRM)][-1].startswith(
        "Delegation granted"
    )
    assert any(
        m["Subject"].startswith("Delegation granted")
        for m in mail_to(settings.mail_dir, "owner@example.fr")
    )


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"services": []}, "SERVICE_REQUIRED", ["services"]),
        (
            {"services": [{"serviceCode": "NOPE", "rights": ["CONSULT"]}]},
            "UNKNOWN_SERVICE",
            ["services", "0", "serviceCode"],
        ),
        (
            {"services": [{"serviceCode": "DECLARER_DAC6", "rights": ["CONSULT"]}]},
            "UNKNOWN_SERVICE",
            ["services", "0", "serviceCode"],
        ),
        (
            {"services": [{"serviceCode": "PAYER_IS", "rights": ["PAY"]}]},
            "SERVICE_NOT_HELD",
            ["services", "0", "serviceCode"],
        ),
        (
            {"services": [{"serviceCode": "DECLARER_TVA", "rights": []}]},
            "RIGHTS_REQUIRED",
            ["services", "0", "rights"],
        ),
        (
            {"services": [{"serviceCode": "DECLARER_TVA", "rights": ["PAY"]}]},
            "RIGHT_NOT_SUPPORTED",
            ["services", "0", "rights"],
        ),
        (
            {
                "services": [
                    {"serviceCode": "DECLARER_TVA", "rights": ["CONSULT"]},
                    {"serviceCode": "DECLARER_TVA", "rights": ["DECLARE"]},
                ]
            },
            "DUPLICATE_SERVICE",
            ["services", "1", "serviceCode"],
        ),
        ({"startsAt": "2026-03-01T09:00:00+00:00"}, "START_IN_PAST", ["startsAt"]),
        ({"endsAt": "2026-03-02T08:00:00+00:00"}, "END_BEFORE_START", ["endsAt"]),
        ({"delegateEmail": "nobody@example.fr"}, "ACCOUNT_NOT_FOUND", ["delegateEmail"]),
        ({"delegateEmail": "owner@example.fr"}, "CANNOT_DELEGATE_TO_SELF", ["delegateEmail"]),
    ],
)
async def test_grant_errors_change_nothing(world, deliver, settings, overrides, code, field):
    owner, company, firm, _ = world
    payload = await _grant(owner, company, **overrides)

    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert payload["delegation"] is None
    assert await ask(firm) == (False, "NO_ROLE_ON_COMPANY")


async def test_one_delegation_per_delegate(world):
    owner, company, _, _ = world
    await _grant(owner, company)
    payload = await _grant(owner, company)
    [error] = payload["userErrors"]
    assert error["code"] == "DELEGATION_ALREADY_EXISTS"
    assert "updateDelegation" in error["message"]


async def test_nobody_delegates_to_the_principal(world, api, deliver, settings, make_api):
    owner, company, firm, _ = world
    from tests.api.delegation_flows import ALTERNATE_MUTATIONS

    await owner.data(
        ALTERNATE_MUTATIONS["designate"], input={"companyId": company["id"], "accountEmail": FIRM}
    )
    payload = (await firm.data(GRANT, input=grant_input(company["id"], "owner@example.fr")))[
        "grantDelegation"
    ]
    assert error_codes(payload) == ["CANNOT_DELEGATE_TO_PRINCIPAL"]


async def test_strangers_and_delegates_cannot_grant(world):
    owner, company, firm, stranger = world
    await _grant(owner, company)
    for client in (stranger, firm):
        response = await client.call(GRANT, input=grant_input(company["id"], "stranger@example.fr"))
        assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_scheduled_then_active_then_expired(world, clock):
    owner, company, firm, _ = world
    # Steps of 20 minutes keep the sessions within their 30-minute idle timeout.
    start = (clock.now() + timedelta(minutes=20)).isoformat()
    end = (clock.now() + timedelta(minutes=40)).isoformat()
    payload = await _grant(owner, company, startsAt=start, endsAt=end)
    assert payload["delegation"]["status"] == "SCHEDULED"
    assert await ask(firm) == (False, "DELEGATION_NOT_ACTIVE")

    clock.advance(timedelta(minutes=20))
    assert await _status(owner, company) == "ACTIVE"
    assert await ask(firm) == (True, "DELEGATION")
    clock.advance(timedelta(minutes=20))
    assert await _status(owner, company) == "EXPIRED"
    assert await ask(firm) == (False, "DELEGATION_NOT_ACTIVE")


async def _status(owner, company):
    data = await owner.data(COMPANY_DELEGATIONS, identifier=SAMPLE_SIREN)
    return data["company"]["delegations"]["edges"][0]["node"]["status"]


async def test_update_changes_rights_and_end(world, clock):
    owner, company, firm, _ = world
    delegation = (await _grant(owner, company))["delegation"]
    end = (clock.now() + timedelta(days=30)).isoformat()
    payload = (
        await owner.data(
            UPDATE,
            input={
                "delegationId": delegation["id"],
                "services": [{"serviceCode": "PAYER_TVA", "rights": ["PAY"]}],
                "endsAt": end,
            },
        )
    )["updateDelegation"]
    assert payload["userErrors"] == []
    assert payload["delegation"]["services"] == [
        {"service": {"code": "PAYER_TVA"}, "rights": ["PAY"]}
    ]
    assert await ask(firm) == (False, "RIGHT_NOT_DELEGATED")
    assert await ask(firm, right="PAY", service="PAYER_TVA") == (True, "DELEGATION")
    bad = (
        await owner.data(
            UPDATE, input={"delegationId": delegation["id"], "endsAt": clock.now().isoformat()}
        )
    )["updateDelegation"]
    assert error_codes(bad) == ["END_BEFORE_START"]


async def test_revocation_takes_effect_at_once_and_is_final(world):
    owner, company, firm, _ = world
    delegation = (await _grant(owner, company))["delegation"]
    payload = (await owner.data(REVOKE, input={"delegationId": delegation["id"]}))[
        "revokeDelegation"
    ]

    assert payload["delegation"]["status"] == "REVOKED"
    assert await ask(firm) == (False, "NO_ROLE_ON_COMPANY")
    again = (await owner.data(REVOKE, input={"delegationId": delegation["id"]}))["revokeDelegation"]
    assert error_codes(again) == ["DELEGATION_REVOKED"]
    update = (await owner.data(UPDATE, input={"delegationId": delegation["id"], "endsAt": None}))[
        "updateDelegation"
    ]
    assert error_codes(update) == ["DELEGATION_REVOKED"]
    assert (await _grant(owner, company))["userErrors"] == []  # a new grant is possible


async def test_delegates_see_only_their_own_delegations(world):
    owner, company, firm, stranger = world
    mine = (await _grant(owner, company))["delegation"]
    theirs = (await _grant(owner, company, email="stranger@example.fr"))["delegation"]

    owner_view = (await owner.data(COMPANY_DELEGATIONS, identifier=SAMPLE_SIREN))["company"][
        "delegations"
    ]
    firm_view = (await firm.data(COMPANY_DELEGATIONS, identifier=SAMPLE_SIREN))["company"][
        "delegations"
    ]
    assert owner_view["totalCount"] == 2
    assert [edge["node"]["id"] for edge in firm_view["edges"]] == [mine["id"]]
    assert (await firm.data(NODE, id=theirs["id"]))["node"] is None
    assert (await firm.data(NODE, id=mine["id"]))["node"]["id"] == mine["id"]
    received = await firm.data(
        "{ viewer { delegationsReceived { totalCount edges { node { id } } } } }"
    )
    granted = await owner.data("{ viewer { delegationsGranted { totalCount } } }")
    assert received["viewer"]["delegationsReceived"]["totalCount"] == 1
    assert granted["viewer"]["delegationsGranted"]["totalCount"] == 2
    refused = await stranger.call(REVOKE, input={"delegationId": mine["id"]})
    assert refused.errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_status_filter(world):
    owner, company, _, _ = world
    first = (await _grant(owner, company))["delegation"]
    await _grant(owner, company, email="stranger@example.fr")
    await owner.data(REVOKE, input={"delegationId": first["id"]})
    data = await owner.data(COMPANY_DELEGATIONS, identifier=SAMPLE_SIREN, status="REVOKED")
    assert data["company"]["delegations"]["totalCount"] == 1


async def test_delegates_cannot_edit_or_revoke_their_own_delegation(world):
    owner, company, firm, _ = world
    from tests.api.delegation_flows import ALTERNATE_MUTATIONS

    delegation = (await _grant(owner, company))["delegation"]
    await owner.data(
        ALTERNATE_MUTATIONS["designate"], input={"companyId": company["id"], "accountEmail": FIRM}
    )
    payload = (await firm.data(REVOKE, input={"delegationId": delegation["id"]}))[
        "revokeDelegation"
    ]
    assert error_codes(payload) == ["CANNOT_EDIT_OWN_DELEGATION"]


async def test_two_administrators_granting_at_once_make_one_delegation(
    world, api, deliver, settings, make_api
):
    owner, company, _firm, _ = world
    from tests.api.delegation_flows import ALTERNATE_MUTATIONS

    await owner.data(
        ALTERNATE_MUTATIONS["designate"],
        input={"companyId": company["id"], "accountEmail": "stranger@example.fr"},
    )
    alternate = world[3]
    results = await asyncio.gather(
        owner.data(GRANT, input=grant_input(company["id"], FIRM)),
        alternate.data(GRANT, input=grant_input(company["id"], FIRM)),
    )
    outcomes = sorted(tuple(error_codes(r["grantDelegation"])) for r in results)
    assert outcomes == [(), ("DELEGATION_ALREADY_EXISTS",)]
    data = await owner.data(COMPANY_DELEGATIONS, identifier=SAMPLE_SIREN)
    assert data["company"]["delegations"]["totalCount"] == 1


async def test_revoke_racing_update_leaves_a_revoked_delegation(world):
    owner, company, _, alternate = world
    from tests.api.delegation_flows import ALTERNATE_MUTATIONS

    await owner.data(
        ALTERNATE_MUTATIONS["designate"],
        input={"companyId": company["id"], "accountEmail": "stranger@example.fr"},
    )
    delegation = (await _grant(owner, company))["delegation"]
    await asyncio.gather(
        owner.data(REVOKE, input={"delegationId": delegation["id"]}),
        alternate.data(
            UPDATE,
            input={
                "delegationId": delegation["id"],
                "services": [{"serviceCode": "PAYER_TVA", "rights": ["PAY"]}],
            },
        ),
    )
    assert await _status(owner, company) == "REVOKED"


async def test_an_update_that_changes_nothing_is_refused_and_notifies_nobody(
    world, deliver, settings
):
    owner, company, _, _ = world
    delegation = (await _grant(owner, company))["delegation"]
    await deliver()
    sent = len(mail_to(settings.mail_dir, FIRM))
    same = [{"serviceCode": "DECLARER_TVA", "rights": ["DECLARE", "CONSULT"]}]

    for update in ({"services": same}, {}, {"services": same, "endsAt": None}):
        payload = (await owner.data(UPDATE, input={"delegationId": delegation["id"], **update}))[
            "updateDelegation"
        ]
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
            ("DELEGATION_UNCHANGED", None)
        ]
    await deliver()
    assert len(mail_to(settings.mail_dir, FIRM)) == sent


async def test_delegation_inputs_are_bounded(world):
    owner, company, _, _ = world
    services = [{"serviceCode": "DECLARER_TVA", "rights": ["CONSULT"]}] * 500
    payload = await _grant(owner, company, services=services)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("TOO_MANY_ITEMS", ["services"])
    ]
    rights = [{"serviceCode": "DECLARER_TVA", "rights": ["CONSULT"] * 500}]
    payload = await _grant(owner, company, services=rights)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("TOO_MANY_ITEMS", ["services", "0", "rights"])
    ]
