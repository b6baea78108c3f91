"""History events, each written in the transaction of the change it records."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.chain import stage
from app.domain.runtime import Caller
from app.models import AuditEvent


class EventKind(enum.StrEnum):
    ACCOUNT_SIGNED_UP = "ACCOUNT_SIGNED_UP"
    SIGN_UP_WITH_REGISTERED_EMAIL = "SIGN_UP_WITH_REGISTERED_EMAIL"
    BASIC_SIGN_UP_REFUSED = "BASIC_SIGN_UP_REFUSED"
    ACTIVATION_CODE_RESENT = "ACTIVATION_CODE_RESENT"
    BUSINESS_EMAIL_CONFIRMED = "BUSINESS_EMAIL_CONFIRMED"
    ACCOUNT_ACTIVATED = "ACCOUNT_ACTIVATED"
    ACCOUNT_EXPIRED = "ACCOUNT_EXPIRED"
    ACTIVATION_CODE_REJECTED = "ACTIVATION_CODE_REJECTED"
    PRINCIPAL_ADMINISTRATOR_APPOINTED = "PRINCIPAL_ADMINISTRATOR_APPOINTED"
    COMPANY_ADDED = "COMPANY_ADDED"
    COMPANY_REMOVED = "COMPANY_REMOVED"
    SERVICE_ACCESS_REQUESTED = "SERVICE_ACCESS_REQUESTED"
    ALTERNATE_DESIGNATED = "ALTERNATE_DESIGNATED"
    ALTERNATE_SUSPENDED = "ALTERNATE_SUSPENDED"
    ALTERNATE_REACTIVATED = "ALTERNATE_REACTIVATED"
    ALTERNATE_REMOVED = "ALTERNATE_REMOVED"
    DELEGATION_GRANTED = "DELEGATION_GRANTED"
    DELEGATION_UPDATED = "DELEGATION_UPDATED"
    DELEGATION_REVOKED = "DELEGATION_REVOKED"
    DELEGATION_REQUESTED = "DELEGATION_REQUESTED"
    API_TOKEN_CREATED = "API_TOKEN_CREATED"
    API_TOKEN_REVOKED = "API_TOKEN_REVOKED"
    DELEGATION_REQUEST_DECLINED = "DELEGATION_REQUEST_DECLINED"
    LOGIN_SUCCEEDED = "LOGIN_SUCCEEDED"
    LOGIN_FAILED = "LOGIN_FAILED"
    LOGIN_LOCKED_OUT = "LOGIN_LOCKED_OUT"
    LOGGED_OUT = "LOGGED_OUT"
    PASSWORD_CHANGED = "PASSWORD_CHANGED"
    PASSWORD_RESET_REQUESTED = "PASSWORD_RESET_REQUESTED"
    PASSWORD_RESET = "PASSWORD_RESET"
    API_TOKENS_REVOKED_WITH_PASSWORD = "API_TOKENS_REVOKED_WITH_PASSWORD"
    STAFF_CREATED = "STAFF_CREATED"
    STAFF_DISABLED = "STAFF_DISABLED"
    STAFF_LOGIN_SUCCEEDED = "STAFF_LOGIN_SUCCEEDED"
    STAFF_LOGIN_FAILED = "STAFF_LOGIN_FAILED"
    PRINCIPAL_ADMINISTRATOR_REPLACED = "PRINCIPAL_ADMINISTRATOR_REPLACED"
    ACCESS_WITHDRAWN = "ACCESS_WITHDRAWN"
    COMPANY_REVIEW_ACKNOWLEDGED = "COMPANY_REVIEW_ACKNOWLEDGED"
    MAINTENANCE_SCHEDULED = "MAINTENANCE_SCHEDULED"
    MAINTENANCE_CANCELLED = "MAINTENANCE_CANCELLED"
    SPECIAL_SERVICE_REQUESTED = "SPECIAL_SERVICE_REQUESTED"
    SPECIAL_SERVICE_DECIDED = "SPECIAL_SERVICE_DECIDED"
    PROVISIONAL_ENTITY_REGISTERED = "PROVISIONAL_ENTITY_REGISTERED"
    SIREN_LINKED = "SIREN_LINKED"
    BUSINESS_EMAIL_DESIGNATED = "BUSINESS_EMAIL_DESIGNATED"
    BANK_ACCOUNT_ADDED = "BANK_ACCOUNT_ADDED"
    BANK_ACCOUNT_REMOVED = "BANK_ACCOUNT_REMOVED"
    MESSAGE_THREAD_OPENED = "MESSAGE_THREAD_OPENED"
    MESSAGE_SENT = "MESSAGE_SENT"
    MESSAGE_THREAD_CLOSED = "MESSAGE_THREAD_CLOSED"
    SESSION_REVOKED = "SESSION_REVOKED"
    IDENTITY_UPDATED = "IDENTITY_UPDATED"
    LOGIN_EMAIL_CHANGE_REQUESTED = "LOGIN_EMAIL_CHANGE_REQUESTED"
    LOGIN_EMAIL_CHANGED = "LOGIN_EMAIL_CHANGED"
    EMAIL_PREFERENCES_CHANGED = "EMAIL_PREFERENCES_CHANGED"
    INFORMATION_EMAIL_SENT = "INFORMATION_EMAIL_SENT"


def record_event(
    session: AsyncSession,
    kind: EventKind,
    *,
    caller: Caller,
    at: datetime,
    subject_account_id: int | None = None,
    company_id: int | None = None,
    details: dict[str, Any] | None = None,
    actor_account_id: int | None = None,
) -> None:
    """Append one event; it commits (chained) or rolls back with the change it describes.

    The actor is the caller's account, or `actor_account_id` for an account that proved who it
    is in this very request (a log-in, an activation code, a reset or confirmation link).
    """
    stage(
        session.sync_session,
        AuditEvent(
            occurred_at=at,
            kind=kind.value,
            actor_account_id=actor_account_id or caller.account_id,
            actor_staff_id=caller.staff_id,
            subject_account_id=subject_account_id,
            company_id=company_id,
            ip=caller.ip,
            user_agent=caller.user_agent[:512] if caller.user_agent else None,
            details=details or {},
        ),
    )
