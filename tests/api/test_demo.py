"""`python -m app demo`: the data set the README, GraphiQL and examples/web rely on."""

from __future__ import annotations

import subprocess
import sys

from app.demo import ACCOUNTS, DEMO_PASSWORD, FIRM_EMAIL, FIRM_SIREN, PRINCIPALS, load_demo
from tests.api.flows import LOG_IN

FIRM_DASHBOARD = """
query FirmDashboard($after: String) {
  viewer {
    companies(first: 100, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { siren myRole } }
    }
    delegationsReceived(first: 100) { totalCount }
  }
}
"""
CLAIRE = """
query Claire {
  viewer {
    companies(first: 3) {
      edges { node {
        name alternateAdministrator { firstName lastName }
        delegations(first: 10) { edges { node { status delegate { email } } } }
        delegationRequests { status requester { email } }
      } }
    }
  }
}
"""
NEWCOMER = """
query Newcomer { viewer { companies(first: 5) { edges { node { siren pendingServiceRequests { status } } } } } }
"""


async def _logged_in(api, make_api, email):
    data = await api.data(LOG_IN, input={"email": email, "password": DEMO_PASSWORD})
    assert data["logIn"]["userErrors"] == [], data
    return make_api(token=data["logIn"]["token"])


async def test_demo_loads_firm_principals_alternate_and_pending_requests(app, api, make_api):
    assert await load_demo(app.state.runtime) is True

    async with await _logged_in(api, make_api, FIRM_EMAIL) as firm:
        first = (await firm.data(FIRM_DASHBOARD))["viewer"]
        # Its own company first, then the 150 clients.
        assert first["companies"]["totalCount"] == 151
        assert first["companies"]["edges"][0]["node"] == {
            "siren": FIRM_SIREN,
            "myRole": "PRINCIPAL_ADMINISTRATOR",
        }
        assert first["delegationsReceived"]["totalCount"] == 150
        after = first["companies"]["pageInfo"]["endCursor"]
        second = (await firm.data(FIRM_DASHBOARD, after=after))["viewer"]["companies"]
        assert len(second["edges"]) == 51
        assert second["pageInfo"]["hasNextPage"] is False
        assert {edge["node"]["myRole"] for edge in second["edges"]} == {"DELEGATE"}

    async with await _logged_in(api, make_api, PRINCIPALS[0].email) as claire:
        companies = [e["node"] for e in (await claire.data(CLAIRE))["viewer"]["companies"]["edges"]]
    statuses = {
        (d["node"]["status"], d["node"]["delegate"]["email"])
        for company in companies
        for d in company["delegations"]["edges"]
    }
    assert ("EXPIRED", "cabinet.morel@demo.example") in statuses
    assert ("REVOKED", "cabinet.morel@demo.example") in statuses
    assert ("ACTIVE", FIRM_EMAIL) in statuses
    assert {c["alternateAdministrator"]["lastName"] for c in companies} == {"Petit"}
    assert companies[2]["delegationRequests"] == [
        {"status": "PENDING", "requester": {"email": "cabinet.morel@demo.example"}}
    ]

    async with await _logged_in(api, make_api, "nadia.roux@demo.example") as newcomer:
        data = await newcomer.data(NEWCOMER)
    [company] = data["viewer"]["companies"]["edges"]
    assert company["node"]["pendingServiceRequests"] == [{"status": "PENDING"}]

    # A second run finds the data there and writes nothing.
    assert await load_demo(app.state.runtime) is False
    for account in ACCOUNTS:
        async with await _logged_in(api, make_api, account.email):
            pass


def test_demo_command_prints_the_logins(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/demo.db", "PATH": "/usr/bin:/bin"}
    for expected in ("Demo data loaded.", "Demo data already there."):
        result = subprocess.run(
            [sys.executable, "-m", "app", "demo"],
            env={**env, "MAIL_DIR": str(tmp_path / "mail"), "LETTERS_DIR": str(tmp_path / "letters")},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        assert expected in result.stdout
        assert FIRM_EMAIL in result.stdout
        assert DEMO_PASSWORD in result.stdout
