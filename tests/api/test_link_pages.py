"""The pages behind the emailed links: a GET shows a form, only the POST spends the token."""

from __future__ import annotations

import httpx
import pytest

from tests.api.flows import VIEWER, active_expert, basic_until_letter, log_in
from tests.support import OTHER_STRONG_PASSWORD, mail_to, read_letters, token_in


@pytest.fixture
async def browser(app):
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_confirmation_link_page(api, deliver, settings, browser):
    _, token = await basic_until_letter(api, deliver, settings.mail_dir)

    shown = await browser.get("/confirm-email", params={"token": token})
    assert shown.status_code == 200
    assert "<form" in shown.text
    await deliver()
    assert read_letters(settings.letters_dir) == []  # a GET spends nothing

    confirmed = await browser.post("/confirm-email", data={"token": token})
    assert confirmed.status_code == 200
    assert "letter" in confirmed.text
    await deliver()
    assert len(read_letters(settings.letters_dir)) == 1

    again = await browser.post("/confirm-email", data={"token": token})
    assert again.status_code == 400
    assert "already been used" in again.text


async def test_reset_link_page(api, deliver, settings, browser, make_api):
    account = await active_expert(api, deliver, settings.mail_dir)
    old_session = await log_in(api, account["email"])
    await api.data(
        "mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) { userErrors { code } } }",
        i={"email": account["email"]},
    )
    await deliver()
    token = token_in(mail_to(settings.mail_dir, account["email"])[-1])

    assert 'type="password"' in (await browser.get("/reset-password", params={"token": token})).text
    weak = await browser.post("/reset-password", data={"token": token, "password": "short"})
    assert weak.status_code == 400
    assert "20 characters" in weak.text
    done = await browser.post(
        "/reset-password", data={"token": token, "password": OTHER_STRONG_PASSWORD}
    )
    assert done.status_code == 200
    assert done.headers["content-security-policy"].startswith("default-src 'none'")
    async with make_api(token=old_session) as client:
        assert (await client.data(VIEWER))["viewer"] is None
    assert await log_in(api, account["email"], OTHER_STRONG_PASSWORD)


async def test_pages_escape_what_they_echo(browser):
    page = await browser.get("/confirm-email", params={"token": '"><script>alert(1)</script>'})
    assert "<script>alert" not in page.text
