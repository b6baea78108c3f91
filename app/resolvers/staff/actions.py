"""Staff actions on a company: replacement of the principal administrator, withdrawal."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated

from app.db import read_session
from app.domain import staff_actions, staff_directory
from app.models import Company as CompanyModel
from app.resolvers.errors import INPUT, attempt
from app.resolvers.staff.sessions import Info, staff_member
from app.schema.errors import UserError
from app.schema.staff import types


async def acted(
    info: Info, action: Awaitable[CompanyModel]
) -> tuple[types.StaffCompany | None, list[UserError]]:
    """Run a staff action on a company; its file afterwards, or the userErrors."""
    company, errors = await attempt(action)
    if company is None:
        return None, errors
    runtime = info.context.runtime
    now = runtime.clock.now()
    async with read_session(runtime.sessions) as session:
        file = await staff_directory.company_file(
            session, info.context.member, company.identifier, now
        )
    return types.StaffCompany.from_file(file, now), errors


async def replace_principal_administrator(
    info: Info, input: Annotated[types.ReplacePrincipalAdministratorInput, INPUT]
) -> types.ReplacePrincipalAdministratorPayload:
    member = staff_member(info)
    company, errors = await acted(
        info,
        staff_actions.replace_principal(
            info.context.runtime,
            info.context.caller,
            member,
            company_identifier=input.company_identifier,
            new_principal_email=input.new_principal_email,
            reason=input.reason,
        ),
    )
    return types.ReplacePrincipalAdministratorPayload(company=company, user_errors=errors)


async def withdraw_access(
    info: Info, input: Annotated[types.WithdrawAccessInput, INPUT]
) -> types.WithdrawAccessPayload:
    member = staff_member(info)
    company, errors = await acted(
        info,
        staff_actions.withdraw_access(
            info.context.runtime,
            info.context.caller,
            member,
            company_identifier=input.company_identifier,
            account_email=input.account_email,
            reason=input.reason,
        ),
    )
    return types.WithdrawAccessPayload(company=company, user_errors=errors)
