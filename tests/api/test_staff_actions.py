"""replacePrincipalAdministrator, withdrawAccess (staff) and acknowledgeCompanyReview."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Delegation
from tests.api.delegation_flows import (
    ALTERNATE_MUTATIONS,
    GRANT,
    ask,
    grant_input,
    other_account,
    principal_with_company,
)
from tests.api.flows import SAMPLE_SIREN
from tests.api.test_staff import _log_in, _member
from tests.support import body, error_codes, mail_to

REPLACE = """
mutation Replace($input: ReplacePrincipalAdministratorInput!) {
  replacePrincipalAdministrator(input: $input) {
    company { principalAdministrator { email } alternateAdministrator { email } delegations { delegate { email } status } }
    userErrors { code field message }
  }
}
"""
WITHDRAW = """
mutation Withdraw($input: WithdrawAccessInput!) {
  withdrawAccess(input: $input) {
    company { principalAdministrator { email } alternateAdministrator { email } }
    userErrors { code field message }
  }
}
"""
ACKNOWLEDGE = """
mutation Ack($input: AcknowledgeCompanyReviewInput!) {
  acknowledgeCompanyReview(input: $input) { company { reviewRequired } userErrors { code } }
}
"""
REVIEW = 'query { company(identifier: "300123403") { myRole reviewRequired } }'
REASON = "Décision de justice du 12 novembre 2026, dossier 2026-4471"


@pytest.fixture
async def world(app, api, deliver, settings, make_api, staff_api, clock):
    """A principal with a delegation to a firm, a successor account, and a staff session of 75."""
    owner, company = await principal_with_company(api, deliver, settings, make_api)
    firm = await other_account(api, deliver, settings, make_api, "firm@example.fr")
    successor = await other_account(api, deliver, settings, make_api, "successor@example.fr")
    await owner.data(GRANT, input=grant_input(company["id"], "firm@example.fr"))
    totp = await _member(app)
    token = (await _log_in(staff_api, totp, clock))["token"]
    agent = staff_api(token=token)
    await agent.__aenter__()
    yield owner, company, firm, successor, agent
    for client in (owner, firm, successor, agent):
        await client.__aexit__()


async def _delegations(app):
    async with app.state.runtime.sessions() as session:
        return [
            (d.id, d.delegate_account_id, d.grantor_account_id, d.services, d.revoked_at)
            for d in await session.scalars(select(Delegation).order_by(Delegation.id))
        ]


def _replace(email="successor@example.fr", **overrides):
    values = {"companyIdentifier": SAMPLE_SIREN, "newPrincipalEmail": email, "reason": REASON}
    values.update(overrides)
    return values


async def test_replacement_appoints_the_successor_and_flags_the_company(
    app, world, deliver, settings
):
    owner, company, firm, successor, agent = world
    before = await _delegations(app)

    payload = (await agent.data(REPLACE, input=_replace()))["replacePrincipalAdministrator"]

    assert payload["userErrors"] == []
    assert payload["company"]["principalAdministrator"]["email"] == "successor@example.fr"
    assert await _delegations(app) == before
    assert await ask(firm) == (True, "DELEGATION")
    assert await ask(successor, right="PAY", service="PAYER_TVA") == (
        True,
        "PRINCIPAL_ADMINISTRATOR",
    )
    assert await ask(owner) == (False, "NO_ROLE_ON_COMPANY")
    assert (await successor.data(REVIEW))["company"] == {
        "myRole": "PRINCIPAL_ADMINISTRATOR",
        "reviewRequired": True,
    }
    await deliver()
    notice = mail_to(settings.mail_dir, "successor@example.fr")[-1]
    assert "delegations and bank accounts" in body(notice)
    assert "no longer principal" in mail_to(settings.mail_dir, "owner@example.fr")[-1]["Subject"]
    async with app.state.runtime.sessions() as session:
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.kind == "PRINCIPAL_ADMINISTRATOR_REPLACED")
        )
    assert event.actor_staff_id is not None
    assert event.actor_account_id is None
    assert event.details["reason"] == REASON

    refused = await owner.call(ACKNOWLEDGE, input={"companyId": company["id"]})
    assert refused.errors[0]["extensions"]["code"] == "FORBIDDEN"
    done = await successor.data(ACKNOWLEDGE, input={"companyId": company["id"]})
    assert done["acknowledgeCompanyReview"]["company"]["reviewRequired"] is False
    assert (await successor.data(REVIEW))["company"]["reviewRequired"] is False


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"reason": "because"}, "REASON_REQUIRED", ["reason"]),
        ({"newPrincipalEmail": "nobody@example.fr"}, "ACCOUNT_NOT_FOUND", ["newPrincipalEmail"]),
        (
            {"newPrincipalEmail": "owner@example.fr"},
            "ALREADY_PRINCIPAL_ADMINISTRATOR",
            ["newPrincipalEmail"],
        ),
        ({"companyIdentifier": "123"}, "INVALID_COMPANY_IDENTIFIER", ["companyIdentifier"]),
        ({"companyIdentifier": "732829320"}, "COMPANY_NOT_FOUND", ["companyIdentifier"]),
    ],
)
async def test_replacement_errors_change_nothing(app, world, overrides, code, field):
    owner, *_, agent = world
    before = await _delegations(app)
    payload = (await agent.data(REPLACE, input=_replace(**overrides)))[
        "replacePrincipalAdministrator"
    ]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert (await owner.data(REVIEW))["company"] == {
        "myRole": "PRINCIPAL_ADMINISTRATOR",
        "reviewRequired": False,
    }
    assert await _delegations(app) == before


async def test_staff_of_another_office_cannot_act(app, world, staff_api, clock):
    totp = await _member(app, email="lyon@dgfip.finances.gouv.fr", office="69")
    token = (await _log_in(staff_api, totp, clock, email="lyon@dgfip.finances.gouv.fr"))["token"]
    async with staff_api(token=token) as lyon:
        replaced = await lyon.call(REPLACE, input=_replace())
        withdrawn = await lyon.call(
            WITHDRAW,
            input={
                "companyIdentifier": SAMPLE_SIREN,
                "accountEmail": "owner@example.fr",
                "reason": REASON,
            },
        )
    assert replaced.errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert withdrawn.errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_national_staff_act_everywhere(app, world, staff_api, clock):
    totp = await _member(app, email="national@dgfip.finances.gouv.fr", office="69", national=True)
    token = (await _log_in(staff_api, totp, clock, email="national@dgfip.finances.gouv.fr"))[
        "token"
    ]
    async with staff_api(token=token) as national:
        data = await national.data(REPLACE, input=_replace())
    assert data["replacePrincipalAdministrator"]["userErrors"] == []


async def test_withdrawal_removes_administrator_roles_only(app, world, deliver, settings):
    owner, company, firm, _, agent = world
    await owner.data(
        ALTERNATE_MUTATIONS["designate"],
        input={"companyId": company["id"], "accountEmail": "successor@example.fr"},
    )
    before = await _delegations(app)

    def withdraw(email, reason=REASON):
        return {"companyIdentifier": SAMPLE_SIREN, "accountEmail": email, "reason": reason}

    alternate = (await agent.data(WITHDRAW, input=withdraw("successor@example.fr")))[
        "withdrawAccess"
    ]
    delegate = (await agent.data(WITHDRAW, input=withdraw("firm@example.fr")))["withdrawAccess"]
    principal = (await agent.data(WITHDRAW, input=withdraw("owner@example.fr")))["withdrawAccess"]
    no_reason = (await agent.data(WITHDRAW, input=withdraw("owner@example.fr", "")))[
        "withdrawAccess"
    ]

    assert alternate["userErrors"] == []
    assert alternate["company"]["alternateAdministrator"] is None
    assert error_codes(delegate) == ["ACCOUNT_HAS_NO_ROLE"]
    assert principal["company"]["principalAdministrator"] is None
    assert error_codes(no_reason) == ["REASON_REQUIRED", "ACCOUNT_HAS_NO_ROLE"]
    assert await _delegations(app) == before
    assert await ask(firm) == (True, "DELEGATION")
    await deliver()
    assert mail_to(settings.mail_dir, "owner@example.fr")[-1]["Subject"].startswith(
        "Access withdrawn"
    )


async def test_staff_mutations_need_a_staff_session(world, staff_api):
    async with staff_api() as anonymous:
        response = await anonymous.call(REPLACE, input=_replace())
    assert response.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_no_staff_mutation_touches_the_delegations_table(app, world, staff_api, clock):
    """Staff cannot remove or change a delegation: every staff mutation, one after the other."""
    owner, company, *_ = world
    await owner.data(
        ALTERNATE_MUTATIONS["designate"],
        input={"companyId": company["id"], "accountEmail": "successor@example.fr"},
    )

    async def snapshot():
        async with app.state.runtime.sessions() as session:
            return [
                (
                    d.id,
                    d.company_id,
                    d.delegate_account_id,
                    d.grantor_account_id,
                    d.services,
                    d.starts_at,
                    d.ends_at,
                    d.revoked_at,
                    d.updated_at,
                )
                for d in await session.scalars(select(Delegation).order_by(Delegation.id))
            ]

    asked = await owner.data(
        "mutation($input: RequestSpecialServiceInput!) { requestSpecialService(input: $input) "
        "{ specialServiceRequest { id } } }",
        input={
            "companyId": company["id"],
            "serviceCode": "DECLARER_DAC6",
            "justification": "Dispositifs transfrontières à déclarer",
        },
    )
    special = asked["requestSpecialService"]["specialServiceRequest"]["id"]
    before = await snapshot()
    totp = await _member(app, email="national@dgfip.finances.gouv.fr", national=True)
    token = (await _log_in(staff_api, totp, clock, email="national@dgfip.finances.gouv.fr"))[
        "token"
    ]
    async with staff_api(token=token) as national:
        documents = [
            (
                "mutation($input: DecideSpecialServiceRequestInput!) { decideSpecialServiceRequest(input: $input) { userErrors { code } } }",
                {"requestId": special, "approve": True, "reason": REASON},
            ),
            (REPLACE, _replace()),
            (
                WITHDRAW,
                {
                    "companyIdentifier": SAMPLE_SIREN,
                    "accountEmail": "successor@example.fr",
                    "reason": REASON,
                },
            ),
            (
                "mutation($input: ScheduleMaintenanceInput!) { scheduleMaintenance(input: $input) { notice { id } userErrors { code } } }",
                {
                    "startsAt": clock.now().isoformat(),
                    "endsAt": (clock.now().replace(year=2100)).isoformat(),
                    "message": "Maintenance",
                    "serviceCodes": ["DECLARER_TVA"],
                    "reason": REASON,
                },
            ),
            (
                "mutation($input: RegisterProvisionalEntityInput!) { registerProvisionalEntity(input: $input) { company { company { idsp } } userErrors { code } } }",
                {
                    "name": "ENTITE",
                    "legalForm": "",
                    "addressLines": ["1 RUE X"],
                    "postalCode": "75001",
                    "city": "PARIS",
                    "reason": REASON,
                },
            ),
        ]
        outcomes = []
        for document, values in documents:
            response = await national.call(document, input=values)
            assert response.errors is None, response.errors
            outcomes.append(next(iter(response.data.values())))
        idsp = outcomes[-1]["company"]["company"]["idsp"]
        linked = await national.call(
            "mutation($input: LinkSirenInput!) { linkSiren(input: $input) { userErrors { code } } }",
            input={"idsp": idsp, "siren": "732829320", "reason": REASON},
        )
        notice = outcomes[3]["notice"]["id"]
        cancelled = await national.call(
            "mutation($input: CancelMaintenanceInput!) { cancelMaintenance(input: $input) { userErrors { code } } }",
            input={"noticeId": notice, "reason": REASON},
        )
        await national.call("mutation { staffLogOut(input: {}) { userErrors { code } } }")
    assert all(outcome["userErrors"] == [] for outcome in outcomes)
    assert linked.data["linkSiren"]["userErrors"] == []
    assert cancelled.data["cancelMaintenance"]["userErrors"] == []
    assert await snapshot() == before


async def test_a_replacement_also_tells_the_business_email(
    api, deliver, settings, make_api, staff_api, app, clock
):
    from tests.api.test_nodes import _basic_administrator

    await _basic_administrator(api, deliver, settings)
    successor = await other_account(api, deliver, settings, make_api, "successor@example.fr")
    await successor.__aexit__()
    totp = await _member(app)
    token = (await _log_in(staff_api, totp, clock))["token"]
    async with staff_api(token=token) as agent:
        data = await agent.data(REPLACE, input=_replace())
    assert data["replacePrincipalAdministrator"]["userErrors"] == []
    await deliver()
    [notice] = mail_to(settings.mail_dir, "contact@boulangerie-epis.example.fr")[-1:]
    assert notice["Subject"] == "New principal administrator: BOULANGERIE DES TROIS EPIS"
