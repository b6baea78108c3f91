"""Staff log-in and log-out, and `me`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.context import StaffContext
from app.domain import staff
from app.domain.errors import NotAuthenticatedError
from app.models import StaffMember as StaffMemberModel
from app.resolvers.errors import INPUT, attempt, top_level
from app.schema.staff import types

Info = strawberry.Info[StaffContext, None]


def staff_member(info: Info) -> StaffMemberModel:
    """The staff member behind the request; a top-level UNAUTHENTICATED error otherwise."""
    if info.context.member is None:
        raise top_level(NotAuthenticatedError())
    return info.context.member


async def staff_log_in(
    info: Info, input: Annotated[types.StaffLogInInput, INPUT]
) -> types.StaffLogInPayload:
    ctx = info.context
    logged_in, errors = await attempt(
        staff.staff_log_in(ctx.runtime, ctx.caller, input.email, input.password, input.otp)
    )
    if logged_in is None:
        return types.StaffLogInPayload(token=None, expires_at=None, member=None, user_errors=errors)
    return types.StaffLogInPayload(
        token=logged_in.token,
        expires_at=logged_in.expires_at,
        member=types.StaffMember.from_model(logged_in.member),
        user_errors=[],
    )


async def staff_log_out(
    info: Info, input: Annotated[types.StaffLogOutInput, INPUT]
) -> types.StaffLogOutPayload:
    del input
    staff_member(info)
    await staff.staff_log_out(info.context.runtime, info.context.caller.session_id)
    return types.StaffLogOutPayload(user_errors=[])


def me(info: Info) -> types.StaffMember | None:
    member = info.context.member
    return types.StaffMember.from_model(member) if member else None
