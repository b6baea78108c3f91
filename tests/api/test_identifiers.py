"""registerProvisionalEntity and linkSiren: IDSP entities, and their merge into SIRENE companies."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.validation import is_valid_idsp
from app.models import Delegation
from tests.api.delegation_flows import GRANT, ask, grant_input, other_account
from tests.api.flows import SAMPLE_SIREN, add_company, become_principal, logged_in_expert
from tests.api.test_staff import _log_in, _member
from tests.support import error_codes

REGISTER = """
mutation Register($input: RegisterProvisionalEntityInput!) {
  registerProvisionalEntity(input: $input) {
    company { company { idsp siren name office } }
    userErrors { code field }
  }
}
"""
LINK = """
mutation Link($input: LinkSirenInput!) {
  linkSiren(input: $input) {
    company { company { idsp siren name } principalAdministrator { email } delegations { delegate { email } } }
    userErrors { code field }
  }
}
"""
COMPANY = "query($id: String!) { company(identifier: $id) { siren idsp name myRole } }"
REQUEST_DELEGATION = """
mutation($input: RequestDelegationInput!) { requestDelegation(input: $input) { userErrors { code } } }
"""
REASON = "Immatriculation en attente auprès de l'INSEE"
UNKNOWN_SIREN = "732829320"
# The sample directory's company in Paris (office 75), as the SIRENE side of a merge.
PARIS_SIREN = SAMPLE_SIREN
WITHDRAW = """
mutation($input: WithdrawAccessInput!) { withdrawAccess(input: $input) { userErrors { code } } }
"""


def _entity(**overrides):
    values = {
        "name": "ASSOCIATION DES AMIS DU CANAL",
        "legalForm": "9220",
        "addressLines": ["BATIMENT B", "3 QUAI DE VALMY"],
        "postalCode": "75010",
        "city": "PARIS",
        "reason": REASON,
    }
    values.update(overrides)
    return values


@pytest.fixture
async def agent(app, staff_api, clock):
    totp = await _member(app)
    token = (await _log_in(staff_api, totp, clock))["token"]
    async with staff_api(token=token) as client:
        yield client


async def _register(agent, **overrides):
    payload = (await agent.data(REGISTER, input=_entity(**overrides)))["registerProvisionalEntity"]
    assert payload["userErrors"] == [], payload
    return payload["company"]["company"]["idsp"]


async def test_a_registered_entity_gets_an_idsp_professionals_can_add(
    agent, api, deliver, settings, make_api
):
    idsp = await _register(agent)

    assert is_valid_idsp(idsp)
    async with await logged_in_expert(api, deliver, settings.mail_dir, make_api) as client:
        added = await add_company(client, idsp)
    assert added["name"] == "ASSOCIATION DES AMIS DU CANAL"
    assert added["siren"] is None


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"reason": "x"}, "REASON_REQUIRED", ["reason"]),
        ({"name": " "}, "INVALID_NAME", ["name"]),
        ({"addressLines": []}, "INVALID_ADDRESS", ["addressLines"]),
        ({"addressLines": ["a", "b", "c"]}, "TOO_MANY_ITEMS", ["addressLines"]),
        ({"postalCode": "7501"}, "INVALID_POSTAL_CODE", ["postalCode"]),
    ],
)
async def test_register_errors(agent, overrides, code, field):
    payload = (await agent.data(REGISTER, input=_entity(**overrides)))["registerProvisionalEntity"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]


async def test_registering_outside_the_office_is_forbidden(agent):
    response = await agent.call(REGISTER, input=_entity(postalCode="69005", city="LYON"))
    assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_siren_new_to_the_directory_is_simply_attached(
    agent, api, deliver, settings, make_api
):
    idsp = await _register(agent)
    async with await logged_in_expert(api, deliver, settings.mail_dir, make_api) as client:
        await add_company(client, idsp)
        linked = (
            await agent.data(LINK, input={"idsp": idsp, "siren": UNKNOWN_SIREN, "reason": REASON})
        )["linkSiren"]
        by_siren = (await client.data(COMPANY, id=UNKNOWN_SIREN))["company"]
        by_idsp = (await client.data(COMPANY, id=idsp))["company"]
    assert linked["userErrors"] == []
    assert by_siren == by_idsp
    assert by_siren["siren"] == UNKNOWN_SIREN
    again = await agent.data(LINK, input={"idsp": idsp, "siren": UNKNOWN_SIREN, "reason": REASON})
    assert error_codes(again["linkSiren"]) == ["IDSP_ALREADY_LINKED"]


async def test_linking_a_known_siren_merges_everything_into_it(
    app, agent, api, deliver, settings, make_api
):
    idsp = await _register(agent)
    owner = await other_account(api, deliver, settings, make_api, "owner@example.fr")
    firm = await other_account(api, deliver, settings, make_api, "firm@example.fr")
    auditor = await other_account(api, deliver, settings, make_api, "auditor@example.fr")
    try:
        entity = await become_principal(
            owner, deliver, settings.letters_dir, idsp, ["DECLARER_TVA", "PAYER_TVA"]
        )
        await owner.data(GRANT, input=grant_input(entity["id"], "firm@example.fr"))
        asked = await auditor.data(
            REQUEST_DELEGATION,
            input={
                "companyIdentifier": idsp,
                "services": [{"serviceCode": "PAYER_TVA", "rights": ["CONSULT"]}],
                "message": "Commissaire aux comptes",
            },
        )
        assert asked["requestDelegation"]["userErrors"] == []
        async with app.state.runtime.sessions() as session:
            before = [
                (d.id, d.delegate_account_id, d.services)
                for d in await session.scalars(select(Delegation))
            ]

        linked = (
            await agent.data(LINK, input={"idsp": idsp, "siren": SAMPLE_SIREN, "reason": REASON})
        )["linkSiren"]

        assert linked["userErrors"] == []
        merged = linked["company"]
        assert merged["company"]["siren"] == SAMPLE_SIREN
        assert merged["company"]["idsp"] == idsp
        assert merged["company"]["name"] == "BOULANGERIE DES TROIS EPIS"  # the SIRENE record
        assert merged["principalAdministrator"]["email"] == "owner@example.fr"
        assert [d["delegate"]["email"] for d in merged["delegations"]] == ["firm@example.fr"]
        for identifier in (SAMPLE_SIREN, idsp):
            assert await ask(firm, identifier=identifier) == (True, "DELEGATION")
            seen = (await owner.data(COMPANY, id=identifier))["company"]
            assert seen["myRole"] == "PRINCIPAL_ADMINISTRATOR"
        pending = await owner.data(
            f'{{ company(identifier: "{SAMPLE_SIREN}") {{ delegationRequests {{ requester {{ email }} }} }} }}'
        )
        assert pending["company"]["delegationRequests"] == [
            {"requester": {"email": "auditor@example.fr"}}
        ]
        async with app.state.runtime.sessions() as session:
            after = [
                (d.id, d.delegate_account_id, d.services)
                for d in await session.scalars(select(Delegation))
            ]
        assert after == before
    finally:
        for client in (owner, firm, auditor):
            await client.__aexit__()


async def test_both_principals_refuse_the_link(agent, api, deliver, settings, make_api):
    idsp = await _register(agent)
    first = await other_account(api, deliver, settings, make_api, "first@example.fr")
    second = await other_account(api, deliver, settings, make_api, "second@example.fr")
    try:
        await become_principal(first, deliver, settings.letters_dir, idsp, ["DECLARER_TVA"])
        await become_principal(second, deliver, settings.letters_dir, SAMPLE_SIREN, ["PAYER_TVA"])
        refused = await agent.data(
            LINK, input={"idsp": idsp, "siren": SAMPLE_SIREN, "reason": REASON}
        )
        still = (await first.data(COMPANY, id=idsp))["company"]
    finally:
        await first.__aexit__()
        await second.__aexit__()
    assert error_codes(refused["linkSiren"]) == ["BOTH_HAVE_PRINCIPAL_ADMINISTRATOR"]
    assert still["siren"] is None


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"idsp": "P123456782", "siren": SAMPLE_SIREN}, "COMPANY_NOT_FOUND", ["idsp"]),
        ({"idsp": SAMPLE_SIREN, "siren": SAMPLE_SIREN}, "INVALID_COMPANY_IDENTIFIER", ["idsp"]),
        ({"idsp": "P123456782", "siren": "123456789"}, "INVALID_SIREN", ["siren"]),
    ],
)
async def test_link_errors(agent, values, code, field):
    data = await agent.data(LINK, input={**values, "reason": REASON})
    assert [(e["code"], e["field"]) for e in data["linkSiren"]["userErrors"]] == [(code, field)]


async def test_a_siren_already_linked_to_another_idsp_is_refused(agent):
    first = await _register(agent)
    second = await _register(agent)
    linked = await agent.data(LINK, input={"idsp": first, "siren": UNKNOWN_SIREN, "reason": REASON})
    assert linked["linkSiren"]["userErrors"] == []

    refused = await agent.data(
        LINK, input={"idsp": second, "siren": UNKNOWN_SIREN, "reason": REASON}
    )

    assert error_codes(refused["linkSiren"]) == ["SIREN_ALREADY_LINKED"]


async def test_clashing_delegations_refuse_the_link(agent, api, deliver, settings, make_api):
    """Staff cannot remove a delegation, so two live ones for the same delegate block the merge."""
    idsp = await _register(agent)
    owner = await other_account(api, deliver, settings, make_api, "owner@example.fr")
    other = await other_account(api, deliver, settings, make_api, "other@example.fr")
    firm = await other_account(api, deliver, settings, make_api, "firm@example.fr")
    try:
        entity = await become_principal(
            owner, deliver, settings.letters_dir, idsp, ["DECLARER_TVA"]
        )
        known = await become_principal(
            other, deliver, settings.letters_dir, PARIS_SIREN, ["DECLARER_TVA"]
        )
        await owner.data(GRANT, input=grant_input(entity["id"], "firm@example.fr"))
        await other.data(GRANT, input=grant_input(known["id"], "firm@example.fr"))
        # The SIRENE company's principal withdrawn, so that only the delegations clash.
        withdrawn = await agent.data(
            WITHDRAW,
            input={
                "companyIdentifier": PARIS_SIREN,
                "accountEmail": "other@example.fr",
                "reason": REASON,
            },
        )
        assert withdrawn["withdrawAccess"]["userErrors"] == []
        refused = await agent.data(
            LINK, input={"idsp": idsp, "siren": PARIS_SIREN, "reason": REASON}
        )
    finally:
        for client in (owner, other, firm):
            await client.__aexit__()
    assert error_codes(refused["linkSiren"]) == ["LINK_CONFLICT"]
