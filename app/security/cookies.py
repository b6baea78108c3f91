"""The session cookie: HttpOnly, SameSite=Strict, Secure outside development."""

from __future__ import annotations

from starlette.responses import Response

from app.settings import Settings

SESSION_COOKIE = "espace_pro_session"


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_absolute_timeout.total_seconds()),
        httponly=True,
        secure=settings.is_production,
        samesite="strict",
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, secure=settings.is_production, samesite="strict", path="/"
    )
