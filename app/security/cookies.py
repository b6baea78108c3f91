"""The session cookie: HttpOnly, SameSite=Strict; in production Secure and `__Host-` prefixed
(the browser then refuses it unless sent over HTTPS for this exact host, path `/`, no domain)."""

from __future__ import annotations

from starlette.responses import Response

from app.settings import Settings

SESSION_COOKIE = "espace_pro_session"
HOST_PREFIX = "__Host-"


def session_cookie_name(settings: Settings) -> str:
    return HOST_PREFIX + SESSION_COOKIE if settings.is_production else SESSION_COOKIE


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        session_cookie_name(settings),
        token,
        max_age=int(settings.session_absolute_timeout.total_seconds()),
        httponly=True,
        secure=settings.is_production,
        samesite="strict",
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        session_cookie_name(settings),
        httponly=True,
        secure=settings.is_production,
        samesite="strict",
        path="/",
    )
