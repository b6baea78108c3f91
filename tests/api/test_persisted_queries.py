"""Persisted queries: APQ by default, off, and trusted documents for browser sessions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.clock import FrozenClock
from app.main import create_app
from app.persisted_queries import document_hash
from tests.support import make_settings

ROOT = Path(__file__).parents[2]
SERVICES = "query Services { onlineServices { code } }"
LOG_OUT = "mutation LogOut { logOut(input: {}) { userErrors { code } } }"


def _extensions(document: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": document_hash(document)}}


@pytest.fixture
async def http(app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        yield client


async def test_apq_registers_a_document_then_runs_it_by_hash_on_post_and_get(http):
    missing = await http.post("/graphql", json={"extensions": _extensions(SERVICES)})
    assert missing.status_code == 200
    assert missing.json()["errors"][0] == {
        "message": "PersistedQueryNotFound",
        "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
    }
    registered = await http.post(
        "/graphql", json={"query": SERVICES, "extensions": _extensions(SERVICES)}
    )
    assert registered.json()["data"]["onlineServices"]
    by_hash = await http.post("/graphql", json={"extensions": _extensions(SERVICES)})
    assert by_hash.json()["data"] == registered.json()["data"]
    over_get = await http.get("/graphql", params={"extensions": json.dumps(_extensions(SERVICES))})
    assert over_get.json()["data"] == registered.json()["data"]


async def test_a_hash_that_does_not_match_its_document_is_refused(http):
    response = await http.post(
        "/graphql", json={"query": SERVICES, "extensions": _extensions("{ viewer { id } }")}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    for bad in (
        {"version": 2, "sha256Hash": document_hash(SERVICES)},
        {"version": 1, "sha256Hash": "x"},
    ):
        refused = await http.post(
            "/graphql", json={"query": SERVICES, "extensions": {"persistedQuery": bad}}
        )
        assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_INVALID"


async def test_mutations_by_hash_are_refused_over_get(http):
    await http.post("/graphql", json={"query": LOG_OUT, "extensions": _extensions(LOG_OUT)})
    response = await http.get("/graphql", params={"extensions": json.dumps(_extensions(LOG_OUT))})
    assert response.status_code in {400, 405}


async def _serving(database_url, tmp_path, **overrides):
    settings = make_settings(database_url, tmp_path, **overrides)
    return settings, create_app(settings, clock=FrozenClock())


async def test_off_mode_wants_the_document(database_url, tmp_path):
    _, app = await _serving(database_url, tmp_path, persisted_queries="off")
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        response = await http.post("/graphql", json={"extensions": _extensions(SERVICES)})
        assert response.json()["errors"][0]["message"] == "PersistedQueryNotSupported"
        full = await http.post(
            "/graphql", json={"query": SERVICES, "extensions": _extensions(SERVICES)}
        )
        assert full.json()["data"]["onlineServices"]


def test_the_build_command_writes_a_manifest_of_every_document(tmp_path):
    documents = tmp_path / "documents"
    (documents / "nested").mkdir(parents=True)
    (documents / "services.graphql").write_text(SERVICES)
    (documents / "nested" / "viewer.graphql").write_text("query Viewer { viewer { email } }")
    output = tmp_path / "manifest.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "persisted-queries",
            "build",
            str(documents),
            "--output",
            str(output),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads(output.read_text())
    assert manifest == {
        document_hash(SERVICES): SERVICES,
        document_hash("query Viewer { viewer { email } }"): "query Viewer { viewer { email } }",
    }
    (documents / "broken.graphql").write_text("query {")
    broken = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "persisted-queries",
            "build",
            str(documents),
            "--output",
            str(output),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert broken.returncode == 1
    assert "not a GraphQL document" in broken.stderr


async def test_allowlist_lets_sessions_run_listed_documents_only_and_tokens_anything(
    database_url, tmp_path
):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({document_hash(SERVICES): SERVICES}))
    settings, app = await _serving(
        database_url,
        tmp_path,
        persisted_queries="allowlist",
        persisted_queries_manifest=manifest,
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        listed = await http.post("/graphql", json={"extensions": _extensions(SERVICES)})
        assert listed.json()["data"]["onlineServices"]
        in_full = await http.post("/graphql", json={"query": SERVICES})
        assert in_full.json()["data"]["onlineServices"]
        other = await http.post("/graphql", json={"query": "{ viewer { email } }"})
        assert other.status_code == 400
        assert other.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
        # APQ cannot register an unlisted document either.
        unlisted = "{ viewer { id } }"
        register = await http.post(
            "/graphql", json={"query": unlisted, "extensions": _extensions(unlisted)}
        )
        assert register.status_code == 400
        # Sign-up and log-in documents are not listed: as a browser would, the test client
        # would be refused; an account is made through the domain for the token case instead.
        from app.domain import accounts, activation
        from app.domain.runtime import Caller
        from tests.support import STRONG_PASSWORD, code_in, mail_to

        runtime = app.state.runtime
        await accounts.sign_up_expert(
            runtime,
            Caller(ip="203.0.113.7"),
            accounts.Identity("claire.martin@example.fr", STRONG_PASSWORD, "Claire", "Martin"),
        )
        await app.state.dispatcher.run_once()
        code = code_in(mail_to(settings.mail_dir, "claire.martin@example.fr")[-1])
        await activation.activate_account(runtime, Caller(), "claire.martin@example.fr", code)
        from app.domain import api_tokens, credentials
        from app.models import Session

        logged = await credentials.log_in(
            runtime, Caller(ip="203.0.113.7"), "claire.martin@example.fr", STRONG_PASSWORD
        )
        async with runtime.sessions() as session:
            from sqlalchemy import select

            session_id = await session.scalar(
                select(Session.id).where(Session.account_id == logged.account.id)
            )
        created = await api_tokens.create(
            runtime,
            Caller(account_id=logged.account.id, session_id=session_id),
            "Logiciel",
            ["companies:read"],
            None,
        )
        by_session = await http.post(
            "/graphql",
            json={"query": "{ viewer { email } }"},
            headers={"authorization": f"Bearer {logged.token}"},
        )
        assert by_session.status_code == 400
        by_token = await http.post(
            "/graphql",
            json={"query": "{ viewer { email } }"},
            headers={"authorization": f"Bearer {created.secret}"},
        )
        assert by_token.json()["data"]["viewer"]["email"] == "claire.martin@example.fr"
