"""`node(id:)` and `viewer.companies`: an account sees only itself and its own companies."""

from __future__ import annotations

from app.schema.nodes import to_global_id
from tests.api.flows import (
    ACTIVATE_ACCOUNT,
    CONFIRM_EMAIL,
    VIEWER,
    active_expert,
    basic_until_letter,
    log_in,
)
from tests.support import read_letters

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    id
    ... on Account { email }
    ... on Company { siren name myRole }
  }
}
"""


async def _basic_administrator(api, deliver, settings):
    account, token = await basic_until_letter(api, deliver, settings.mail_dir)
    await api.data(CONFIRM_EMAIL, input={"token": token})
    await deliver()
    code = read_letters(settings.letters_dir)[-1]["code"]
    data = await api.data(ACTIVATE_ACCOUNT, input={"email": account["email"], "code": code})
    return data["activateAccount"]["account"]


async def test_node_returns_own_account_and_own_company(api, deliver, settings, make_api):
    account = await _basic_administrator(api, deliver, settings)
    async with make_api(token=await log_in(api, account["email"])) as client:
        viewer = (await client.data(VIEWER))["viewer"]
        company_id = viewer["companies"]["edges"][0]["node"]["id"]
        assert (await client.data(NODE, id=viewer["id"]))["node"]["email"] == account["email"]
        company = (await client.data(NODE, id=company_id))["node"]
    assert company["myRole"] == "PRINCIPAL_ADMINISTRATOR"


async def test_node_hides_other_accounts_and_companies(api, deliver, settings, make_api):
    administrator = await _basic_administrator(api, deliver, settings)
    stranger = await active_expert(api, deliver, settings.mail_dir, email="stranger@example.fr")
    async with make_api(token=await log_in(api, administrator["email"])) as client:
        company_id = (await client.data(VIEWER))["viewer"]["companies"]["edges"][0]["node"]["id"]
    async with make_api(token=await log_in(api, stranger["email"])) as client:
        assert (await client.data(NODE, id=company_id))["node"] is None
        assert (await client.data(NODE, id=administrator["id"]))["node"] is None
        assert (await client.data(NODE, id=to_global_id("Company", 999_999)))["node"] is None
        assert (await client.data(NODE, id="garbage"))["node"] is None
        assert (await client.data(VIEWER))["viewer"]["companies"]["totalCount"] == 0


async def test_node_answers_null_to_anonymous_callers(api, deliver, settings):
    account = await active_expert(api, deliver, settings.mail_dir)
    assert (await api.data(NODE, id=account["id"]))["node"] is None


async def test_companies_pages_with_cursors(app, api, deliver, settings, make_api):
    from sqlalchemy import select

    from app.models import Account, Company, CompanyRole

    account = await active_expert(api, deliver, settings.mail_dir)
    runtime = app.state.runtime
    async with runtime.sessions() as session:
        account_id = await session.scalar(
            select(Account.id).where(Account.email == account["email"])
        )
        company_ids = list(await session.scalars(select(Company.id).order_by(Company.id).limit(5)))
        session.add_all(
            CompanyRole(
                company_id=cid, account_id=account_id, role="DELEGATE", since=runtime.clock.now()
            )
            for cid in company_ids
        )
        await session.commit()
    page_query = """
    query Page($after: String) {
      viewer { companies(first: 2, after: $after) {
        totalCount edges { cursor node { myRole } } pageInfo { hasNextPage endCursor }
      } }
    }"""
    seen, after = 0, None
    async with make_api(token=await log_in(api, account["email"])) as client:
        while True:
            page = (await client.data(page_query, after=after))["viewer"]["companies"]
            assert page["totalCount"] == 5
            seen += len(page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    assert seen == 5
