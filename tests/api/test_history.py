"""Reading the history: the viewer's own events, a company's, staff's view, and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from app.audit import chain
from app.audit.events import EventKind
from app.models import Account, AuditEvent
from tests.api.company_flows import People
from tests.api.delegation_flows import principal_with_company
from tests.api.flows import LOG_IN, SAMPLE_SIREN, active_expert, log_in
from tests.api.test_api_tokens import _token
from tests.api.test_staff import _log_in, _member
from tests.support import OTHER_STRONG_PASSWORD

ENTRY = "sequence occurredAt kind actor { kind displayName } company { siren name } summary clientAddress userAgent"
VIEWER_HISTORY = f"""
query History($first: Int, $after: String, $filter: HistoryFilterInput) {{
  viewer {{ history(first: $first, after: $after, filter: $filter) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {ENTRY} }} }}
  }} }}
}}
"""
COMPANY_HISTORY = f"""
query CompanyHistory($identifier: String!, $filter: HistoryFilterInput) {{
  company(identifier: $identifier) {{ history(first: 50, filter: $filter) {{
    totalCount edges {{ node {{ {ENTRY} }} }}
  }} }}
}}
"""
STAFF_HISTORY = f"""
query StaffHistory($identifier: String!) {{
  company(identifier: $identifier) {{ history(first: 50) {{ totalCount edges {{ node {{ {ENTRY} }} }} }} }}
}}
"""


@pytest.fixture
async def http(app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 5000)), base_url="http://t"
    ) as client:
        yield client


def _kinds(connection):
    return [edge["node"]["kind"] for edge in connection["edges"]]


async def test_the_viewer_reads_their_own_events_newest_first(
    api, deliver, settings, make_api, clock
):
    account = await active_expert(api, deliver, settings.mail_dir)
    await api.data(LOG_IN, input={"email": account["email"], "password": OTHER_STRONG_PASSWORD})
    clock.advance(timedelta(minutes=1))
    async with make_api(token=await log_in(api, account["email"])) as client:
        history = (await client.data(VIEWER_HISTORY))["viewer"]["history"]
        assert _kinds(history) == [
            "LOGIN_SUCCEEDED",
            "LOGIN_FAILED",
            "ACCOUNT_ACTIVATED",
            "ACCOUNT_SIGNED_UP",
        ]
        newest = history["edges"][0]["node"]
        assert newest["summary"] == "Connexion réussie."
        # Whoever logs in proves who they are: the log-in is the account's own action.
        assert newest["actor"] == {"kind": "PROFESSIONAL", "displayName": "Claire Martin"}
        assert newest["clientAddress"] == "203.0.113.7"
        failed = history["edges"][1]["node"]
        # A failed attempt is nobody's proven action: no address shown to the owner.
        assert failed["actor"]["kind"] == "SYSTEM"
        assert failed["clientAddress"] is None
        first_page = (await client.data(VIEWER_HISTORY, first=2))["viewer"]["history"]
        assert first_page["pageInfo"]["hasNextPage"] is True
        second = (
            await client.data(VIEWER_HISTORY, first=2, after=first_page["pageInfo"]["endCursor"])
        )["viewer"]["history"]
        assert _kinds(second) == ["ACCOUNT_ACTIVATED", "ACCOUNT_SIGNED_UP"]
        failures = (await client.data(VIEWER_HISTORY, filter={"kinds": ["LOGIN_FAILED"]}))[
            "viewer"
        ]["history"]
        assert _kinds(failures) == ["LOGIN_FAILED"]
        assert failures["totalCount"] == 1
        later = (
            await client.data(
                VIEWER_HISTORY, filter={"from": (clock.now() - timedelta(seconds=30)).isoformat()}
            )
        )["viewer"]["history"]
        assert _kinds(later) == ["LOGIN_SUCCEEDED"]


async def test_own_actions_show_the_address_and_company_events_their_company(
    app, api, deliver, settings, make_api
):
    owner, company = await principal_with_company(api, deliver, settings, make_api)
    people = People(owner, api, deliver, settings, make_api, company["id"])
    delegate = await people.delegate("firm@example.fr", {"DECLARER_TVA": ["CONSULT"]})
    history = (await owner.data(VIEWER_HISTORY, filter={"kinds": ["DELEGATION_GRANTED"]}))[
        "viewer"
    ]["history"]
    [granted] = [edge["node"] for edge in history["edges"]]
    assert granted["company"] == {"siren": SAMPLE_SIREN, "name": "BOULANGERIE DES TROIS EPIS"}
    assert granted["summary"] == "Délégation accordée pour BOULANGERIE DES TROIS EPIS."
    assert granted["actor"] == {"kind": "PROFESSIONAL", "displayName": "Claire Martin"}
    assert (granted["clientAddress"], granted["userAgent"]) == ("203.0.113.7", "tests/1.0")
    # The delegate is the subject: they read it, without the grantor's address.
    seen = (await delegate.data(VIEWER_HISTORY, filter={"kinds": ["DELEGATION_GRANTED"]}))[
        "viewer"
    ]["history"]["edges"][0]["node"]
    assert seen["actor"]["displayName"] == "Claire Martin"
    assert seen["clientAddress"] is None
    assert seen["userAgent"] is None
    by_company = (await owner.data(VIEWER_HISTORY, filter={"companyId": company["id"]}))["viewer"][
        "history"
    ]
    assert {edge["node"]["company"]["siren"] for edge in by_company["edges"]} == {SAMPLE_SIREN}
    nothing = (await owner.data(VIEWER_HISTORY, filter={"companyId": "garbage"}))["viewer"]
    assert nothing["history"]["totalCount"] == 0
    await delegate.__aexit__()
    await owner.__aexit__()


async def test_company_history_for_its_administrators_and_staff_only(
    app, api, deliver, settings, make_api, staff_api, clock
):
    owner, company = await principal_with_company(api, deliver, settings, make_api)
    people = People(owner, api, deliver, settings, make_api, company["id"])
    alternate = await people.alternate()
    delegate = await people.delegate("firm@example.fr", {"DECLARER_TVA": ["CONSULT"]})

    history = (await owner.data(COMPANY_HISTORY, identifier=SAMPLE_SIREN))["company"]["history"]
    kinds = _kinds(history)
    assert kinds[:2] == ["DELEGATION_GRANTED", "ALTERNATE_DESIGNATED"]
    assert "COMPANY_ADDED" in kinds
    assert (await alternate.data(COMPANY_HISTORY, identifier=SAMPLE_SIREN))["company"]["history"][
        "totalCount"
    ] == history["totalCount"]
    hidden = (await delegate.data(COMPANY_HISTORY, identifier=SAMPLE_SIREN))["company"]
    assert hidden["history"] == {"totalCount": 0, "edges": []}
    token = await _token(owner, ["companies:read"])
    async with make_api(token=token) as software:
        by_token = (await software.data(COMPANY_HISTORY, identifier=SAMPLE_SIREN))["company"]
    assert by_token["history"]["totalCount"] == 0

    totp = await _member(app)
    staff_token = (await _log_in(staff_api, totp, clock))["token"]
    async with staff_api(token=staff_token) as agent:
        staff_view = (await agent.data(STAFF_HISTORY, identifier=SAMPLE_SIREN))["company"]
    assert staff_view["history"]["totalCount"] == history["totalCount"]
    assert {edge["node"]["clientAddress"] for edge in staff_view["history"]["edges"]} == {None}
    for client in (alternate, delegate, owner):
        await client.__aexit__()


async def _chained_events(app, account_id, count):
    async with app.state.runtime.sessions() as session:
        now = app.state.runtime.clock.now()
        rows = [
            AuditEvent(
                occurred_at=now,
                kind=EventKind.LOGIN_SUCCEEDED.value,
                subject_account_id=account_id,
                ip="=cmd|' /C calc'!A0",
                details={},
            )
            for _ in range(count)
        ]
        await session.run_sync(lambda sync: chain.append(sync, rows))
        await session.commit()


async def test_the_csv_export_streams_every_event_and_ends_with_the_chain_hash(
    app, api, deliver, settings, make_api, http
):
    account = await active_expert(api, deliver, settings.mail_dir)
    token = await log_in(api, account["email"])
    async with app.state.runtime.sessions() as session:
        account_id = await session.scalar(
            select(Account.id).where(Account.email == account["email"])
        )
    await _chained_events(app, account_id, 2_500)

    response = await http.get("/exports/history.csv", headers={"authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    rows = list(csv.reader(io.StringIO("\n".join(lines[:-1]))))
    assert rows[0][:3] == ["sequence", "occurredAt", "kind"]
    assert len(rows) == 1 + 2 + 2_500 + 1  # header, sign-up and activation, the batch, log-in
    async with app.state.runtime.sessions() as session:
        head = await session.scalar(
            select(AuditEvent).order_by(AuditEvent.sequence.desc()).limit(1)
        )
    assert lines[-1] == f"# chain hash of event #{head.sequence}: {head.hash}"
    filtered = await http.get(
        "/exports/history.csv",
        params={"kinds": "ACCOUNT_SIGNED_UP,ACCOUNT_ACTIVATED"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert [
        row[2]
        for row in csv.reader(io.StringIO(filtered.text))
        if row and not row[0].startswith("#")
    ][1:] == ["ACCOUNT_SIGNED_UP", "ACCOUNT_ACTIVATED"]


async def test_csv_cells_are_never_formulas(app, api, deliver, settings, make_api, http):
    account = await active_expert(api, deliver, settings.mail_dir, firstName="=HYPERLINK")
    token = await log_in(api, account["email"])
    response = await http.get("/exports/history.csv", headers={"authorization": f"Bearer {token}"})
    assert ",=" not in response.text


async def test_exports_need_a_session(app, api, deliver, settings, make_api, http):
    account = await active_expert(api, deliver, settings.mail_dir)
    async with make_api(token=await log_in(api, account["email"])) as client:
        token = await _token(client, ["companies:read"])
    for path in ("/exports/history.csv", "/exports/personal-data.json"):
        assert (await http.get(path)).status_code == 401
        by_token = await http.get(path, headers={"authorization": f"Bearer {token}"})
        assert by_token.status_code == 403
    bad = await http.get(
        "/exports/history.csv",
        params={"from": "2026-01-01"},
        headers={"authorization": f"Bearer {await log_in(api, account['email'])}"},
    )
    assert bad.status_code == 400
