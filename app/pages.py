"""The two pages emailed links open: business-email confirmation and password reset.

A GET only shows a form; the single-use token is spent by the POST, so that mail scanners that
fetch links cannot use it up before the person does.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from app.domain import activation, business_emails, credentials, email_preferences, personal_data
from app.domain.errors import DomainError, DomainErrors, RateLimitedError
from app.domain.runtime import Caller, Runtime

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}}
input,button{{font-size:1rem;padding:.4rem;margin:.3rem 0}}</style></head>
<body><h1>{title}</h1>{content}</body></html>"""


def _page(title: str, content: str, status_code: int = 200) -> HTMLResponse:
    response = HTMLResponse(PAGE.format(title=html.escape(title), content=content), status_code)
    response.headers["content-security-policy"] = CONTENT_SECURITY_POLICY
    response.headers["cache-control"] = "no-store"
    return response


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[0] for key, values in parse_qs(body).items()}


def _caller(request: Request) -> Caller:
    return Caller(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


def _failure(title: str, error: Exception) -> HTMLResponse:
    if isinstance(error, RateLimitedError):
        return _page(title, "<p>Too many attempts from this address; try again later.</p>", 429)
    errors = error.errors if isinstance(error, DomainErrors) else [error]
    items = "".join(f"<li>{html.escape(e.message)}</li>" for e in errors)  # type: ignore[union-attr]
    return _page(title, f"<ul>{items}</ul>", 400)


def _token_page(
    title: str,
    prompt: str,
    button: str,
    spend: Callable[[Runtime, Caller, str], Awaitable[object]],
    done: str,
) -> Callable[[Request], Awaitable[HTMLResponse]]:
    """A page that an emailed single-use link opens: GET shows `prompt` and a button, POST
    spends the token with `spend` (the token also read from the URL, as RFC 8058's one-click
    unsubscribe POSTs it)."""

    async def page(request: Request) -> HTMLResponse:
        if request.method == "GET":
            token = html.escape(request.query_params.get("token", ""), quote=True)
            return _page(
                title,
                '<form method="post"><input type="hidden" name="token" value="' + token + '">'
                f"<p>{prompt}</p><button>{button}</button></form>",
            )
        form = await _form(request)
        token = form.get("token") or request.query_params.get("token", "")
        try:
            await spend(request.app.state.runtime, _caller(request), token)
        except (DomainError, DomainErrors, RateLimitedError) as error:
            return _failure(title, error)
        return _page(title, f"<p>{done}</p>")

    return page


confirm_email_page = _token_page(
    "Confirm your business email address",
    "Confirm this address to have the activation code posted to the company.",
    "Confirm",
    activation.confirm_email,
    "Thank you. A letter with your activation code is on its way to the company's registered "
    "office; enter it in your professional space.",
)
confirm_business_email_page = _token_page(
    "Confirm the company's business email address",
    "Confirm this address as the company's business email: its notices and the "
    "acknowledgements of its messages will come here.",
    "Confirm",
    business_emails.confirm,
    "Thank you: this address is now the company's business email.",
)
confirm_login_email_page = _token_page(
    "Confirm your new login email address",
    "Confirm this address as the login of your professional account; the previous one will no "
    "longer log in.",
    "Confirm",
    personal_data.confirm_login_email_change,
    "Done: log in with this address from now on.",
)
# GET shows a button; POST unsubscribes, also as RFC 8058's one-click POST.
unsubscribe_page = _token_page(
    "Stop general-information emails",
    "Stop receiving the tax department's general-information emails? Emails about your account "
    "(codes, notices, replies) keep coming.",
    "Unsubscribe",
    email_preferences.unsubscribe,
    "Done: you will receive no more general-information emails.",
)


async def reset_password_page(request: Request) -> HTMLResponse:
    title = "Choose a new password"
    if request.method == "GET":
        token = html.escape(request.query_params.get("token", ""), quote=True)
        return _page(
            title,
            '<form method="post"><input type="hidden" name="token" value="' + token + '">'
            "<p><label>New password (20 characters or more; a pass-phrase of several unrelated "
            'words works best)<br><input type="password" name="password" minlength="20" '
            'maxlength="256" autocomplete="new-password" required size="40"></label></p>'
            "<button>Change password</button></form>",
        )
    runtime: Runtime = request.app.state.runtime
    form = await _form(request)
    try:
        await credentials.reset_password(
            runtime, _caller(request), form.get("token", ""), form.get("password", "")
        )
    except (DomainError, DomainErrors, RateLimitedError) as error:
        return _failure(title, error)
    return _page(title, "<p>Your password was changed. Every session was closed: log in again.</p>")


ROUTES = [
    Route("/confirm-login-email", confirm_login_email_page, methods=["GET", "POST"]),
    Route("/unsubscribe", unsubscribe_page, methods=["GET", "POST"]),
    Route("/confirm-business-email", confirm_business_email_page, methods=["GET", "POST"]),
    Route("/confirm-email", confirm_email_page, methods=["GET", "POST"]),
    Route("/reset-password", reset_password_page, methods=["GET", "POST"]),
]
