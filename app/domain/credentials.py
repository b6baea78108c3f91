"""Log-in, sessions, log-out, password change and reset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.db import read_session, write_transaction
from app.domain import codes
from app.domain.api_tokens import revoke_all_api_tokens
from app.domain.errors import DomainError, NotAuthenticatedError
from app.domain.open_sessions import open_session
from app.domain.runtime import Caller, Runtime
from app.models import Account, Session
from app.models.accounts import AccountStatus, CodePurpose
from app.notifications import templates
from app.notifications.addresses import email_key
from app.notifications.outbox import enqueue_email, enqueue_unsolicited_email
from app.observability.requests import note_login_failure
from app.security import passwords
from app.security.secrets import digest, new_session_token
from app.security.throttling import (
    clear_failures,
    client_key,
    consume_rate_limit,
    locked_until,
    lockout_key,
    register_failure,
    seconds_until,
)

PASSWORD_RESET_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class LoggedIn:
    token: str
    account: Account
    expires_at: datetime


def invalid_credentials() -> DomainError:
    return DomainError(
        "INVALID_CREDENTIALS", "The email address or the password is wrong.", ["password"]
    )


async def log_in(rt: Runtime, caller: Caller, email: str, password: str) -> LoggedIn:
    now = rt.clock.now()
    await consume_rate_limit(rt.sessions, "log-in", caller.ip, rt.settings.rate_limits.log_in, now)
    key = email_key(email)
    # Keyed on the email and the client address: an attacker elsewhere cannot lock the owner out.
    throttle = lockout_key("login", key, client_key(caller.ip))
    async with read_session(rt.sessions) as session:
        until = await locked_until(session, throttle, now)
        account = await session.scalar(
            select(Account).where(Account.email_key == key, Account.status != AccountStatus.EXPIRED)
        )
    if until:
        raise DomainError(
            "LOGIN_TEMPORARILY_LOCKED",
            f"Too many failed attempts. Try again in {seconds_until(until, now)} seconds, "
            "or reset your password.",
            ["email"],
        )
    # Unknown email or not: one argon2 verification either way, and the same answer.
    ok = await rt.passwords.verify(
        account.password_hash if account else None, password, caller.password_work
    )
    if not ok:
        await _record_login_failure(rt, caller, throttle, account, now)
        raise invalid_credentials()
    if account.effective_status(now) != AccountStatus.ACTIVE:
        raise DomainError(
            "ACCOUNT_NOT_ACTIVE",
            "This account is not activated yet: enter the activation code you received first.",
            ["email"],
        )
    new_hash = (
        await rt.passwords.hash(password, caller.password_work)
        if rt.passwords.needs_rehash(account.password_hash)
        else None
    )
    token = new_session_token()
    expires_at = now + rt.settings.session_absolute_timeout
    async with write_transaction(rt.sessions) as session:
        await clear_failures(session, throttle)
        if new_hash:
            await session.execute(
                update(Account).where(Account.id == account.id).values(password_hash=new_hash)
            )
        session.add(
            Session(
                account_id=account.id,
                token_digest=digest(token),
                created_at=now,
                last_seen_at=now,
                expires_at=expires_at,
                ip=caller.ip,
                user_agent=caller.user_agent[:512] if caller.user_agent else None,
            )
        )
        record_event(
            session,
            EventKind.LOGIN_SUCCEEDED,
            caller=caller,
            at=now,
            subject_account_id=account.id,
            actor_account_id=account.id,
        )
    return LoggedIn(token, account, expires_at)


async def _record_login_failure(
    rt: Runtime, caller: Caller, throttle: str, account: Account | None, now: datetime
) -> None:
    policy = rt.settings.lockout
    async with write_transaction(rt.sessions) as session:
        failures, lock = await register_failure(session, throttle, policy, now)
        subject = account.id if account else None
        record_event(
            session, EventKind.LOGIN_FAILED, caller=caller, at=now, subject_account_id=subject
        )
        if lock:
            record_event(
                session,
                EventKind.LOGIN_LOCKED_OUT,
                caller=caller,
                at=now,
                subject_account_id=subject,
                details={"lockedUntil": lock.isoformat()},
            )
            # One email when the lock first starts; later doublings would only flood the owner.
            if account and failures == policy.free_failures:
                await enqueue_unsolicited_email(
                    session, now, account.email, templates.account_locked_email(lock)
                )
    note_login_failure(locked=lock is not None)


async def authenticate(rt: Runtime, token: str) -> tuple[Account, Session] | None:
    """The account behind a session token, if the session is still open."""
    return await open_session(
        rt,
        token,
        session_model=Session,
        owner_model=Account,
        owner_key=Session.account_id,
        idle_timeout=rt.settings.session_idle_timeout,
        usable=lambda account: account.status == AccountStatus.ACTIVE,
    )


async def log_out(rt: Runtime, caller: Caller, *, all_sessions: bool = False) -> None:
    """Close the caller's session (or all of the account's); without a session, nothing to do."""
    if caller.session_id is None or caller.account_id is None:
        return
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        if all_sessions:
            await _revoke_sessions(session, caller.account_id, now, keep=None)
        else:
            await session.execute(
                update(Session)
                .where(Session.id == caller.session_id, Session.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        record_event(
            session,
            EventKind.LOGGED_OUT,
            caller=caller,
            at=now,
            subject_account_id=caller.account_id,
            details={"allSessions": all_sessions},
        )


async def _checked_new_password(
    caller: Caller, account: Account, new_password: str, field: str
) -> None:
    problem = await passwords.check_password_async(
        new_password,
        passwords.personal_tokens(account.email, account.first_name, account.last_name),
        caller.password_work,
    )
    if problem:
        raise DomainError(problem.code, problem.message, [field])


async def _revoke_sessions(
    session: AsyncSession, account_id: int, now: datetime, keep: int | None
) -> None:
    query = update(Session).where(Session.account_id == account_id, Session.revoked_at.is_(None))
    if keep is not None:
        query = query.where(Session.id != keep)
    await session.execute(query.values(revoked_at=now))


async def change_password(
    rt: Runtime,
    caller: Caller,
    current_password: str,
    new_password: str,
    *,
    keep_api_tokens: bool = False,
) -> Account:
    """New password; other sessions and every reset link end, API tokens too unless kept."""
    if caller.account_id is None:
        raise NotAuthenticatedError
    now = rt.clock.now()
    await consume_rate_limit(rt.sessions, "log-in", caller.ip, rt.settings.rate_limits.log_in, now)
    async with read_session(rt.sessions) as session:
        account = await session.get(Account, caller.account_id)
    if not await rt.passwords.verify(account.password_hash, current_password, caller.password_work):
        raise DomainError(
            "CURRENT_PASSWORD_INCORRECT", "The current password is wrong.", ["currentPassword"]
        )
    if new_password == current_password:
        raise DomainError(
            "PASSWORD_UNCHANGED",
            "The new password must differ from the current one.",
            ["newPassword"],
        )
    await _checked_new_password(caller, account, new_password, "newPassword")
    new_hash = await rt.passwords.hash(new_password, caller.password_work)
    async with write_transaction(rt.sessions) as session:
        account = await session.get(Account, caller.account_id)
        await _replace_password(
            session,
            caller,
            account,
            new_hash,
            now,
            keep_session=caller.session_id,
            revoke_api_tokens=not keep_api_tokens,
        )
        record_event(
            session,
            EventKind.PASSWORD_CHANGED,
            caller=caller,
            at=now,
            subject_account_id=account.id,
        )
    return account


async def _replace_password(
    session: AsyncSession,
    caller: Caller,
    account: Account,
    new_hash: str,
    now: datetime,
    *,
    keep_session: int | None,
    revoke_api_tokens: bool,
) -> None:
    """What any new password brings: sessions, reset links and (unless kept) API tokens end."""
    account.password_hash = new_hash
    account.password_changed_at = now
    await _revoke_sessions(session, account.id, now, keep=keep_session)
    await codes.retire(session, account.id, (CodePurpose.PASSWORD_RESET,), now)
    revoked = await revoke_all_api_tokens(session, account.id, now) if revoke_api_tokens else []
    if revoked:
        record_event(
            session,
            EventKind.API_TOKENS_REVOKED_WITH_PASSWORD,
            caller=caller,
            at=now,
            subject_account_id=account.id,
            details={"tokenIds": revoked},
        )
    enqueue_email(
        session,
        now,
        account.email,
        templates.password_changed_email(account.first_name, now, len(revoked)),
    )


async def request_password_reset(rt: Runtime, caller: Caller, email: str) -> None:
    """Same answer whether or not the email is registered; only a registered one gets a link."""
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "password-reset", caller.ip, rt.settings.rate_limits.password_reset, now
    )
    async with write_transaction(rt.sessions) as session:
        account = await session.scalar(
            select(Account).where(
                Account.email_key == email_key(email), Account.status == AccountStatus.ACTIVE
            )
        )
        if account is None:
            return
        expires_at = now + PASSWORD_RESET_LIFETIME
        token, _ = await codes.issue(
            session, account.id, CodePurpose.PASSWORD_RESET, now, expires_at, link=True
        )
        link = f"{rt.settings.public_url}/reset-password?token={token}"
        await enqueue_unsolicited_email(
            session,
            now,
            account.email,
            templates.password_reset_email(account.first_name, link, expires_at),
        )
        record_event(
            session,
            EventKind.PASSWORD_RESET_REQUESTED,
            caller=caller,
            at=now,
            subject_account_id=account.id,
        )


async def reset_password(rt: Runtime, caller: Caller, token: str, new_password: str) -> Account:
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "code", caller.ip, rt.settings.rate_limits.code_entry, now
    )
    async with read_session(rt.sessions) as session:
        code, failure = await codes.check_link_token(
            session, CodePurpose.PASSWORD_RESET, token, now
        )
        account = await session.get(Account, code.account_id) if code else None
    if failure:
        raise failure
    await _checked_new_password(caller, account, new_password, "newPassword")
    new_hash = await rt.passwords.hash(new_password, caller.password_work)
    async with write_transaction(rt.sessions) as session:
        await codes.consume(session, code, now, "token")
        account = await session.get(Account, account.id)
        # Whoever held the old password may hold a token made with it: a reset ends them all.
        # A stranger who guessed the email cannot log in: the lock-out state stays as it is.
        await _replace_password(
            session, caller, account, new_hash, now, keep_session=None, revoke_api_tokens=True
        )
        record_event(
            session,
            EventKind.PASSWORD_RESET,
            caller=caller,
            at=now,
            subject_account_id=account.id,
            actor_account_id=account.id,
        )
    return account
