"""examples/sync_delegations.py against a served gateway, and its retry rules."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from gql.transport.exceptions import TransportQueryError, TransportServerError

from app.demo import DEMO_PASSWORD, FIRM_EMAIL, PRINCIPALS
from tests.api.flows import LOG_IN

EXAMPLE = Path(__file__).parents[2] / "examples" / "sync_delegations.py"
CREATE_TOKEN = """
mutation CreateToken($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { secret userErrors { code } }
}
"""
FIRST_COMPANY = "query First { viewer { companies(first: 1) { edges { node { id siren } } } } }"


def _example():
    spec = importlib.util.spec_from_file_location("sync_delegations", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _post(client: httpx.Client, document: str, **variables) -> dict:
    response = client.post("/graphql", json={"query": document, "variables": variables})
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _session(url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=url)
    data = _post(client, LOG_IN, input={"email": email, "password": DEMO_PASSWORD})
    client.headers["authorization"] = f"Bearer {data['logIn']['token']}"
    return client


def _run(served, token: str, state: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--url", f"{served.url}/graphql", "--state", str(state), "--once"],
        env={"ESPACE_PRO_TOKEN": token, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_the_loop_reads_the_feed_then_only_what_changed(served, tmp_path):
    with closing(_session(served.url, FIRM_EMAIL)) as firm:
        created = _post(
            firm, CREATE_TOKEN, input={"name": "Logiciel comptable", "scopes": ["companies:read", "delegations:read"]}
        )
    token = created["createApiToken"]["secret"]
    state = tmp_path / "state.json"

    first = _run(served, token, state)
    assert "150 changes applied" in first.stdout
    stored = json.loads(state.read_text())
    assert stored["cursor"]
    assert len(stored["delegations"]) == 150
    statuses = {d["status"] for d in stored["delegations"].values()}
    assert statuses == {"ACTIVE", "SCHEDULED"}

    # Nothing new: nothing applied, the cursor stays.
    again = _run(served, token, state)
    assert "0 changes applied" in again.stdout
    assert json.loads(state.read_text())["cursor"] == stored["cursor"]

    # Claire revokes the firm's delegation on one company: the feed carries it.
    with closing(_session(served.url, PRINCIPALS[0].email)) as claire:
        company = _post(claire, FIRST_COMPANY)["viewer"]["companies"]["edges"][0]["node"]
        delegations = claire.post(
            "/graphql",
            json={
                "query": "query D($id: ID!) { node(id: $id) { ... on Company { delegations(first: 10, status: ACTIVE) { edges { node { id delegate { email } } } } } } }",
                "variables": {"id": company["id"]},
            },
        ).json()["data"]["node"]["delegations"]["edges"]
        [to_firm] = [d["node"]["id"] for d in delegations if d["node"]["delegate"]["email"] == FIRM_EMAIL]
        revoked = _post(
            claire,
            "mutation R($input: RevokeDelegationInput!) { revokeDelegation(input: $input) { userErrors { code } } }",
            input={"delegationId": to_firm},
        )
        assert revoked["revokeDelegation"]["userErrors"] == []
    third = _run(served, token, state)
    assert "1 changes applied" in third.stdout
    assert f"REVOKED {company['siren']}" in third.stdout
    assert to_firm not in json.loads(state.read_text())["delegations"]


async def test_rate_limits_and_network_errors_are_retried_with_the_servers_delay(tmp_path):
    example = _example()
    waits: list[float] = []
    page = {
        "viewer": {
            "delegationChanges": {"pageInfo": {"hasNextPage": False, "endCursor": "c1"}, "edges": []}
        }
    }
    failures = [
        TransportQueryError(
            "limited", errors=[{"message": "limited", "extensions": {"code": "RATE_LIMITED", "retryAfterSeconds": 42}}]
        ),
        httpx.ConnectError("refused"),
        TransportServerError("bad gateway", 502),
    ]

    async def execute(_variables):
        if failures:
            raise failures.pop(0)
        return page

    async def sleep(seconds):
        waits.append(seconds)

    applied = await example.sync_once(execute, tmp_path / "state.json", sleep)
    assert applied == 0
    assert 42 <= waits[0] < 43
    assert len(waits) == 3
    assert json.loads((tmp_path / "state.json").read_text())["cursor"] == "c1"


async def test_other_errors_stop_the_loop_and_keep_the_cursor(tmp_path):
    example = _example()
    state = tmp_path / "state.json"
    example.save_state(state, {"cursor": "kept", "delegations": {}})

    async def execute(_variables):
        raise TransportQueryError("no", errors=[{"message": "no", "extensions": {"code": "FORBIDDEN"}}])

    async def sleep(_seconds):
        raise AssertionError("no retry for FORBIDDEN")

    with pytest.raises(TransportQueryError):
        await example.sync_once(execute, state, sleep)
    assert json.loads(state.read_text())["cursor"] == "kept"


async def test_it_gives_up_after_the_last_attempt(tmp_path):
    example = _example()
    waits: list[float] = []

    async def execute(_variables):
        raise httpx.ConnectError("refused")

    async def sleep(seconds):
        waits.append(seconds)

    with pytest.raises(example.GiveUpError):
        await example.sync_once(execute, tmp_path / "state.json", sleep)
    assert len(waits) == example.MAX_ATTEMPTS - 1
    assert max(waits) <= example.MAX_DELAY
