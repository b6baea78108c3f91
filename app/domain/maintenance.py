"""Maintenance windows: scheduled by national staff, read by anyone, enforced on mutations.

During a whole-site window every public mutation but logIn and logOut is refused; a window on
some services makes `authorize` refuse those services. The staff endpoint is never closed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.audit.events import EventKind, record_event
from app.db import SessionFactory, read_session, write_transaction
from app.domain.errors import DomainError, DomainErrors, ForbiddenError
from app.domain.runtime import Caller, Runtime
from app.domain.staff_actions import checked_reason
from app.domain.validation import bounded, has_control_characters
from app.models import MaintenanceNotice, StaffMember
from app.reference.services import BY_CODE

MESSAGE_MAX_LENGTH = 1_000


async def schedule(
    rt: Runtime,
    caller: Caller,
    member: StaffMember,
    *,
    starts_at: datetime,
    ends_at: datetime,
    message: str,
    service_codes: list[str],
    reason: str,
) -> MaintenanceNotice:
    if not member.national:
        raise ForbiddenError
    bounded(service_codes, len(BY_CODE), ["serviceCodes"])
    now = rt.clock.now()
    errors: list[DomainError] = []
    reason = checked_reason(reason, errors)
    message = message.strip()
    if not message or len(message) > MESSAGE_MAX_LENGTH or has_control_characters(message, "\n"):
        errors.append(
            DomainError(
                "INVALID_MESSAGE",
                f"Write the notice in 1 to {MESSAGE_MAX_LENGTH} characters, without control "
                "characters other than line breaks.",
                ["message"],
            )
        )
    if ends_at <= max(starts_at, now):
        errors.append(
            DomainError(
                "END_BEFORE_START", "The window must end after its start and after now.", ["endsAt"]
            )
        )
    errors += [
        DomainError("UNKNOWN_SERVICE", f"There is no service {code!r}.", ["serviceCodes", str(i)])
        for i, code in enumerate(service_codes)
        if code not in BY_CODE
    ]
    if errors:
        raise DomainErrors(errors)
    notice = MaintenanceNotice(
        starts_at=starts_at,
        ends_at=ends_at,
        message=message,
        service_codes=sorted(set(service_codes)),
        scheduled_by_staff_id=member.id,
        created_at=now,
    )
    async with write_transaction(rt.sessions) as session:
        session.add(notice)
        await session.flush()
        record_event(
            session,
            EventKind.MAINTENANCE_SCHEDULED,
            caller=caller,
            at=now,
            details={"noticeId": notice.id, "reason": reason, "services": notice.service_codes},
        )
    return notice


async def cancel(
    rt: Runtime, caller: Caller, member: StaffMember, notice_id: int | None, reason: str
) -> MaintenanceNotice:
    if not member.national:
        raise ForbiddenError
    now = rt.clock.now()
    errors: list[DomainError] = []
    reason = checked_reason(reason, errors)
    async with write_transaction(rt.sessions) as session:
        notice = await session.get(MaintenanceNotice, notice_id) if notice_id else None
        if notice is None or notice.cancelled_at is not None or notice.ends_at <= now:
            errors.append(
                DomainError(
                    "MAINTENANCE_NOT_FOUND",
                    "No such maintenance window to come or in force.",
                    ["noticeId"],
                )
            )
        if errors:
            raise DomainErrors(errors)
        notice.cancelled_at = now
        record_event(
            session,
            EventKind.MAINTENANCE_CANCELLED,
            caller=caller,
            at=now,
            details={"noticeId": notice.id, "reason": reason},
        )
    return notice


async def current_and_coming(sessions: SessionFactory, now: datetime) -> list[MaintenanceNotice]:
    """Notices not cancelled and not over, soonest first."""
    async with read_session(sessions) as session:
        return list(
            await session.scalars(
                select(MaintenanceNotice)
                .where(MaintenanceNotice.ends_at > now, MaintenanceNotice.cancelled_at.is_(None))
                .order_by(MaintenanceNotice.starts_at, MaintenanceNotice.id)
            )
        )


def site_closure(notices: list[MaintenanceNotice], now: datetime) -> MaintenanceNotice | None:
    """The whole-site window in force, if any."""
    return next((n for n in notices if not n.service_codes and n.in_force(now)), None)


def closes_service(notices: list[MaintenanceNotice], service_code: str, now: datetime) -> bool:
    return any(
        n.in_force(now) and (not n.service_codes or service_code in n.service_codes)
        for n in notices
    )
