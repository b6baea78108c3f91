"""registerProvisionalEntity and linkSiren (staff)."""

from __future__ import annotations

from typing import Annotated

from app.domain import identifiers
from app.resolvers.errors import INPUT
from app.resolvers.staff.actions import acted
from app.resolvers.staff.sessions import Info, staff_member
from app.schema.staff import types


async def register_provisional_entity(
    info: Info, input: Annotated[types.RegisterProvisionalEntityInput, INPUT]
) -> types.RegisterProvisionalEntityPayload:
    member = staff_member(info)
    details = identifiers.EntityDetails(
        name=input.name,
        legal_form=input.legal_form,
        address_lines=input.address_lines,
        postal_code=input.postal_code,
        city=input.city,
    )
    company, errors = await acted(
        info,
        identifiers.register_entity(
            info.context.runtime, info.context.caller, member, details, input.reason
        ),
    )
    return types.RegisterProvisionalEntityPayload(company=company, user_errors=errors)


async def link_siren(
    info: Info, input: Annotated[types.LinkSirenInput, INPUT]
) -> types.LinkSirenPayload:
    member = staff_member(info)
    company, errors = await acted(
        info,
        identifiers.link_siren(
            info.context.runtime,
            info.context.caller,
            member,
            idsp=input.idsp,
            siren=input.siren,
            reason=input.reason,
        ),
    )
    return types.LinkSirenPayload(company=company, user_errors=errors)
