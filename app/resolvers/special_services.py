"""requestSpecialService (principal administrators)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain import special_services
from app.resolvers.common import global_pk, viewer_id
from app.resolvers.errors import INPUT, attempt
from app.schema import special_services as types


async def request_special_service(
    info: strawberry.Info, input: Annotated[types.RequestSpecialServiceInput, INPUT]
) -> types.RequestSpecialServicePayload:
    viewer_id(info)
    ctx = info.context
    created, errors = await attempt(
        special_services.request(
            ctx.runtime,
            ctx.caller,
            global_pk(input.company_id, "Company"),
            input.service_code,
            input.justification,
        )
    )
    return types.RequestSpecialServicePayload(
        special_service_request=types.SpecialServiceRequest.from_model(created)
        if created
        else None,
        user_errors=errors,
    )
