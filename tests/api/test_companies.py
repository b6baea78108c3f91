"""addCompany, removeCompany, company(identifier:), viewer.companies and node(id:) for companies."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from stdnum import luhn

from app.models import Company
from tests.api.flows import ADD_COMPANY, SAMPLE_SIREN, VIEWER, add_company, logged_in_expert
from tests.api.test_nodes import NODE
from tests.support import error_codes

REMOVE_COMPANY = """
mutation Remove($input: RemoveCompanyInput!) { removeCompany(input: $input) { userErrors { code field message } } }
"""
COMPANY = """
query Company($identifier: String!) { company(identifier: $identifier) { id siren idsp name myRole registeredOffice } }
"""
IDSP = "P12345678" + luhn.calc_check_digit("12345678")


async def _client(api, deliver, settings, make_api, email="claire.martin@example.fr"):
    return await logged_in_expert(api, deliver, settings.mail_dir, make_api, email=email)


async def test_add_company_by_siren_gives_no_rights_and_is_idempotent(
    api, deliver, settings, make_api
):
    async with await _client(api, deliver, settings, make_api) as client:
        first = await add_company(client, "300 123 403")
        again = await add_company(client, SAMPLE_SIREN)
        viewer = (await client.data(VIEWER))["viewer"]
    assert first == again
    assert first["myRole"] == "NONE"
    assert viewer["companies"]["totalCount"] == 1


async def test_add_company_by_idsp(app, api, deliver, settings, make_api):
    runtime = app.state.runtime
    async with runtime.sessions() as session:
        session.add(
            Company(idsp=IDSP, name="ENTITE EN ATTENTE DE SIREN", updated_at=runtime.clock.now())
        )
        await session.commit()
    async with await _client(api, deliver, settings, make_api) as client:
        company = await add_company(client, IDSP.lower())
    assert company["idsp"] == IDSP
    assert company["siren"] is None


@pytest.mark.parametrize(
    ("identifier", "code"),
    [
        ("123456789", "INVALID_COMPANY_IDENTIFIER"),
        ("P123456789", "INVALID_COMPANY_IDENTIFIER"),
        ("hello", "INVALID_COMPANY_IDENTIFIER"),
        ("732829320", "COMPANY_NOT_FOUND"),
    ],
)
async def test_add_company_errors(api, deliver, settings, make_api, identifier, code):
    async with await _client(api, deliver, settings, make_api) as client:
        data = await client.data(ADD_COMPANY, input={"identifier": identifier})
        assert [(e["code"], e["field"]) for e in data["addCompany"]["userErrors"]] == [
            (code, ["identifier"])
        ]
        assert (await client.data(VIEWER))["viewer"]["companies"]["totalCount"] == 0


async def test_add_company_needs_a_session(api):
    response = await api.call(ADD_COMPANY, input={"identifier": SAMPLE_SIREN})
    assert response.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_warning_past_100_identifiers(app, api, deliver, settings, make_api):
    from tests.dataloaders.fixtures import add_directory_companies

    sirens = await add_directory_companies(app.state.runtime, 101)
    async with await _client(api, deliver, settings, make_api) as client:
        warnings = []
        for siren in sirens:
            data = await client.data(ADD_COMPANY, input={"identifier": siren})
            assert data["addCompany"]["userErrors"] == []
            warnings.append(data["addCompany"]["warnings"])
    assert warnings[99] == []
    assert [w["code"] for w in warnings[100]] == ["RECOMMENDED_IDENTIFIER_LIMIT_EXCEEDED"]


async def test_company_query_answers_only_for_the_viewers_companies(
    api, deliver, settings, make_api
):
    async with await _client(api, deliver, settings, make_api) as client:
        await add_company(client, SAMPLE_SIREN)
        mine = (await client.data(COMPANY, identifier=SAMPLE_SIREN))["company"]
        assert mine["registeredOffice"] == ["12 RUE DES LILAS", "75019 PARIS"]
    async with await _client(
        api, deliver, settings, make_api, email="stranger@example.fr"
    ) as stranger:
        assert (await stranger.data(COMPANY, identifier=SAMPLE_SIREN))["company"] is None
        assert (await stranger.data(COMPANY, identifier="732829320"))["company"] is None
        assert (await stranger.data(COMPANY, identifier="garbage"))["company"] is None
        assert (await stranger.data(NODE, id=mine["id"]))["node"] is None


async def test_remove_company(api, deliver, settings, make_api):
    async with await _client(api, deliver, settings, make_api) as client:
        company = await add_company(client, SAMPLE_SIREN)
        data = await client.data(REMOVE_COMPANY, input={"companyId": company["id"]})
        assert data["removeCompany"]["userErrors"] == []
        assert (await client.data(VIEWER))["viewer"]["companies"]["totalCount"] == 0
        again = await client.data(REMOVE_COMPANY, input={"companyId": company["id"]})
        assert [(e["code"], e["field"]) for e in again["removeCompany"]["userErrors"]] == [
            ("COMPANY_NOT_ADDED", ["companyId"])
        ]
        garbage = await client.data(REMOVE_COMPANY, input={"companyId": "garbage"})
        assert error_codes(garbage["removeCompany"]) == ["COMPANY_NOT_ADDED"]


async def test_a_company_with_a_role_cannot_be_removed(api, deliver, settings, make_api):
    from tests.api.flows import become_principal

    async with await _client(api, deliver, settings, make_api) as client:
        company = await become_principal(
            client, deliver, settings.letters_dir, SAMPLE_SIREN, ["DECLARER_TVA"]
        )
        data = await client.data(REMOVE_COMPANY, input={"companyId": company["id"]})
    assert error_codes(data["removeCompany"]) == ["COMPANY_HAS_ROLE"]


async def test_the_directory_sample_is_loaded(app):
    async with app.state.runtime.sessions() as session:
        assert await session.scalar(select(Company.name).where(Company.siren == SAMPLE_SIREN))
