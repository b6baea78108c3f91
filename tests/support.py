"""Test helpers: settings, the in-process GraphQL client, reading delivered mail and letters."""

from __future__ import annotations

import email
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Self

import argon2
import httpx
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport
from starlette.applications import Starlette

from app.settings import LockoutPolicy, RateLimit, RateLimits, Settings

STRONG_PASSWORD = "violet tambour glacier parapluie 1987"
OTHER_STRONG_PASSWORD = "horloge cerise moteur falaise bleue"
GENEROUS = RateLimit(10_000, timedelta(minutes=1))
CODE_PATTERN = re.compile(r"^([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\r?$", re.MULTILINE)
LINK_PATTERN = re.compile(r"^(http\S+\?token=(\S+))\r?$", re.MULTILINE)


def make_settings(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "mail_dir": tmp_path / "mail",
        "letters_dir": tmp_path / "letters",
        "attachments_dir": tmp_path / "attachments",
        "outbox_dispatcher": False,
        # Cheap hashing keeps the suite fast; the served default stays RFC 9106's profile.
        "argon2_parameters": argon2.profiles.CHEAPEST,
        "rate_limits": RateLimits(GENEROUS, GENEROUS, GENEROUS, GENEROUS, GENEROUS),
        "lockout": LockoutPolicy(),
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Response:
    data: dict[str, Any] | None
    errors: list[dict[str, Any]] | None


class Api:
    """A gql client talking HTTP to the app in process, as a browser or a script would."""

    def __init__(
        self,
        app: Starlette,
        *,
        token: str | None = None,
        ip: str = "203.0.113.7",
        path: str = "/graphql",
    ) -> None:
        self.token = token
        headers = {"authorization": f"Bearer {token}"} if token else {}
        headers["user-agent"] = "tests/1.0"
        self.transport = HTTPXAsyncTransport(
            url=f"http://testserver{path}",
            headers=headers,
            transport=httpx.ASGITransport(app=app, client=(ip, 50000)),
        )
        self.client = Client(transport=self.transport)
        self.session: Any = None

    async def __aenter__(self) -> Self:
        self.session = await self.client.connect_async()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.close_async()

    async def call(self, document: str, **variables: Any) -> Response:
        try:
            request = gql(document)
            request.variable_values = variables
            data = await self.session.execute(request)
        except TransportQueryError as error:
            return Response(error.data, error.errors)
        return Response(data, None)

    async def data(self, document: str, **variables: Any) -> dict[str, Any]:
        response = await self.call(document, **variables)
        assert response.errors is None, response.errors
        assert response.data is not None
        return response.data

    @property
    def cookies(self) -> httpx.Cookies:
        return self.transport.client.cookies


def error_codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


def read_mail(mail_dir: Path) -> list[email.message.EmailMessage]:
    paths = sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in paths
    ]


def mail_to(mail_dir: Path, recipient: str) -> list[email.message.EmailMessage]:
    return [message for message in read_mail(mail_dir) if message["To"] == recipient]


def body(message: email.message.EmailMessage) -> str:
    return message.get_content()


def code_in(message: email.message.EmailMessage) -> str:
    match = CODE_PATTERN.search(body(message))
    assert match, body(message)
    return match.group(1)


def token_in(message: email.message.EmailMessage) -> str:
    match = LINK_PATTERN.search(body(message))
    assert match, body(message)
    return match.group(2)


def read_letters(letters_dir: Path) -> list[dict[str, Any]]:
    paths = sorted(letters_dir.glob("*.json")) if letters_dir.exists() else []
    return [json.loads(path.read_text()) for path in paths]
