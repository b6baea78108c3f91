"""GraphiQL from the gateway's own assets, under a 'self'-only script policy, in Chromium."""

from __future__ import annotations

import json

import httpx
from playwright.async_api import expect

from app.demo import FIRM_EMAIL


def test_the_page_allows_scripts_from_self_only(served):
    response = httpx.get(f"{served.url}/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "unpkg" not in response.text
    assert "cdn" not in response.text.lower()
    asset = httpx.get(f"{served.url}/graphiql/graphiql.min.js")
    assert asset.status_code == 200
    assert asset.headers["content-type"].startswith(("text/javascript", "application/javascript"))


async def test_graphiql_renders_and_runs_the_example_documents(served, browser):
    page = await browser.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    await page.goto(f"{served.url}/graphql")
    await page.wait_for_selector(".graphiql-container", timeout=30_000)
    tabs = await page.locator(".graphiql-tab").all_inner_texts()
    assert [tab.strip() for tab in tabs][:4] == [
        "LogIn",
        "Dashboard",
        "GrantDelegation",
        "SyncDelegations",
    ]

    # The LogIn tab is open first, with the demo firm's variables: run it.
    await page.locator(".graphiql-tab").nth(0).click()
    await page.locator(".graphiql-execute-button").click()
    result = page.locator(".result-window")
    await expect(result).to_contain_text('"token"', timeout=30_000)
    await expect(result).to_contain_text(FIRM_EMAIL)

    # The session cookie logIn set authenticates the next tab's query.
    await page.locator(".graphiql-tab").nth(1).click()
    await expect(page.locator(".graphiql-query-editor")).to_contain_text("query Dashboard")
    await page.locator(".graphiql-execute-button").click()
    await expect(result).to_contain_text('"totalCount": 151', timeout=30_000)

    assert all(url.startswith(served.url) for url in requests), requests
    assert not problems, problems
    await page.close()


async def test_staff_graphiql_opens_without_examples(served, browser):
    page = await browser.new_page()
    await page.goto(f"{served.url}/staff/graphql")
    await page.wait_for_selector(".graphiql-container", timeout=30_000)
    tabs = json.loads(await page.locator("#graphiql-tabs").text_content())
    assert tabs == []
    await page.close()
