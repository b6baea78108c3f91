"""The user's rights over their data: sessions, identity, login email, preferences, export."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.db import read_session, write_transaction
from app.domain.delegations import caller_id
from app.domain.errors import DomainError, DomainErrors, ForbiddenError
from app.domain.history import HistoryFilter, stream_account_history
from app.domain.runtime import Caller, Runtime
from app.domain.validation import clean_email, clean_name
from app.models import (
    Account,
    AccountStatus,
    ApiToken,
    Company,
    CompanyRole,
    Delegation,
    LoginEmailChange,
    OutboxMessage,
    Session,
)
from app.models.notifications import MessageKind
from app.notifications import templates
from app.notifications.addresses import email_key
from app.notifications.outbox import enqueue_email, enqueue_unsolicited_email
from app.security.secrets import digest
from app.security.throttling import consume_rate_limit

EMAIL_CHANGE_LIFETIME = timedelta(hours=72)
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("python-httpx", "Python (httpx)"),
    ("python-requests", "Python (requests)"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def device(user_agent: str | None) -> str:
    """A readable device, e.g. "Firefox on Linux", from the user agent."""
    agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or system or ""
    first = re.split(r"[\s/;(]", agent.strip(), maxsplit=1)[0] if agent.strip() else ""
    return first[:40] or "Unknown device"


async def open_sessions(session: AsyncSession, account_id: int, now: datetime) -> list[Session]:
    """Sessions still usable (not revoked, not past their absolute end), newest first."""
    return list(
        await session.scalars(
            select(Session)
            .where(
                Session.account_id == account_id,
                Session.revoked_at.is_(None),
                Session.expires_at > now,
            )
            .order_by(Session.id.desc())
        )
    )


async def revoke_session(rt: Runtime, caller: Caller, session_id: int | None) -> Session:
    account_id = caller_id(caller)
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        found = await session.get(Session, session_id) if session_id else None
        # Someone else's session and an unknown one answer alike.
        if found is None or found.account_id != account_id:
            raise ForbiddenError
        if found.revoked_at is not None or found.expires_at <= now:
            raise DomainError(
                "SESSION_ALREADY_CLOSED", "This session is already closed.", ["sessionId"]
            )
        found.revoked_at = now
        record_event(
            session,
            EventKind.SESSION_REVOKED,
            caller=caller,
            at=now,
            subject_account_id=account_id,
            details={"sessionId": found.id, "current": found.id == caller.session_id},
        )
    return found


async def update_identity(rt: Runtime, caller: Caller, first_name: str, last_name: str) -> Account:
    account_id = caller_id(caller)
    errors: list[DomainError] = []
    names = []
    for value, field in ((first_name, "firstName"), (last_name, "lastName")):
        try:
            names.append(clean_name(value, field))
        except DomainError as error:
            errors.append(error)
    if errors:
        raise DomainErrors(errors)
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        account = await session.get(Account, account_id)
        before = {"firstName": account.first_name, "lastName": account.last_name}
        account.first_name, account.last_name = names
        record_event(
            session,
            EventKind.IDENTITY_UPDATED,
            caller=caller,
            at=now,
            subject_account_id=account_id,
            details={"before": before, "after": {"firstName": names[0], "lastName": names[1]}},
        )
    return account


async def request_login_email_change(
    rt: Runtime, caller: Caller, new_email: str, current_password: str
) -> Account:
    """A link (72 h) to the new address and a notice to the old one; nothing changes yet."""
    account_id = caller_id(caller)
    now = rt.clock.now()
    await consume_rate_limit(rt.sessions, "log-in", caller.ip, rt.settings.rate_limits.log_in, now)
    address = clean_email(new_email, "newEmail")
    async with read_session(rt.sessions) as session:
        account = await session.get(Account, account_id)
    if not await rt.passwords.verify(account.password_hash, current_password, caller.password_work):
        raise DomainError(
            "CURRENT_PASSWORD_INCORRECT", "The current password is wrong.", ["currentPassword"]
        )
    if email_key(address) == account.email_key:
        raise DomainError(
            "EMAIL_UNCHANGED", "This already is the account's login email.", ["newEmail"]
        )
    token = secrets.token_urlsafe(32)
    async with write_transaction(rt.sessions) as session:
        await session.execute(
            update(LoginEmailChange)
            .where(
                LoginEmailChange.account_id == account_id,
                LoginEmailChange.used_at.is_(None),
                LoginEmailChange.superseded_at.is_(None),
            )
            .values(superseded_at=now)
        )
        session.add(
            LoginEmailChange(
                account_id=account_id,
                new_email=address,
                token_digest=digest(token),
                created_at=now,
                expires_at=now + EMAIL_CHANGE_LIFETIME,
            )
        )
        link = f"{rt.settings.public_url}/confirm-login-email?token={token}"
        queued = await enqueue_unsolicited_email(
            session,
            now,
            address,
            templates.login_email_change_link(link, now + EMAIL_CHANGE_LIFETIME),
        )
        if not queued:
            raise DomainError(
                "TOO_MANY_EMAILS",
                "This address received too many emails from the professional space in the last "
                "hour; try again later.",
                ["newEmail"],
            )
        enqueue_email(
            session, now, account.email, templates.login_email_change_notice(account.first_name)
        )
        record_event(
            session,
            EventKind.LOGIN_EMAIL_CHANGE_REQUESTED,
            caller=caller,
            at=now,
            subject_account_id=account_id,
        )
    return account


async def confirm_login_email_change(rt: Runtime, caller: Caller, token: str) -> Account:
    """Use the link: the new address becomes the login email; the old one logs in no more."""
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "code", caller.ip, rt.settings.rate_limits.code_entry, now
    )
    unavailable = DomainError(
        "EMAIL_UNAVAILABLE",
        "This address now belongs to another account; choose another one.",
        ["token"],
    )
    try:
        async with write_transaction(rt.sessions) as session:
            change = await session.scalar(
                select(LoginEmailChange)
                .where(LoginEmailChange.token_digest == digest(token.strip()))
                .with_for_update()
            )
            if change is None or change.superseded_at is not None:
                raise DomainError("TOKEN_INVALID", "This link is not valid.", ["token"])
            if change.used_at is not None:
                raise DomainError("TOKEN_ALREADY_USED", "This link was already used.", ["token"])
            if now >= change.expires_at:
                raise DomainError(
                    "TOKEN_EXPIRED", "This link expired; ask for the change again.", ["token"]
                )
            account = await session.get(Account, change.account_id, with_for_update=True)
            taken = await session.scalar(
                select(Account.id).where(
                    Account.email_key == email_key(change.new_email),
                    Account.status != AccountStatus.EXPIRED,
                    Account.id != account.id,
                )
            )
            if taken is not None:
                raise unavailable
            old = account.email
            change.used_at = now
            account.email, account.email_key = change.new_email, email_key(change.new_email)
            await session.flush()
            enqueue_email(
                session, now, old, templates.login_email_changed_notice(account.first_name)
            )
            record_event(
                session,
                EventKind.LOGIN_EMAIL_CHANGED,
                caller=caller,
                at=now,
                subject_account_id=account.id,
                actor_account_id=account.id,
            )
    except IntegrityError:
        raise unavailable from None
    return account


async def export(session: AsyncSession, account_id: int, now: datetime) -> dict[str, Any]:
    """Everything stored about the account, for its owner; never a hash, a code or a token."""
    account = await session.get(Account, account_id)
    roles = (
        await session.execute(
            select(CompanyRole, Company)
            .join(Company, Company.id == CompanyRole.company_id)
            .where(CompanyRole.account_id == account_id)
            .order_by(CompanyRole.id)
        )
    ).all()
    delegations = list(
        await session.scalars(
            select(Delegation)
            .where(
                or_(
                    Delegation.delegate_account_id == account_id,
                    Delegation.grantor_account_id == account_id,
                )
            )
            .order_by(Delegation.id)
        )
    )
    company_names = {company.id: company for _, company in roles}
    missing = {d.company_id for d in delegations} - set(company_names)
    if missing:
        for company in await session.scalars(select(Company).where(Company.id.in_(missing))):
            company_names[company.id] = company
    tokens = list(
        await session.scalars(
            select(ApiToken).where(ApiToken.account_id == account_id).order_by(ApiToken.id)
        )
    )
    sessions = list(
        await session.scalars(
            select(Session).where(Session.account_id == account_id).order_by(Session.id)
        )
    )
    emails = (
        await session.execute(
            select(OutboxMessage.created_at, OutboxMessage.subject)
            .where(
                OutboxMessage.kind == MessageKind.EMAIL,
                OutboxMessage.recipient_key == account.email_key,
            )
            .order_by(OutboxMessage.id)
        )
    ).all()
    history = [
        {
            "occurredAt": entry.event.occurred_at.isoformat(),
            "kind": entry.event.kind,
            "summary": entry.summary,
            "actor": entry.actor_name,
            "company": entry.company_name,
            "clientAddress": entry.event.ip if entry.event.actor_account_id == account_id else None,
            "userAgent": (
                entry.event.user_agent if entry.event.actor_account_id == account_id else None
            ),
        }
        async for entry in stream_account_history(session, account_id, HistoryFilter())
    ]

    def _company(company_id: int) -> dict[str, Any]:
        company = company_names.get(company_id)
        return {
            "siren": company.siren if company else None,
            "idsp": company.idsp if company else None,
            "name": company.name if company else None,
        }

    return {
        "exportedAt": now.isoformat(),
        "identity": {"firstName": account.first_name, "lastName": account.last_name},
        "loginEmail": account.email,
        "registrationNumber": account.registration_number,
        "mode": account.mode,
        "status": account.effective_status(now),
        "createdAt": account.created_at.isoformat(),
        "activatedAt": account.activated_at.isoformat() if account.activated_at else None,
        "passwordChangedAt": account.password_changed_at.isoformat(),
        "preferences": {"generalInformationEmails": account.general_information_emails},
        "companies": [
            {
                **_company(company.id),
                "role": role.role,
                "since": role.since.isoformat(),
                "suspended": role.suspended_at is not None,
            }
            for role, company in roles
        ],
        "delegationsReceived": [
            _delegation(d, _company(d.company_id), now)
            for d in delegations
            if d.delegate_account_id == account_id
        ],
        "delegationsGiven": [
            _delegation(d, _company(d.company_id), now)
            for d in delegations
            if d.grantor_account_id == account_id
        ],
        "apiTokens": [
            {
                "name": token.name,
                "scopes": token.scopes,
                "createdAt": token.created_at.isoformat(),
                "expiresAt": token.expires_at.isoformat(),
                "revokedAt": token.revoked_at.isoformat() if token.revoked_at else None,
            }
            for token in tokens
        ],
        "sessions": [
            {
                "device": device(item.user_agent),
                "clientAddress": item.ip,
                "createdAt": item.created_at.isoformat(),
                "lastUsedAt": item.last_seen_at.isoformat(),
                "closedAt": item.revoked_at.isoformat() if item.revoked_at else None,
            }
            for item in sessions
        ],
        "emailsSent": [
            {"sentAt": created_at.isoformat(), "subject": subject} for created_at, subject in emails
        ],
        "history": history,
    }


def _delegation(delegation: Delegation, company: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "company": company,
        "status": delegation.status(now),
        "services": delegation.services,
        "startsAt": delegation.starts_at.isoformat(),
        "endsAt": delegation.ends_at.isoformat() if delegation.ends_at else None,
    }
