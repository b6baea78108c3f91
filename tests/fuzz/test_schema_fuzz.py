"""Schema-driven fuzzing of both endpoints (hypothesis-graphql), with each kind of caller.

Documents valid and invalid against the schema, with arbitrary argument values, go over HTTP as
an anonymous client, a professional session (a principal administrator), an API token of each
single scope, and a staff session. Every answer must be a GraphQL answer (no 5xx), hold no
unexpected (masked) error, and give every error a stable `extensions.code`.

CI runs FUZZ_EXAMPLES (default 40) examples per caller and operation kind; `make fuzz` runs
enough for 10,000 requests and prints the count.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import httpx
import hypothesis_graphql as hg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from app.domain.api_tokens import Scope
from app.schema.root import build_schema
from app.schema.staff.root import build_staff_schema
from tests.api.delegation_flows import principal_with_company
from tests.api.test_api_tokens import _token
from tests.api.test_staff import _log_in, _member

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
MASKED = "Unexpected error."
SCHEMAS = {"/graphql": build_schema()._schema, "/staff/graphql": build_staff_schema()._schema}
CUSTOM_SCALARS = {
    "DateTime": st.datetimes(
        min_value=datetime(1800, 1, 1),  # noqa: DTZ001  (hypothesis adds the zone)
        max_value=datetime(9999, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ).map(lambda moment: nodes.String(moment.isoformat())),
    "Upload": st.just(nodes.String("not a file")),
}
CALLERS = [
    ("anonymous", "/graphql"),
    ("session", "/graphql"),
    *((f"token:{scope.value}", "/graphql") for scope in Scope),
    ("staff", "/staff/graphql"),
    ("anonymous", "/staff/graphql"),
]
COUNTS: dict[str, int] = {}


@pytest.fixture
def settings_overrides():
    """No hourly points budget: thousands of requests come from one caller."""
    return {"cost_points_per_hour": 10**9}


@pytest.fixture
async def credentials(app, api, deliver, settings, make_api, staff_api, clock):
    async def make(kind: str) -> str | None:
        if kind == "anonymous":
            return None
        if kind == "staff":
            totp = await _member(app)
            return (await _log_in(staff_api, totp, clock))["token"]
        owner, _ = await principal_with_company(api, deliver, settings, make_api)
        await owner.__aexit__()
        if kind == "session":
            return owner.token
        async with make_api(token=owner.token) as client:
            return await _token(client, [kind.removeprefix("token:")])

    return make


def _strategy(path: str, operation: str) -> st.SearchStrategy[str]:
    build = hg.queries if operation == "query" else hg.mutations
    return st.sampled_from([hg.Mode.POSITIVE, hg.Mode.NEGATIVE]).flatmap(
        lambda mode: build(SCHEMAS[path], custom_scalars=CUSTOM_SCALARS, mode=mode)
    )


def _check(response: httpx.Response, document: str) -> None:
    assert response.status_code < 500, (response.status_code, document, response.text[:500])
    body = response.json()
    for error in body.get("errors") or []:
        assert error["message"] != MASKED, (document, error)
        assert error.get("extensions", {}).get("code"), (document, error)


@pytest.mark.parametrize(("kind", "path"), CALLERS, ids=[f"{k}@{p}" for k, p in CALLERS])
@pytest.mark.parametrize("operation", ["query", "mutation"])
async def test_fuzzed_documents_get_graphql_answers(app, credentials, kind, path, operation):
    token = await credentials(kind)
    headers = {"authorization": f"Bearer {token}"} if token else {}
    documents: list[str] = []

    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(document=_strategy(path, operation))
    def collect(document: str) -> None:
        documents.append(document)

    collect()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.50", 1)),
        base_url="http://t",
        headers=headers,
    ) as http:
        for document in documents:
            response = await http.post(path, json={"query": document})
            _check(response, document)
    key = f"{kind}@{path}:{operation}"
    COUNTS[key] = COUNTS.get(key, 0) + len(documents)
