"""serviceStatus: readable by anyone, logged in or not."""

from __future__ import annotations

import strawberry

from app.domain import maintenance
from app.schema.maintenance import MaintenanceNotice, ServiceStatus


async def service_status(info: strawberry.Info) -> ServiceStatus:
    now = info.context.runtime.clock.now()
    notices = await maintenance.current_and_coming(info.context.runtime.sessions, now)
    return ServiceStatus(
        available=maintenance.site_closure(notices, now) is None,
        notices=[MaintenanceNotice.from_model(notice) for notice in notices],
    )
