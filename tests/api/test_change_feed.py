"""viewer.delegationChanges: every change in commit order, resumable from any cursor."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.api.delegation_flows import (
    GRANT,
    REVOKE,
    UPDATE,
    grant_input,
    other_account,
    principal_with_company,
)

FEED = """
query Feed($after: String, $first: Int) {
  viewer { delegationChanges(after: $after, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { kind occurredAt delegation { id status delegate { email } } } }
  } }
}
"""


@pytest.fixture
async def world(api, deliver, settings, make_api):
    owner, company = await principal_with_company(api, deliver, settings, make_api)
    firm = await other_account(api, deliver, settings, make_api, "firm@example.fr")
    other = await other_account(api, deliver, settings, make_api, "other@example.fr")
    yield owner, company, firm, other
    for client in (owner, firm, other):
        await client.__aexit__()


async def _read(client, after=None, first=None):
    return (await client.data(FEED, after=after, first=first))["viewer"]["delegationChanges"]


def _kinds(feed):
    return [
        (edge["node"]["kind"], edge["node"]["delegation"]["delegate"]["email"])
        for edge in feed["edges"]
    ]


async def test_grant_update_revoke_in_order_and_resumable(world):
    owner, company, firm, other = world
    delegation = (await owner.data(GRANT, input=grant_input(company["id"], "firm@example.fr")))[
        "grantDelegation"
    ]["delegation"]
    first_read = await _read(owner)
    assert _kinds(first_read) == [("GRANTED", "firm@example.fr")]

    await owner.data(
        UPDATE,
        input={
            "delegationId": delegation["id"],
            "services": [{"serviceCode": "PAYER_TVA", "rights": ["PAY"]}],
        },
    )
    await owner.data(GRANT, input=grant_input(company["id"], "other@example.fr"))
    await owner.data(REVOKE, input={"delegationId": delegation["id"]})

    since = await _read(owner, after=first_read["pageInfo"]["endCursor"])
    assert _kinds(since) == [
        ("UPDATED", "firm@example.fr"),
        ("GRANTED", "other@example.fr"),
        ("REVOKED", "firm@example.fr"),
    ]
    nothing_new = await _read(owner, after=since["pageInfo"]["endCursor"])
    assert nothing_new["edges"] == []
    assert nothing_new["pageInfo"]["endCursor"] == since["pageInfo"]["endCursor"]
    # The delegate sees its own delegation's changes only; a stranger sees nothing.
    assert [kind for kind, _ in _kinds(await _read(firm))] == ["GRANTED", "UPDATED", "REVOKED"]
    assert _kinds(await _read(other)) == [("GRANTED", "other@example.fr")]


async def test_starts_and_expiries_appear_when_their_time_comes(world, clock):
    owner, company, firm, _ = world
    start = (clock.now() + timedelta(minutes=10)).isoformat()
    end = (clock.now() + timedelta(minutes=20)).isoformat()
    await owner.data(
        GRANT, input=grant_input(company["id"], "firm@example.fr", startsAt=start, endsAt=end)
    )
    cursor = (await _read(firm))["pageInfo"]["endCursor"]
    clock.advance(timedelta(minutes=10))
    started = await _read(firm, after=cursor)
    assert [edge["node"]["kind"] for edge in started["edges"]] == ["STARTED"]
    clock.advance(timedelta(minutes=10))
    expired = await _read(firm, after=started["pageInfo"]["endCursor"])
    assert [edge["node"]["kind"] for edge in expired["edges"]] == ["EXPIRED"]
    assert expired["edges"][0]["node"]["occurredAt"] == end
    assert (await _read(firm, after=expired["pageInfo"]["endCursor"]))["edges"] == []


async def test_paging_through_the_feed(world):
    owner, company, _, _ = world
    for email in ("firm@example.fr", "other@example.fr"):
        await owner.data(GRANT, input=grant_input(company["id"], email))
    page = await _read(owner, first=1)
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await _read(owner, after=page["pageInfo"]["endCursor"], first=1)
    assert page["totalCount"] == rest["totalCount"] == 2
    assert [page["edges"][0]["cursor"]] != [rest["edges"][0]["cursor"]]


async def test_concurrent_changes_are_all_seen_by_a_reader_that_keeps_up(
    world, api, deliver, settings, make_api
):
    owner, company, _, _ = world
    emails = [f"client{index}@example.fr" for index in range(6)]
    for email in emails:
        client = await other_account(api, deliver, settings, make_api, email)
        await client.__aexit__()
    seen, cursor = [], None

    async def reader():
        nonlocal cursor
        for _ in range(20):
            page = await _read(owner, after=cursor)
            seen.extend(_kinds(page))
            cursor = page["pageInfo"]["endCursor"]
            await asyncio.sleep(0)

    await asyncio.gather(
        reader(), *(owner.data(GRANT, input=grant_input(company["id"], email)) for email in emails)
    )
    page = await _read(owner, after=cursor)
    seen.extend(_kinds(page))
    assert sorted(seen) == sorted(("GRANTED", email) for email in emails)
