"""Per-client-address limits on log-in, sign-up, code entry and password reset (OWASP API4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.settings import LockoutPolicy, RateLimit, RateLimits
from tests.api.flows import LOG_IN


@pytest.fixture
def settings_overrides():
    tight = RateLimit(3, timedelta(minutes=5))
    return {
        "rate_limits": RateLimits(
            log_in=tight, sign_up=tight, code_entry=tight, password_reset=tight
        ),
        "lockout": LockoutPolicy(free_failures=100),
    }


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (LOG_IN, {"input": {"email": "a@example.fr", "password": "x"}}),
        (
            "mutation($input: SignUpExpertInput!) { signUpExpert(input: $input) { userErrors { code } } }",
            {"input": {"email": "nope", "password": "x", "firstName": "A", "lastName": "B"}},
        ),
        (
            "mutation($input: ActivateAccountInput!) { activateAccount(input: $input) { userErrors { code } } }",
            {"input": {"email": "a@example.fr", "code": "x"}},
        ),
        (
            "mutation($input: ConfirmEmailInput!) { confirmEmail(input: $input) { userErrors { code } } }",
            {"input": {"token": "x"}},
        ),
        (
            "mutation($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { userErrors { code } } }",
            {"input": {"email": "a@example.fr"}},
        ),
    ],
)
async def test_per_address_limits(make_api, clock, document, variables):
    async with make_api(ip="192.0.2.10") as client:
        for _ in range(3):
            assert (await client.call(document, **variables)).errors is None
        refused = await client.call(document, **variables)
        assert refused.errors[0]["extensions"]["code"] == "RATE_LIMITED"
        assert refused.errors[0]["extensions"]["retryAfterSeconds"] > 0
    async with make_api(ip="192.0.2.11") as other:
        assert (await other.call(document, **variables)).errors is None
    clock.advance(timedelta(minutes=5))
    async with make_api(ip="192.0.2.10") as client:
        assert (await client.call(document, **variables)).errors is None
