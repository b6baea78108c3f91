"""HTTP surface: health, readiness, GET/POST, limits, masking, headers, introspection."""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy import func, select

from app.clock import FrozenClock
from app.main import create_app
from app.models import RateLimitHit
from tests.support import Api, make_settings


@pytest.fixture
async def http(app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        yield client


async def test_health_and_readiness(http):
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    assert (await http.get("/readyz")).json() == {
        "status": "ready",
        "outbox": {"backlog": 0, "oldestAgeSeconds": 0.0},
    }


async def test_readiness_fails_when_the_database_is_unreachable(tmp_path):
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/db.sqlite", tmp_path)
    app = create_app(settings, clock=FrozenClock())
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        response = await http.get("/readyz")
    assert response.status_code == 503


async def test_queries_over_get_but_not_mutations(http):
    query = await http.get("/graphql", params={"query": "{ viewer { id } }"})
    assert query.json()["data"] == {"viewer": None}
    assert query.json()["extensions"]["cost"]["requested"] == 1
    mutation = await http.get(
        "/graphql", params={"query": "mutation { logOut(input: {}) { userErrors { code } } }"}
    )
    assert mutation.status_code == 400


async def test_security_headers_and_request_id(http):
    response = await http.get("/healthz")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert len(response.headers["x-request-id"]) == 16


async def test_body_size_limit(http):
    response = await http.post(
        "/graphql", json={"query": "{ viewer { id } }", "padding": "x" * 1_100_000}
    )
    assert response.status_code == 413


async def test_depth_limit(api):
    deep = "{ viewer { companies { edges { node { id } } } } }"
    assert (await api.call(deep)).errors is None
    fields = [f"level{index}" for index in range(14)]
    nested = "{ " + " { ".join(fields) + " }" * len(fields)
    response = await api.call(nested)
    assert any("exceeds maximum operation depth" in e["message"] for e in response.errors)


async def test_alias_limit(api):
    query = "{ " + " ".join(f"a{index}: viewer {{ id }}" for index in range(31)) + " }"
    response = await api.call(query)
    assert "aliases" in response.errors[0]["message"]


async def test_page_size_is_capped_at_100(api, deliver, settings, make_api):
    from tests.api.flows import active_expert, log_in

    await active_expert(api, deliver, settings.mail_dir)
    async with make_api(token=await log_in(api, "claire.martin@example.fr")) as client:
        response = await client.call("{ viewer { companies(first: 101) { totalCount } } }")
    assert response.errors[0]["extensions"]["code"] == "LIMIT_EXCEEDED"


async def test_unexpected_errors_are_masked(api, monkeypatch):
    from app.domain import credentials

    async def broken(*args, **kwargs):
        raise RuntimeError("secret detail: ABCD-EFGH")

    monkeypatch.setattr(credentials, "request_password_reset", broken)
    response = await api.call(
        'mutation { requestPasswordReset(input: {email: "a@example.fr"}) { userErrors { code } } }'
    )
    assert response.errors[0]["message"] == "Unexpected error."
    assert "ABCD" not in str(response)
    extensions = response.errors[0]["extensions"]
    assert extensions["code"] == "INTERNAL_SERVER_ERROR"
    assert len(extensions["requestId"]) == 16


async def test_introspection_is_off_in_production(database_url, tmp_path):
    settings = make_settings(
        database_url, tmp_path, app_env="production", graphql_introspection=False, graphiql=False
    )
    app = create_app(settings, clock=FrozenClock())
    async with app.router.lifespan_context(app), Api(app) as client:
        response = await client.call("{ __schema { types { name } } }")
    assert response.errors


async def test_graphiql_in_development(http):
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert "graphiql" in response.text.lower()


async def test_a_document_of_several_operations_needs_an_operation_name(http, app):
    document = (
        'mutation First { requestPasswordReset(input: {email: "a@example.fr"}) '
        "{ userErrors { code } } } query Second { onlineServices { code } }"
    )

    response = await http.post("/graphql", json={"query": document})

    body = response.json()
    assert body.get("data") is None
    assert "operationName" in body["errors"][0]["message"]
    # The first operation did not run: not even its rate-limit hit was counted.
    async with app.state.runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RateLimitHit)) == 0
    named = await http.post("/graphql", json={"query": document, "operationName": "Second"})
    assert len(named.json()["data"]["onlineServices"]) == 13


