"""examples/web, the example single-page app, driven in headless Chromium at /app/."""

from __future__ import annotations

from playwright.async_api import expect

from app.demo import DEMO_PASSWORD, FIRM_EMAIL, OTHER_FIRM
from tests.e2e.conftest import ARTIFACTS


async def test_log_in_page_to_the_150th_company_grant_and_revoke(served, browser):
    page = await browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    await page.goto(f"{served.url}/app/")

    # A wrong password: the message from userErrors, the form still there.
    await page.fill('#log-in-form input[name="email"]', FIRM_EMAIL)
    await page.fill('#log-in-form input[name="password"]', "not the password at all")
    await page.click("#log-in-form button[type=submit]")
    await expect(page.locator("#log-in-form")).to_contain_text("INVALID_CREDENTIALS")
    await page.fill('#log-in-form input[name="password"]', DEMO_PASSWORD)
    await page.click("#log-in-form button[type=submit]")
    await expect(page.locator("#company-count")).to_have_text("(151)")
    await expect(page.locator("#page-info")).to_have_text("Page 1 sur 8")

    # Page forward until the 150th company shows.
    for number in range(2, 9):
        await page.click("#next-page")
        await expect(page.locator("#page-info")).to_have_text(f"Page {number} sur 8")
    row = page.locator("#companies tr", has=page.locator("td:first-child", has_text="150"))
    await expect(row).to_contain_text("DELEGATE")
    await expect(page.locator("#page-info")).to_have_text("Page 8 sur 8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "web-app-dashboard.png"), full_page=True)

    # The firm's own company is first: grant a delegation on it.
    await page.click("#first-page")
    await expect(page.locator("#page-info")).to_have_text("Page 1 sur 8")
    await page.locator("#companies tr").first.click()
    await expect(page.locator("#company-name")).to_have_text("CABINET COMPTABLE AUBERT ET ASSOCIES")
    form = page.locator("#grant-form")
    await form.locator('input[name="delegateEmail"]').fill(OTHER_FIRM.email)
    await form.locator('input[name="startsAt"]').fill("2020-01-15")
    await form.locator("button[type=submit]").click()
    # The error sits next to the start date, and nothing was granted.
    await expect(form.locator('[data-error-for="startsAt"]')).to_contain_text("START_IN_PAST")
    await expect(form.locator('[data-error-for="delegateEmail"]')).to_have_text("")
    await expect(page.locator("#delegations tr")).to_have_count(0)

    await form.locator('input[name="startsAt"]').fill("")
    await form.locator("button[type=submit]").click()
    delegation = page.locator("#delegations tr", has_text=OTHER_FIRM.email)
    await expect(delegation).to_contain_text("ACTIVE")
    await expect(form.locator('[data-error-for="startsAt"]')).to_have_text("")

    await delegation.get_by_role("button", name="Révoquer").click()
    await expect(delegation).to_contain_text("REVOKED")
    assert not problems, problems
    await page.close()


async def test_the_app_is_served_under_the_script_policy(served, browser):
    page = await browser.new_page()
    response = await page.goto(f"{served.url}/app/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    await expect(page.locator("#log-in-view")).to_be_visible()
    await page.close()
