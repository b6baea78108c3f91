"""Guessing stays capped whatever the request's shape: aliases, several operations, one
variable repeated. Codes die after 5 wrong attempts; link tokens and codes count against the
client address (30 per 15 minutes); passwords against the request's password work (4)."""

from __future__ import annotations

import secrets

import httpx
import pytest
from gql import gql
from sqlalchemy import func, select

from app.models import RateLimitHit
from app.settings import RateLimits
from tests.api.flows import ACTIVATE_ACCOUNT, sign_up_expert


@pytest.fixture
def settings_overrides():
    """The served per-address limits, not the tests' generous ones."""
    return {"rate_limits": RateLimits()}


def _aliases(field: str, arguments: list[str], selection: str) -> str:
    return (
        "mutation Guess {"
        + " ".join(
            f"a{index}: {field}({argument}) {selection}" for index, argument in enumerate(arguments)
        )
        + "}"
    )


async def test_aliased_code_guesses_kill_the_code_after_five(api, deliver, settings):
    account, code = await sign_up_expert(api, deliver, settings.mail_dir)
    wrong = [
        f'input: {{email: "{account["email"]}", code: "0000-0000-0000-{n:04d}"}}' for n in range(8)
    ]
    response = await api.call(_aliases("activateAccount", wrong, "{ userErrors { code } }"))
    codes = [response.data[f"a{n}"]["userErrors"][0]["code"] for n in range(8)]
    assert codes[:4] == ["CODE_INVALID"] * 4
    assert set(codes[4:]) == {"CODE_ATTEMPTS_EXHAUSTED"}
    right = await api.data(ACTIVATE_ACCOUNT, input={"email": account["email"], "code": code})
    assert [e["code"] for e in right["activateAccount"]["userErrors"]] == [
        "CODE_ATTEMPTS_EXHAUSTED"
    ]


async def test_one_variable_repeated_counts_each_time(api, deliver, settings):
    account, _ = await sign_up_expert(api, deliver, settings.mail_dir)
    document = (
        "mutation Guess($input: ActivateAccountInput!) {"
        + " ".join(
            f"a{n}: activateAccount(input: $input) {{ userErrors {{ code }} }}" for n in range(6)
        )
        + "}"
    )
    response = await api.call(
        document, input={"email": account["email"], "code": "0000-0000-0000-0000"}
    )
    codes = [response.data[f"a{n}"]["userErrors"][0]["code"] for n in range(6)]
    assert codes[-1] == "CODE_ATTEMPTS_EXHAUSTED"
    assert codes.count("CODE_INVALID") == 4


async def test_aliased_link_tokens_hit_the_address_limit(app):
    """30 link-token or code checks per address in 15 minutes, however they are packed (and a
    document holds at most 30 aliases)."""
    answered, refused = [], set()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 1)), base_url="http://t"
    ) as http:
        for _ in range(2):
            tokens = [f'input: {{token: "{secrets.token_urlsafe(32)}"}}' for _ in range(20)]
            document = _aliases("confirmBusinessEmail", tokens, "{ confirmed userErrors { code } }")
            body = (await http.post("/graphql", json={"query": document})).json()
            answered += [value for value in (body["data"] or {}).values() if value]
            refused |= {error["extensions"]["code"] for error in body.get("errors") or []}
    # The second document's 21st check is refused; one refused field nulls the whole answer.
    assert len(answered) == 20
    assert {item["userErrors"][0]["code"] for item in answered} == {"TOKEN_INVALID"}
    assert refused == {"RATE_LIMITED"}
    async with app.state.runtime.sessions() as session:
        checks = await session.scalar(
            select(func.count()).select_from(RateLimitHit).where(RateLimitHit.key.like("code:%"))
        )
    assert checks == 30


async def test_aliased_password_guesses_stop_at_the_request_s_password_work(api, deliver, settings):
    account, code = await sign_up_expert(api, deliver, settings.mail_dir)
    await api.data(ACTIVATE_ACCOUNT, input={"email": account["email"], "code": code})
    guesses = [
        f'input: {{email: "{account["email"]}", password: "guess number {n} of many words"}}'
        for n in range(8)
    ]
    response = await api.call(_aliases("logIn", guesses, "{ token userErrors { code } }"))
    answered = [n for n in range(8) if response.data and response.data.get(f"a{n}")]
    assert len(answered) <= 4
    assert "LIMIT_EXCEEDED" in {error["extensions"]["code"] for error in response.errors}


async def test_several_operations_run_one_named_operation_only(api, deliver, settings):
    account, code = await sign_up_expert(api, deliver, settings.mail_dir)
    document = " ".join(
        f'mutation G{n} {{ activateAccount(input: {{email: "{account["email"]}", '
        f'code: "0000-0000-0000-{n:04d}"}}) {{ userErrors {{ code }} }} }}'
        for n in range(3)
    )
    unnamed = await api.call(document)
    assert unnamed.errors
    assert "operationName" in unnamed.errors[0]["message"]
    for _ in range(4):
        request = gql(document)
        request.operation_name = "G1"
        named = await api.session.execute(request)
        assert named["activateAccount"]["userErrors"][0]["code"] == "CODE_INVALID"
    right = await api.data(ACTIVATE_ACCOUNT, input={"email": account["email"], "code": code})
    # Four wrong codes counted (one per request), the code still works: nothing ran twice.
    assert right["activateAccount"]["userErrors"] == []