async def test_client_mistakes_are_logged_at_info_without_their_values(http, caplog):
    password = "my secret pass phrase 123"
    with caplog.at_level(logging.DEBUG):
        response = await http.post(
            "/graphql",
            json={
                "query": "mutation($input: LogInInput!) { logIn(input: $input) { token } }",
                "variables": {"input": {"email": "a@example.fr", "password": [password]}},
            },
        )
    assert response.json()["errors"]
    assert password not in response.text
    assert password not in caplog.text
    gateway = [r for r in caplog.records if r.name.startswith(("app", "strawberry"))]
    assert gateway
    assert all(record.levelno == logging.INFO for record in gateway)


async def test_unexpected_errors_are_logged_without_variables(api, monkeypatch, caplog):
    from app.domain import credentials

    async def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(credentials, "log_in", broken)
    with caplog.at_level(logging.INFO):
        await api.call(
            "mutation($input: LogInInput!) { logIn(input: $input) { token } }",
            input={"email": "a@example.fr", "password": "my secret pass phrase 123"},
        )
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "logIn" in record.getMessage()
    assert "my secret pass phrase" not in caplog.text


def test_access_log_lines_lose_their_query_string():
    from app.middleware import QueryStringFilter

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.7:5000", "GET", "/reset-password?token=SECRET", "1.1", 200),
        None,
    )
    assert QueryStringFilter().filter(record)
    assert "SECRET" not in record.getMessage()
    assert "/reset-password" in record.getMessage()


GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"query": "{ viewer { "}, 400),  # does not parse
        ({"query": "{ nope }"}, 400),  # does not validate
        ({"query": "query($n: Int!) { onlineServices { code } }", "variables": {"n": "x"}}, 400),
        ({"query": "{ onlineServices { code } }"}, 200),
        # A field error executes: data, with an error that has a path.
        ({"query": '{ company(identifier: "300123403") { name } }'}, 200),
    ],
    ids=["parse", "validation", "variables", "ok", "field-error"],
)
async def test_graphql_response_json_clients_get_400_for_request_errors(http, body, status):
    response = await http.post(
        "/graphql", json=body, headers={"accept": f"{GRAPHQL_RESPONSE}, application/json;q=0.9"}
    )
    assert response.status_code == status
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert ("data" in response.json()) is (status == 200)
    legacy = await http.post("/graphql", json=body, headers={"accept": "application/json"})
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")


async def test_production_suggests_no_field_names(database_url, tmp_path):
    settings = make_settings(
        database_url, tmp_path, app_env="production", graphql_introspection=False, graphiql=False
    )
    app = create_app(settings, clock=FrozenClock())
    async with app.router.lifespan_context(app), Api(app) as client:
        response = await client.call('{ nod(id: "x") { id } }')
    message = response.errors[0]["message"]
    assert "Did you mean" not in message
    assert "'node'" not in message
    assert "nod" in message


async def test_development_keeps_suggestions(api):
    response = await api.call('{ nod(id: "x") { id } }')
    assert "Did you mean 'node'?" in response.errors[0]["message"]


async def test_failures_outside_resolvers_are_masked_too(api, monkeypatch):
    from app.schema import cost

    async def broken(*args, **kwargs):
        raise RuntimeError("(sqlite3.OperationalError) SELECT secret FROM somewhere")

    monkeypatch.setattr(cost, "spend", broken)
    response = await api.call("{ onlineServices { code } }")
    assert response.errors[0]["message"] == "Unexpected error."
    assert "secret" not in str(response)
    assert response.errors[0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


async def test_a_refused_literal_is_a_validation_error_not_a_failure(api):
    response = await api.call(
        'mutation { grantDelegation(input: {companyId: "x", delegateEmail: "a@b.fr", '
        'services: [], startsAt: "1850-01-01T00:00:00+00:00"}) { userErrors { code } } }'
    )
    error = response.errors[0]
    assert error["message"] != "Unexpected error."
    assert "1900" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
