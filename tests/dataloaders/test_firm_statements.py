"""A firm holding delegations on 10, 100 or 1,000 companies: the same number of statements."""

from __future__ import annotations

from sqlalchemy import select

from app.models import Account
from tests.api.flows import active_expert, log_in
from tests.dataloaders.counting import count_statements
from tests.dataloaders.fixtures import delegate_many

FIRM_DASHBOARD = """
query FirmDashboard {
  viewer {
    companies(first: 100) {
      totalCount
      edges { node {
        id siren name myRole
        services { service { code } rights }
        principalAdministrator { lastName }
        alternateAdministrator { lastName }
        delegations(first: 10) { totalCount edges { node { id status delegate { email } grantor { email } } } }
      } }
    }
    delegationsReceived(first: 100) {
      totalCount
      edges { node { id status services { service { code } rights } company { name } grantor { email } } }
    }
  }
}
"""


async def _account_id(runtime, email):
    async with runtime.sessions() as session:
        return await session.scalar(select(Account.id).where(Account.email == email))


async def test_firm_dashboard_statements_are_flat(app, api, deliver, settings, make_api):
    runtime = app.state.runtime
    counts = []
    for index, size in enumerate((10, 100, 1000)):
        owner, firm = f"owner{size}@example.fr", f"firm{size}@example.fr"
        await active_expert(api, deliver, settings.mail_dir, email=owner)
        await active_expert(api, deliver, settings.mail_dir, email=firm)
        owner_id, firm_id = await _account_id(runtime, owner), await _account_id(runtime, firm)
        await delegate_many(runtime, owner_id, firm_id, size, offset=(index + 1) * 5000)
        async with make_api(token=await log_in(api, firm)) as client:
            with count_statements(app.state.engine) as statements:
                data = await client.data(FIRM_DASHBOARD)
        viewer = data["viewer"]
        assert viewer["companies"]["totalCount"] == size
        assert viewer["delegationsReceived"]["totalCount"] == size
        node = viewer["companies"]["edges"][0]["node"]
        assert node["myRole"] == "DELEGATE"
        assert node["services"] == [
            {"service": {"code": "DECLARER_TVA"}, "rights": ["CONSULT", "DECLARE"]},
            {"service": {"code": "PAYER_TVA"}, "rights": ["PAY"]},
        ]
        assert node["delegations"]["totalCount"] == 1
        counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2], counts
