"""scheduleMaintenance and cancelMaintenance (national staff)."""

from __future__ import annotations

from typing import Annotated

from app.domain import maintenance
from app.resolvers.errors import INPUT, attempt
from app.resolvers.staff.sessions import Info, staff_member
from app.schema.maintenance import MaintenanceNotice
from app.schema.staff import types


async def schedule_maintenance(
    info: Info, input: Annotated[types.ScheduleMaintenanceInput, INPUT]
) -> types.ScheduleMaintenancePayload:
    member = staff_member(info)
    ctx = info.context
    notice, errors = await attempt(
        maintenance.schedule(
            ctx.runtime,
            ctx.caller,
            member,
            starts_at=input.starts_at,
            ends_at=input.ends_at,
            message=input.message,
            service_codes=input.service_codes,
            reason=input.reason,
        )
    )
    return types.ScheduleMaintenancePayload(
        notice=MaintenanceNotice.from_model(notice) if notice else None, user_errors=errors
    )


async def cancel_maintenance(
    info: Info, input: Annotated[types.CancelMaintenanceInput, INPUT]
) -> types.CancelMaintenancePayload:
    member = staff_member(info)
    ctx = info.context
    notice_id = (
        int(input.notice_id) if input.notice_id.isdigit() and len(input.notice_id) < 19 else None
    )
    notice, errors = await attempt(
        maintenance.cancel(ctx.runtime, ctx.caller, member, notice_id, input.reason)
    )
    return types.CancelMaintenancePayload(
        notice=MaintenanceNotice.from_model(notice) if notice else None, user_errors=errors
    )
