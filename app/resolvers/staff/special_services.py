"""specialServiceRequests and decideSpecialServiceRequest (staff)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.db import read_session
from app.domain import special_services
from app.models import SpecialServiceRequestStatus as StatusValue
from app.resolvers.common import global_pk
from app.resolvers.errors import INPUT, attempt
from app.resolvers.staff.sessions import Info, staff_member
from app.schema.nodes import After, First, PageInfo, decode_cursor, encode_cursor, page_size
from app.schema.special_services import SpecialServiceRequest, SpecialServiceRequestStatus
from app.schema.staff import types


async def special_service_requests(
    info: Info,
    status: Annotated[
        SpecialServiceRequestStatus | None,
        strawberry.argument(description="Only requests in this status."),
    ] = None,
    first: First = None,
    after: After = None,
) -> types.StaffSpecialServiceRequestConnection:
    member = staff_member(info)
    size = page_size(first)
    async with read_session(info.context.runtime.sessions) as session:
        page = await special_services.requests_for_office(
            session,
            member,
            StatusValue(status.value) if status else None,
            size,
            decode_cursor(after),
        )
    edges = [
        types.StaffSpecialServiceRequestEdge(
            cursor=encode_cursor(position),
            node=types.StaffSpecialServiceRequest(
                request=SpecialServiceRequest.from_model(request),
                company=types.StaffCompanySummary.from_model(company),
                requester_email=requester.email,
            ),
        )
        for position, request, company, requester in page.rows
    ]
    return types.StaffSpecialServiceRequestConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=page.total,
    )


async def decide_special_service_request(
    info: Info, input: Annotated[types.DecideSpecialServiceRequestInput, INPUT]
) -> types.DecideSpecialServiceRequestPayload:
    member = staff_member(info)
    ctx = info.context
    decided, errors = await attempt(
        special_services.decide(
            ctx.runtime,
            ctx.caller,
            member,
            global_pk(input.request_id, "SpecialServiceRequest"),
            approve=input.approve,
            reason=input.reason,
        )
    )
    return types.DecideSpecialServiceRequestPayload(
        special_service_request=SpecialServiceRequest.from_model(decided) if decided else None,
        user_errors=errors,
    )
