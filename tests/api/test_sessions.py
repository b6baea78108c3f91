"""logIn, logOut, sessions (cookie and bearer), lock-out and per-address limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.security.cookies import SESSION_COOKIE
from tests.api.flows import LOG_IN, LOG_OUT, VIEWER, active_expert, log_in
from tests.support import OTHER_STRONG_PASSWORD, error_codes, mail_to

EMAIL = "claire.martin@example.fr"


async def test_log_in_returns_a_token_and_sets_an_http_only_cookie(api, deliver, settings, app):
    await active_expert(api, deliver, settings.mail_dir)
    import httpx

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        response = await http.post(
            "/graphql",
            json={
                "query": LOG_IN,
                "variables": {
                    "input": {"email": EMAIL, "password": "violet tambour glacier parapluie 1987"}
                },
            },
        )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert response.json()["data"]["logIn"]["token"] in cookie


async def test_cookie_session_authenticates_the_viewer(api, deliver, settings):
    await active_expert(api, deliver, settings.mail_dir)
    await log_in(api, EMAIL)

    data = await api.data(VIEWER)

    assert data["viewer"]["email"] == EMAIL


async def test_bearer_token_authenticates_the_viewer(api, deliver, settings, make_api):
    await active_expert(api, deliver, settings.mail_dir)
    token = await log_in(api, EMAIL)
    async with make_api(token=token) as client:
        assert (await client.data(VIEWER))["viewer"]["email"] == EMAIL
    async with make_api(token="forged") as client:
        assert (await client.data(VIEWER))["viewer"] is None


async def test_anonymous_viewer_is_null(api):
    assert (await api.data(VIEWER))["viewer"] is None


async def test_unknown_email_and_wrong_password_answer_alike_and_cost_the_same(
    api, deliver, settings, app
):
    await active_expert(api, deliver, settings.mail_dir)
    hasher = app.state.runtime.passwords

    before = hasher.verifications
    unknown = await api.data(
        LOG_IN, input={"email": "nobody@example.fr", "password": OTHER_STRONG_PASSWORD}
    )
    after_unknown = hasher.verifications
    wrong = await api.data(LOG_IN, input={"email": EMAIL, "password": OTHER_STRONG_PASSWORD})

    assert unknown == wrong
    assert error_codes(wrong["logIn"]) == ["INVALID_CREDENTIALS"]
    assert after_unknown - before == 1
    assert hasher.verifications - after_unknown == 1


async def test_pending_account_cannot_log_in(api):
    from tests.api.flows import SIGN_UP_EXPERT, expert_input

    await api.data(SIGN_UP_EXPERT, input=expert_input())
    data = await api.data(
        LOG_IN, input={"email": EMAIL, "password": "violet tambour glacier parapluie 1987"}
    )
    assert error_codes(data["logIn"]) == ["ACCOUNT_NOT_ACTIVE"]


async def test_log_out_ends_the_session(api, deliver, settings, make_api):
    await active_expert(api, deliver, settings.mail_dir)
    token = await log_in(api, EMAIL)
    async with make_api(token=token) as client:
        await client.data(LOG_OUT, input={})
        assert (await client.data(VIEWER))["viewer"] is None


async def test_log_out_everywhere(api, deliver, settings, make_api):
    await active_expert(api, deliver, settings.mail_dir)
    first, second = await log_in(api, EMAIL), await log_in(api, EMAIL)
    async with make_api(token=first) as client:
        await client.data(LOG_OUT, input={"allSessions": True})
    async with make_api(token=second) as client:
        assert (await client.data(VIEWER))["viewer"] is None


async def test_log_out_without_a_session_is_harmless(api):
    data = await api.data(LOG_OUT, input={})
    assert data["logOut"]["userErrors"] == []


async def test_session_ends_after_30_idle_minutes(api, deliver, settings, make_api, clock):
    await active_expert(api, deliver, settings.mail_dir)
    token = await log_in(api, EMAIL)
    async with make_api(token=token) as client:
        clock.advance(timedelta(minutes=29))
        assert (await client.data(VIEWER))["viewer"] is not None  # activity renews the idle timer
        clock.advance(timedelta(minutes=29))
        assert (await client.data(VIEWER))["viewer"] is not None
        clock.advance(timedelta(minutes=30))
        assert (await client.data(VIEWER))["viewer"] is None


async def test_session_ends_after_12_hours_whatever_the_activity(
    api, deliver, settings, make_api, clock
):
    await active_expert(api, deliver, settings.mail_dir)
    token = await log_in(api, EMAIL)
    async with make_api(token=token) as client:
        for _ in range(24):
            clock.advance(timedelta(minutes=29))
            await client.data(VIEWER)
        clock.advance(timedelta(minutes=29))
        assert (await client.data(VIEWER))["viewer"] is None


async def _fail(api, email=EMAIL):
    data = await api.data(LOG_IN, input={"email": email, "password": OTHER_STRONG_PASSWORD})
    return error_codes(data["logIn"])


async def test_lock_out_after_five_failures_with_doubling_waits(api, deliver, settings, clock):
    await active_expert(api, deliver, settings.mail_dir)
    assert [await _fail(api) for _ in range(5)] == [["INVALID_CREDENTIALS"]] * 5
    assert await _fail(api) == ["LOGIN_TEMPORARILY_LOCKED"]
    right = await api.data(
        LOG_IN, input={"email": EMAIL, "password": "violet tambour glacier parapluie 1987"}
    )
    assert error_codes(right["logIn"]) == ["LOGIN_TEMPORARILY_LOCKED"]

    clock.advance(timedelta(minutes=1))
    assert await _fail(api) == ["INVALID_CREDENTIALS"]  # sixth failure: two minutes now
    clock.advance(timedelta(minutes=1, seconds=59))
    assert await _fail(api) == ["LOGIN_TEMPORARILY_LOCKED"]
    clock.advance(timedelta(seconds=1))
    assert await log_in(api, EMAIL)  # success resets the count
    assert await _fail(api) == ["INVALID_CREDENTIALS"]


async def test_lock_out_emails_the_owner_once(api, deliver, settings):
    await active_expert(api, deliver, settings.mail_dir)
    for _ in range(7):
        await _fail(api)
    await deliver()
    locked = [
        m for m in mail_to(settings.mail_dir, EMAIL) if m["Subject"] == "Log-in attempts blocked"
    ]
    assert len(locked) == 1


async def test_an_attacker_elsewhere_does_not_lock_the_owner_out(api, deliver, settings, make_api):
    await active_expert(api, deliver, settings.mail_dir)
    async with make_api(ip="198.51.100.66") as attacker:
        for _ in range(10):
            await _fail(attacker)
        assert await _fail(attacker) == ["LOGIN_TEMPORARILY_LOCKED"]
    assert await log_in(api, EMAIL)


async def test_unknown_emails_lock_like_known_ones(api):
    codes = [await _fail(api, "nobody@example.fr") for _ in range(6)]
    assert codes[-1] == ["LOGIN_TEMPORARILY_LOCKED"]


async def test_log_in_rehashes_when_the_hashing_parameters_change(
    app, api, deliver, settings, database_url, tmp_path, clock
):
    import dataclasses

    import argon2
    from sqlalchemy import select

    from app.main import create_app
    from app.models import Account
    from tests.support import Api, make_settings

    await active_expert(api, deliver, settings.mail_dir)
    stronger = dataclasses.replace(argon2.profiles.CHEAPEST, time_cost=2)
    upgraded = create_app(
        make_settings(database_url, tmp_path, argon2_parameters=stronger), clock=clock
    )
    async with upgraded.router.lifespan_context(upgraded), Api(upgraded) as client:
        assert await log_in(client, EMAIL)
        async with upgraded.state.runtime.sessions() as session:
            stored = await session.scalar(select(Account.password_hash))
    assert ",t=2," in stored
    assert await log_in(api, EMAIL)  # the new hash still verifies


async def test_production_cookie_is_host_prefixed_and_still_authenticates(database_url, tmp_path):
    import httpx

    from app.clock import FrozenClock
    from app.main import create_app
    from tests.api.flows import ACTIVATE_ACCOUNT, SIGN_UP_EXPERT, expert_input
    from tests.support import code_in, mail_to, make_settings

    settings = make_settings(database_url, tmp_path, app_env="production")
    app = create_app(settings, clock=FrozenClock())
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://gateway.example"
        ) as http,
    ):
        await http.post(
            "/graphql", json={"query": SIGN_UP_EXPERT, "variables": {"input": expert_input()}}
        )
        await app.state.dispatcher.run_once()
        code = code_in(mail_to(settings.mail_dir, EMAIL)[-1])
        await http.post(
            "/graphql",
            json={
                "query": ACTIVATE_ACCOUNT,
                "variables": {"input": {"email": EMAIL, "code": code}},
            },
        )
        response = await http.post(
            "/graphql",
            json={
                "query": LOG_IN,
                "variables": {
                    "input": {"email": EMAIL, "password": "violet tambour glacier parapluie 1987"}
                },
            },
        )
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"__Host-{SESSION_COOKIE}=")
        assert "Secure" in cookie
        assert "Path=/" in cookie
        assert "Domain" not in cookie
        viewer = await http.post("/graphql", json={"query": VIEWER})
        assert viewer.json()["data"]["viewer"]["email"] == EMAIL
        # The unprefixed name is not read in production.
        token = response.json()["data"]["logIn"]["token"]
        http.cookies.clear()
        http.cookies.set(SESSION_COOKIE, token, domain="gateway.example")
        assert (await http.post("/graphql", json={"query": VIEWER})).json()["data"][
            "viewer"
        ] is None


@pytest.mark.parametrize(
    ("method", "content_type", "body"),
    [
        ("GET", None, None),
        (
            "POST",
            "text/plain",
            '{"query": "mutation { logOut(input: {}) { userErrors { code } } }"}',
        ),
        ("POST", "application/x-www-form-urlencoded", "query=mutation%20%7B%20logOut%7D"),
        ("POST", "multipart/form-data; boundary=x", "--x--"),
    ],
    ids=["get", "text-plain", "form", "multipart-without-preflight"],
)
async def test_no_state_change_through_a_simple_request(app, method, content_type, body):
    import httpx

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        if method == "GET":
            response = await http.get(
                "/graphql",
                params={"query": "mutation { logOut(input: {}) { userErrors { code } } }"},
                headers={"accept": "application/json"},
            )
            assert response.status_code in {400, 405}
            assert "logOut" not in response.text
        else:
            response = await http.post(
                "/graphql", content=body, headers={"content-type": content_type}
            )
            assert response.status_code == 400


async def test_cors_answers_the_configured_origins_only(database_url, tmp_path):
    import httpx

    from app.clock import FrozenClock
    from app.main import create_app
    from tests.support import make_settings

    settings = make_settings(database_url, tmp_path, cors_origins=("https://app.example.fr",))
    app = create_app(settings, clock=FrozenClock())
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, graphql-preflight",
    }
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        allowed = await http.options(
            "/graphql", headers={"origin": "https://app.example.fr", **preflight}
        )
        refused = await http.options(
            "/graphql", headers={"origin": "https://evil.example", **preflight}
        )
        simple = await http.post(
            "/graphql",
            json={"query": "{ onlineServices { code } }"},
            headers={"origin": "https://evil.example"},
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.fr"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert "graphql-preflight" in allowed.headers["access-control-allow-headers"].lower()
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-origin" not in simple.headers
