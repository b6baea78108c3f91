"""Malformed values get a clear validation error or a userError, never a 5xx or a masked error."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.schema.root import build_schema
from tests.api.delegation_flows import GRANT, grant_input, principal_with_company
from tests.api.flows import SIGN_UP_EXPERT, expert_input, log_in, logged_in_expert
from tests.api.test_nodes import NODE

MASKED = "Unexpected error."
HUGE_ID = base64.urlsafe_b64encode(b"Company:" + b"9" * 40).decode().rstrip("=")
HUGE_CURSOR = base64.urlsafe_b64encode(b"cursor:" + b"9" * 40).decode().rstrip("=")


@pytest.fixture
async def http(app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 5000)),
        base_url="http://t",
    ) as client:
        yield client


async def _post(http: httpx.AsyncClient, document: str, token: str | None = None, **variables):
    """POST with every string escaped as JSON allows (lone surrogates and NUL included)."""
    body = json.dumps({"query": document, "variables": variables}, ensure_ascii=True)
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await http.post("/graphql", content=body, headers=headers)


def _assert_handled(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    assert MASKED not in response.text, response.text


async def test_ids_and_cursors_beyond_64_bits_are_simply_not_found(
    api, deliver, settings, make_api
):
    async with await logged_in_expert(api, deliver, settings.mail_dir, make_api) as client:
        assert (await client.data(NODE, id=HUGE_ID))["node"] is None
        page = await client.data(
            "query($after: String) { viewer { companies(after: $after) { totalCount } } }",
            after=HUGE_CURSOR,
        )
        assert page["viewer"]["companies"]["totalCount"] == 0
        removed = await client.data(
            "mutation($input: RemoveCompanyInput!) { removeCompany(input: $input) "
            "{ userErrors { code } } }",
            input={"companyId": HUGE_ID},
        )
    assert removed["removeCompany"]["userErrors"][0]["code"] == "COMPANY_NOT_ADDED"


@pytest.mark.parametrize(
    "value",
    [
        "2030-01-01T09:00:00",  # no offset: Paris or UTC?
        "2030-01-01",  # a day, not a moment
        "10000-01-01T00:00:00+00:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "not a date",
    ],
)
async def test_malformed_date_times_are_validation_errors(api, deliver, settings, make_api, value):
    owner, company = await principal_with_company(api, deliver, settings, make_api)
    try:
        response = await owner.call(
            GRANT, input=grant_input(company["id"], "firm@example.fr", startsAt=value)
        )
    finally:
        await owner.__aexit__()
    assert response.data is None
    [error] = response.errors
    assert "DateTime" in error["message"]
    assert value not in error["message"]


async def test_a_date_time_with_an_offset_is_accepted(api, deliver, settings, make_api, clock):
    owner, company = await principal_with_company(api, deliver, settings, make_api)
    start = (clock.now() + timedelta(days=1)).astimezone().isoformat()
    try:
        data = await owner.data(
            GRANT, input=grant_input(company["id"], "owner@example.fr", startsAt=start)
        )
    finally:
        await owner.__aexit__()
    # Accepted as a value; refused by the rules (nobody delegates to themselves).
    assert data["grantDelegation"]["userErrors"][0]["code"] == "CANNOT_DELEGATE_TO_SELF"


@pytest.mark.parametrize("bad", ["pass\ud800word is long enough", "pass\x00word is long enough"])
async def test_lone_surrogates_and_nul_are_refused_at_the_door(http, bad):
    response = await _post(
        http,
        "mutation($input: LogInInput!) { logIn(input: $input) { userErrors { code } } }",
        input={"email": "a@example.fr", "password": bad},
    )
    assert response.status_code == 400
    assert "NUL" in response.text
    assert "long enough" not in response.text


async def test_nul_in_a_document_literal_is_a_validation_error(http):
    document = 'mutation { logIn(input: {email: "a@example.fr", password: "a\\u0000b"}) { token } }'
    response = await _post(http, document)
    _assert_handled(response)
    assert "NUL" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("firstName", "Claire\x07", "INVALID_NAME"),
        ("lastName", "Mar\u202etin", "INVALID_NAME"),
        ("email", "claire\x01@example.fr", "INVALID_EMAIL"),
    ],
)
async def test_control_characters_in_names_and_emails_are_user_errors(api, field, value, code):
    data = await api.data(SIGN_UP_EXPERT, input=expert_input(**{field: value}))
    assert [(e["code"], e["field"]) for e in data["signUpExpert"]["userErrors"]] == [
        (code, [field])
    ]


async def test_control_characters_in_a_delegation_request_message(api, deliver, settings, make_api):
    owner, _ = await principal_with_company(api, deliver, settings, make_api)
    await owner.__aexit__()
    async with await logged_in_expert(
        api, deliver, settings.mail_dir, make_api, email="firm@example.fr"
    ) as firm:
        data = await firm.data(
            "mutation($input: RequestDelegationInput!) { requestDelegation(input: $input) "
            "{ userErrors { code field } } }",
            input={
                "companyIdentifier": "300123403",
                "services": [{"serviceCode": "DECLARER_TVA", "rights": ["CONSULT"]}],
                "message": "Bonjour,\n\tmerci\x1b[31m",
            },
        )
    assert data["requestDelegation"]["userErrors"] == [
        {"code": "INVALID_MESSAGE", "field": ["message"]}
    ]


# --- Property-based: every scalar of every argument of every root field -----------------------

SCHEMA = build_schema()._schema

_weird_text = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()), max_size=80
) | st.sampled_from(["", " ", "\x00", "\ud800", "9" * 400, HUGE_ID, HUGE_CURSOR, "P123456782"])
_weird_datetime = (
    _weird_text
    | st.sampled_from(
        [
            "2030-01-01T09:00:00",
            "2030-01-01",
            "10000-01-01T00:00:00+00:00",
            "0001-01-01T00:00+14:00",
        ]
    )
    | st.datetimes().map(lambda moment: moment.isoformat())
)


def _unwrap(graphql_type: Any) -> Any:
    while isinstance(graphql_type, (GraphQLNonNull, GraphQLList)):
        graphql_type = graphql_type.of_type
    return graphql_type


def _baseline(graphql_type: Any) -> Any:
    """A well-formed value of the type, so that only the field under test is odd."""
    if isinstance(graphql_type, GraphQLNonNull):
        return _baseline(graphql_type.of_type)
    if isinstance(graphql_type, GraphQLList):
        inner = _baseline(graphql_type.of_type)
        return None if inner is None else [inner]
    if isinstance(graphql_type, GraphQLInputObjectType):
        # Files have no JSON form: optional upload lists are left out of the baseline.
        values = {name: _baseline(field.type) for name, field in graphql_type.fields.items()}
        return {name: value for name, value in values.items() if value is not None}
    if isinstance(graphql_type, GraphQLEnumType):
        return next(iter(graphql_type.values))
    return {
        "String": "x",
        "ID": "Q29tcGFueTox",
        "Int": 1,
        "Boolean": False,
        "DateTime": "2030-01-01T00:00:00+00:00",
        "Upload": None,
    }[graphql_type.name]


def _leaves(graphql_type: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every scalar or enum position in a value of this type, with its type."""
    named = graphql_type
    in_list = False
    while isinstance(named, (GraphQLNonNull, GraphQLList)):
        in_list = in_list or isinstance(named, GraphQLList)
        named = named.of_type
        if in_list and path and path[-1] != 0:
            path = (*path, 0)
    if isinstance(named, GraphQLInputObjectType):
        return [
            leaf
            for name, field in named.fields.items()
            for leaf in _leaves(field.type, (*path, name))
        ]
    return [(path, named)]


