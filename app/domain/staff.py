"""Staff accounts of the tax department: creation (CLI), log-in with password and TOTP, sessions.

Staff and professionals never share a credential: a staff session is accepted only on the staff
endpoint, and a professional session or API token never there.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from app.audit.events import EventKind, record_event
from app.db import read_session, write_transaction
from app.domain.errors import DomainError, DomainErrors
from app.domain.offices import is_office
from app.domain.open_sessions import open_session
from app.domain.runtime import Caller, Runtime
from app.domain.validation import clean_email, clean_name
from app.models import StaffMember, StaffSession
from app.notifications.addresses import email_key
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

TOTP_ISSUER = "Espace professionnel - DGFiP"
TOTP_PERIOD = 30  # seconds, RFC 6238's default
TOTP_DIGITS = 6
# A code of the step before or after is accepted too, for clocks a little apart.
TOTP_TOLERANCE_STEPS = 1
STAFF_IDLE_TIMEOUT = timedelta(minutes=15)
STAFF_ABSOLUTE_TIMEOUT = timedelta(hours=8)


@dataclass(frozen=True)
class NewStaff:
    member: StaffMember
    provisioning_uri: str


@dataclass(frozen=True)
class StaffLoggedIn:
    token: str
    member: StaffMember
    expires_at: datetime


def _checked_office(office: str, errors: list[DomainError]) -> str:
    office = office.strip().upper()
    if not is_office(office):
        errors.append(
            DomainError(
                "INVALID_OFFICE",
                "An office is a département code: 01 to 95, 2A, 2B, or 971 to 978.",
                ["office"],
            )
        )
    return office


async def create_staff(
    rt: Runtime,
    *,
    email: str,
    first_name: str,
    last_name: str,
    office: str,
    national: bool,
    password: str,
) -> NewStaff:
    """A staff member with a fresh TOTP secret; the provisioning URI is shown once, to the CLI."""
    caller = Caller()
    errors: list[DomainError] = []
    for check, value, field in (
        (clean_email, email, "email"),
        (clean_name, first_name, "firstName"),
        (clean_name, last_name, "lastName"),
    ):
        try:
            check(value, field)
        except DomainError as error:
            errors.append(error)
    office = _checked_office(office, errors)
    problem = await passwords.check_password_async(
        password, passwords.personal_tokens(email, first_name, last_name), caller.password_work
    )
    if problem:
        errors.append(DomainError(problem.code, problem.message, ["password"]))
    if errors:
        raise DomainErrors(errors)
    now = rt.clock.now()
    secret = pyotp.random_base32()
    member = StaffMember(
        email=clean_email(email, "email"),
        email_key=email_key(email),
        first_name=clean_name(first_name, "firstName"),
        last_name=clean_name(last_name, "lastName"),
        office=office,
        national=national,
        password_hash=await rt.passwords.hash(password, caller.password_work),
        totp_secret=secret,
        created_at=now,
    )
    try:
        async with write_transaction(rt.sessions) as session:
            session.add(member)
            await session.flush()
            record_event(
                session,
                EventKind.STAFF_CREATED,
                caller=caller,
                at=now,
                details={"staffId": member.id, "office": office, "national": national},
            )
    except IntegrityError:
        raise DomainError(
            "STAFF_ALREADY_EXISTS", "A staff member already uses this email.", ["email"]
        ) from None
    uri = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD).provisioning_uri(
        name=member.email, issuer_name=TOTP_ISSUER
    )
    return NewStaff(member, uri)


async def disable_staff(rt: Runtime, email: str) -> StaffMember:
    """The member can no longer log in, and their open sessions end now."""
    now = rt.clock.now()
    async with write_transaction(rt.sessions) as session:
        member = await session.scalar(
            select(StaffMember).where(StaffMember.email_key == email_key(email))
        )
        if member is None:
            raise DomainError("STAFF_NOT_FOUND", "No staff member uses this email.", ["email"])
        if member.disabled_at is None:
            member.disabled_at = now
            await session.execute(
                update(StaffSession)
                .where(StaffSession.staff_id == member.id, StaffSession.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            record_event(
                session,
                EventKind.STAFF_DISABLED,
                caller=Caller(),
                at=now,
                details={"staffId": member.id},
            )
    return member


def _accepted_step(secret: str, otp: str, now: datetime, last_step: int | None) -> int | None:
    """The time step whose code `otp` is, if it is within tolerance and newer than the last used."""
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD)
    current = int(now.timestamp()) // TOTP_PERIOD
    typed = "".join(otp.split())
    for step in range(current - TOTP_TOLERANCE_STEPS, current + TOTP_TOLERANCE_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * TOTP_PERIOD), typed):
            return step
    return None


def invalid_staff_credentials() -> DomainError:
    return DomainError(
        "INVALID_CREDENTIALS",
        "The email address, the password or the one-time code is wrong.",
        ["password"],
    )


async def staff_log_in(
    rt: Runtime, caller: Caller, email: str, password: str, otp: str
) -> StaffLoggedIn:
    """Password and TOTP code; any failure gets the same answer after the same argon2 work."""
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "staff-log-in", caller.ip, rt.settings.rate_limits.log_in, now
    )
    key = email_key(email)
    throttle = lockout_key("staff-login", key, client_key(caller.ip))
    async with read_session(rt.sessions) as session:
        until = await locked_until(session, throttle, now)
        member = await session.scalar(select(StaffMember).where(StaffMember.email_key == key))
    if until:
        raise DomainError(
            "LOGIN_TEMPORARILY_LOCKED",
            f"Too many failed attempts. Try again in {seconds_until(until, now)} seconds.",
            ["email"],
        )
    usable = member if member is not None and member.disabled_at is None else None
    password_ok = await rt.passwords.verify(
        usable.password_hash if usable else None, password, caller.password_work
    )
    step = (
        _accepted_step(usable.totp_secret, otp, now, usable.last_totp_step)
        if usable and password_ok
        else None
    )
    if step is None:
        async with write_transaction(rt.sessions) as session:
            _, lock = await register_failure(session, throttle, rt.settings.lockout, now)
            record_event(
                session,
                EventKind.STAFF_LOGIN_FAILED,
                caller=caller,
                at=now,
                details={"staffId": member.id} if member else {},
            )
        note_login_failure(locked=lock is not None)
        raise invalid_staff_credentials()
    token = new_session_token()
    expires_at = now + STAFF_ABSOLUTE_TIMEOUT
    async with write_transaction(rt.sessions) as session:
        # Spend the code: a concurrent log-in with the same code finds the step taken.
        spent = await session.execute(
            update(StaffMember)
            .where(
                StaffMember.id == usable.id,
                or_(StaffMember.last_totp_step.is_(None), StaffMember.last_totp_step < step),
            )
            .values(last_totp_step=step)
        )
        if spent.rowcount != 1:
            raise invalid_staff_credentials()
        await clear_failures(session, throttle)
        session.add(
            StaffSession(
                staff_id=usable.id,
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
            EventKind.STAFF_LOGIN_SUCCEEDED,
            caller=Caller(staff_id=usable.id, ip=caller.ip, user_agent=caller.user_agent),
            at=now,
        )
    return StaffLoggedIn(token, usable, expires_at)


async def authenticate_staff(rt: Runtime, token: str) -> tuple[StaffMember, StaffSession] | None:
    """The staff member behind a staff session token, while the session is open."""
    return await open_session(
        rt,
        token,
        session_model=StaffSession,
        owner_model=StaffMember,
        owner_key=StaffSession.staff_id,
        idle_timeout=STAFF_IDLE_TIMEOUT,
        usable=lambda member: member.disabled_at is None,
    )


async def staff_log_out(rt: Runtime, session_id: int) -> None:
    async with write_transaction(rt.sessions) as session:
        await session.execute(
            update(StaffSession)
            .where(StaffSession.id == session_id, StaffSession.revoked_at.is_(None))
            .values(revoked_at=rt.clock.now())
        )
