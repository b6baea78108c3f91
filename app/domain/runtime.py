"""What every domain function works with: the database, the clock, the settings, the caller."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.clock import Clock
from app.db import SessionFactory
from app.security.passwords import PasswordHasher, PasswordWorkBudget
from app.settings import Settings


@dataclass(frozen=True)
class Runtime:
    """Process-wide collaborators, built once in the app's lifespan."""

    sessions: SessionFactory
    clock: Clock
    settings: Settings
    passwords: PasswordHasher


@dataclass(frozen=True)
class Caller:
    """Who is asking: the authenticated account (if any) and where the request comes from."""

    account_id: int | None = None
    session_id: int | None = None
    # Set when the request carries an API token: what it may do. None for a session (all).
    scopes: frozenset[str] | None = None
    api_token_id: int | None = None
    # Set on the staff endpoint: the tax department's member acting.
    staff_id: int | None = None
    ip: str | None = None
    user_agent: str | None = None
    # Per request: how many more password checks (strength, argon2) this request may cause.
    password_work: PasswordWorkBudget = field(default_factory=PasswordWorkBudget, compare=False)