def _weird_value(named: Any) -> st.SearchStrategy[Any]:
    if isinstance(named, GraphQLEnumType):
        return _weird_text | st.sampled_from(list(named.values))
    if isinstance(named, GraphQLScalarType) and named.name == "DateTime":
        return _weird_datetime
    if isinstance(named, GraphQLScalarType) and named.name in {"Int", "Boolean"}:
        return st.integers(min_value=-(2**70), max_value=2**70) | st.booleans() | _weird_text
    return _weird_text


def _set(value: Any, path: tuple[Any, ...], leaf: Any) -> Any:
    if not path:
        return leaf
    head, *rest = path
    if head == 0:
        items = value if isinstance(value, list) else [value]
        return [_set(items[0], tuple(rest), leaf)]
    return {**value, head: _set(value.get(head), tuple(rest), leaf)}


def _operations() -> list[Any]:
    return [
        pytest.param(kind, name, field, id=name)
        for kind, root in (("mutation", SCHEMA.mutation_type), ("query", SCHEMA.query_type))
        for name, field in root.fields.items()
        if field.args
    ]


def _document(kind: str, name: str, field: Any) -> str:
    arguments = ", ".join(f"${arg}: {spec.type}" for arg, spec in field.args.items())
    passing = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    selection = "{ __typename }" if not isinstance(_unwrap(field.type), GraphQLScalarType) else ""
    return f"{kind} Fuzz({arguments}) {{ {name}({passing}) {selection} }}"


@pytest.fixture
async def session_token(api, deliver, settings, make_api):
    owner, _ = await principal_with_company(api, deliver, settings, make_api)
    await owner.__aexit__()
    return await log_in(api, "owner@example.fr")


@pytest.mark.parametrize(("kind", "name", "field"), _operations())
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_no_input_gives_a_server_error(http, session_token, kind, name, field, data):
    arguments = {arg: _baseline(spec.type) for arg, spec in field.args.items()}
    leaves = [
        (arg, path, named) for arg, spec in field.args.items() for path, named in _leaves(spec.type)
    ]
    arg, path, named = data.draw(st.sampled_from(leaves))
    arguments[arg] = _set(arguments[arg], path, data.draw(_weird_value(named)))
    token = data.draw(st.sampled_from([session_token, None]))

    response = await _post(http, _document(kind, name, field), token, **arguments)

    _assert_handled(response)


@pytest.mark.parametrize("depth", [40, 5_000, 200_000])
async def test_deeply_nested_variables_are_refused_at_the_door(http, depth):
    body = '{"query": "{ viewer { id } }", "variables": {"x": ' + "[" * depth + "]" * depth + "}}"
    response = await http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "levels deep" in response.text
