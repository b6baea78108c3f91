"""Scoped API tokens for accounting software: created from a recent session, never from a token."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.db import read_session, write_transaction
from app.domain.errors import DomainError, DomainErrors, ForbiddenError, NotAuthenticatedError
from app.domain.open_sessions import logged_in_recently
from app.domain.runtime import Caller, Runtime
from app.domain.validation import bounded
from app.models import Account, ApiToken
from app.notifications import templates
from app.notifications.outbox import enqueue_email
from app.security.secrets import digest

TOKEN_PREFIX = "epro_"
MAX_LIFETIME = timedelta(days=366)
DEFAULT_LIFETIME = timedelta(days=90)
NAME_MAX_LENGTH = 100
LAST_USED_GRANULARITY = timedelta(minutes=1)


class Scope(enum.StrEnum):
    COMPANIES_READ = "companies:read"
    DELEGATIONS_READ = "delegations:read"
    DELEGATIONS_WRITE = "delegations:write"
    BANK_ACCOUNTS_READ = "bank-accounts:read"
    MESSAGES_READ = "messages:read"
    MESSAGES_WRITE = "messages:write"


@dataclass(frozen=True)
class CreatedToken:
    secret: str
    token: ApiToken


def is_api_token(bearer: str) -> bool:
    return bearer.startswith(TOKEN_PREFIX)


async def create(
    rt: Runtime, caller: Caller, name: str, scopes: list[str], expires_at: datetime | None
) -> CreatedToken:
    """A new token; its secret is returned once and only its digest is kept."""
    if caller.account_id is None:
        raise NotAuthenticatedError
    if caller.api_token_id is not None or caller.session_id is None:
        raise ForbiddenError
    bounded(scopes, len(Scope), ["scopes"])
    now = rt.clock.now()
    errors: list[DomainError] = []
    name = name.strip()
    if not name or len(name) > NAME_MAX_LENGTH:
        errors.append(
            DomainError(
                "INVALID_NAME", f"Name the token (1 to {NAME_MAX_LENGTH} characters).", ["name"]
            )
        )
    known = {scope.value for scope in Scope}
    for index, scope in enumerate(scopes):
        if scope not in known:
            errors.append(
                DomainError(
                    "UNKNOWN_SCOPE",
                    f"Scopes are {', '.join(sorted(known))}.",
                    ["scopes", str(index)],
                )
            )
    if not scopes:
        errors.append(
            DomainError("SCOPE_REQUIRED", "Give the token at least one scope.", ["scopes"])
        )
    expires_at = expires_at or now + DEFAULT_LIFETIME
    if not now < expires_at <= now + MAX_LIFETIME:
        errors.append(
            DomainError(
                "INVALID_EXPIRY", "A token expires in the future, within a year.", ["expiresAt"]
            )
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with write_transaction(rt.sessions) as session:
        if not await logged_in_recently(session, caller, now):
            errors.append(
                DomainError(
                    "RECENT_LOGIN_REQUIRED",
                    "Log in again (within the last 15 minutes) to create an API token.",
                    None,
                )
            )
        if errors:
            raise DomainErrors(errors)
        token = ApiToken(
            account_id=caller.account_id,
            name=name,
            scopes=sorted(set(scopes)),
            token_digest=digest(secret),
            created_at=now,
            expires_at=expires_at,
        )
        session.add(token)
        await session.flush()
        account = await session.get(Account, caller.account_id)
        enqueue_email(
            session,
            now,
            account.email,
            templates.api_token_created_email(account.first_name, name, now),
        )
        record_event(
            session,
            EventKind.API_TOKEN_CREATED,
            caller=caller,
            at=now,
            subject_account_id=caller.account_id,
            details={"tokenId": token.id, "scopes": token.scopes},
        )
    return CreatedToken(secret, token)


async def revoke(rt: Runtime, caller: Caller, token_id: int | None) -> ApiToken:
    if caller.account_id is None:
        raise NotAuthenticatedError
    if caller.api_token_id is not None:
        raise ForbiddenError
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        token = await session.scalar(
            select(ApiToken).where(
                ApiToken.id == token_id, ApiToken.account_id == caller.account_id
            )
        )
        if token is None:
            raise DomainError(
                "API_TOKEN_NOT_FOUND", "No such API token on your account.", ["tokenId"]
            )
        if token.revoked_at is None:
            token.revoked_at = now
            record_event(
                session,
                EventKind.API_TOKEN_REVOKED,
                caller=caller,
                at=now,
                subject_account_id=caller.account_id,
                details={"tokenId": token.id},
            )
    return token


async def revoke_all_api_tokens(session: AsyncSession, account_id: int, now: datetime) -> list[int]:
    """Revoke every live token of the account; returns their ids."""
    revoked = list(
        await session.scalars(
            update(ApiToken)
            .where(
                ApiToken.account_id == account_id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > now,
            )
            .values(revoked_at=now)
            .returning(ApiToken.id)
            .execution_options(synchronize_session=False)
        )
    )
    return sorted(revoked)


async def authenticate(rt: Runtime, secret: str) -> tuple[Account, ApiToken] | None:
    now = rt.clock.now()
    async with read_session(rt.sessions) as session:
        row = (
            await session.execute(
                select(ApiToken, Account)
                .join(Account, Account.id == ApiToken.account_id)
                .where(ApiToken.token_digest == digest(secret))
            )
        ).first()
    if row is None:
        return None
    token, account = row
    if token.revoked_at is not None or now >= token.expires_at or account.status != "ACTIVE":
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        async with write_transaction(rt.sessions) as session:
            await session.execute(
                update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
            )
        token.last_used_at = now
    return account, token


async def tokens_of(rt: Runtime, account_id: int) -> list[ApiToken]:
    async with read_session(rt.sessions) as session:
        return list(
            await session.scalars(
                select(ApiToken).where(ApiToken.account_id == account_id).order_by(ApiToken.id)
            )
        )
