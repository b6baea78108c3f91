"""What staff read: a company's file and an account's, within their office."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.db import read_session
from app.domain import staff_directory
from app.domain.errors import ForbiddenError
from app.resolvers.errors import top_level
from app.resolvers.staff.sessions import Info, staff_member
from app.schema.staff import types


async def company(
    info: Info,
    identifier: Annotated[str, strawberry.argument(description="SIREN or IDSP of the company.")],
) -> types.StaffCompany | None:
    member = staff_member(info)
    runtime = info.context.runtime
    now = runtime.clock.now()
    try:
        async with read_session(runtime.sessions) as session:
            file = await staff_directory.company_file(session, member, identifier, now)
    except ForbiddenError as error:
        raise top_level(error) from None
    return types.StaffCompany.from_file(file, now) if file else None


async def account(
    info: Info,
    email: Annotated[str, strawberry.argument(description="Login email of the account.")],
) -> types.StaffAccount | None:
    member = staff_member(info)
    runtime = info.context.runtime
    async with read_session(runtime.sessions) as session:
        file = await staff_directory.account_file(session, member, email)
    return types.StaffAccount.from_file(file, runtime.clock.now()) if file else None
