"""Per-client-address limits on log-in, sign-up, code entry and password reset (OWASP API4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.security.throttling import client_key
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


async def test_one_ipv6_host_is_its_slash_64(make_api):
    """Hosts hold whole /64s: the budget is per /64, not per address."""
    document, variables = LOG_IN, {"input": {"email": "a@example.fr", "password": "x"}}
    for address in ("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:abcd:ef01:2345:6789"):
        async with make_api(ip=address) as client:
            assert (await client.call(document, **variables)).errors is None
    async with make_api(ip="2001:db8:1:2:ffff::9") as same_host:
        refused = await same_host.call(document, **variables)
    assert refused.errors[0]["extensions"]["code"] == "RATE_LIMITED"
    async with make_api(ip="2001:db8:1:3::1") as next_network:
        assert (await next_network.call(document, **variables)).errors is None


def test_client_keys():
    assert client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64"
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_key("192.0.2.1") == "192.0.2.1"
    assert client_key(None) == "unknown"
