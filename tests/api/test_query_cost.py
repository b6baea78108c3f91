"""Query cost: a node budget before execution, a points budget per caller and hour."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.schema.cost import NODE_LIMIT, operation_cost
from app.schema.root import build_schema
from tests.api.flows import active_expert, log_in

SCHEMA = build_schema()._schema

HUGE = """
query Huge {
  viewer { companies(first: 100) { edges { node {
    delegations(first: 100) { edges { node { id } } }
    messageThreads(first: 100) { edges { node { messages(first: 100) { totalCount } } } }
  } } } }
}
"""


def _cost(document, variables=None, operation=None):
    from graphql import parse

    return operation_cost(SCHEMA, parse(document), operation, variables)


def test_nodes_multiply_down_the_nesting_and_points_count_requests():
    cost = _cost(
        "query($n: Int) { viewer { companies(first: $n) { edges { node { "
        "delegations(first: 10) { totalCount } } } } } }",
        {"n": 50},
    )
    assert cost.nodes == 50 + 50 * 10
    assert cost.points == 1  # 1 + 50 requests, /100, at least 1
    assert _cost("{ onlineServices { code } }").points == 1
    # Omitted `first` is the largest page; fragments count where they are spread.
    fragment = _cost(
        "query { viewer { ...C } } fragment C on Account { companies { edges { node { "
        "delegations(first: 100) { totalCount } } } } }"
    )
    assert fragment.nodes == 100 + 100 * 100
    assert fragment.points == round(101 / 100)
    assert _cost(HUGE).nodes > NODE_LIMIT


async def test_every_response_reports_its_cost(app, settings):
    import httpx

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        body = (await http.post("/graphql", json={"query": "{ onlineServices { code } }"})).json()
    cost = body["extensions"]["cost"]
    assert cost["requested"] == 1
    assert cost["remaining"] == settings.cost_points_per_hour - 1
    assert cost["resetAt"]


async def test_documents_over_the_node_limit_are_refused_before_execution(
    api, deliver, settings, make_api
):
    await active_expert(api, deliver, settings.mail_dir)
    async with make_api(token=await log_in(api, "claire.martin@example.fr")) as client:
        response = await client.call(HUGE)
    assert response.errors[0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert "nodes" in response.errors[0]["message"]
    assert response.data is None


@pytest.fixture
def settings_overrides():
    """A small hourly budget, so that these tests reach it."""
    return {"cost_points_per_hour": 3}


async def test_a_caller_past_its_hourly_points_is_rate_limited_until_the_reset(
    app, api, deliver, settings, make_api, clock
):
    import httpx

    await active_expert(api, deliver, settings.mail_dir)  # anonymous calls: 2 points spent
    token = await log_in(api, "claire.martin@example.fr")  # 3rd: the client address's last
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 1)), base_url="http://t"
    ) as http:
        refused = (
            await http.post("/graphql", json={"query": "{ onlineServices { code } }"})
        ).json()
        assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert (
            refused["errors"][0]["extensions"]["resetAt"]
            == refused["extensions"]["cost"]["resetAt"]
        )
        # The account has a budget of its own.
        headers = {"authorization": f"Bearer {token}"}
        for remaining in (2, 1, 0):
            ok = (
                await http.post("/graphql", json={"query": "{ viewer { email } }"}, headers=headers)
            ).json()
            assert ok["data"]["viewer"]["email"] == "claire.martin@example.fr"
            assert ok["extensions"]["cost"]["remaining"] == remaining
        over = (
            await http.post("/graphql", json={"query": "{ viewer { email } }"}, headers=headers)
        ).json()
        assert over["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert over["data"] is None
        clock.advance(timedelta(hours=1))
        # Sessions last 30 min idle: log in again, from another address so as not to spend.
        async with make_api(ip="198.51.100.4") as other:
            fresh = await log_in(other, "claire.martin@example.fr")
        again = (
            await http.post(
                "/graphql",
                json={"query": "{ viewer { email } }"},
                headers={"authorization": f"Bearer {fresh}"},
            )
        ).json()
        assert again["data"]["viewer"]["email"] == "claire.martin@example.fr"


async def test_the_accounting_is_one_statement_per_request(app, api):
    from sqlalchemy import event

    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if "cost_budgets" in statement:
            seen.append(statement)

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
    try:
        for _ in range(3):
            await api.data("{ onlineServices { code } }")
    finally:
        event.remove(app.state.engine.sync_engine, "before_cursor_execute", record)
    assert len(seen) == 3


async def test_a_repeated_document_is_validated_once(app):
    import httpx
    from strawberry.extensions.validation_cache import _get_validate_cache

    cache = _get_validate_cache(256)
    query = "query Catalogue { onlineServices { code name } }"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        await http.post("/graphql", json={"query": query})
        before = cache.cache_info()
        for _ in range(2):  # this module's callers have 3 points an hour
            body = (await http.post("/graphql", json={"query": query})).json()
    after = cache.cache_info()
    assert body.get("data"), body
    # The limits' rules are the same classes on every request: the cache answers.
    assert (after.hits - before.hits, after.misses - before.misses) == (2, 0)
