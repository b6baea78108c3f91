"""IDSP entities: registered by staff while they wait for a SIREN, then linked to it.

When the SIREN is already in the directory (imported from SIRENE), the IDSP entity is merged into
that company: roles, services, delegations, requests and the change feed follow it, and both
identifiers resolve to it. History rows are append-only and keep naming the entity's row, which
records whom it was merged into.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum import luhn

from app.audit.events import EventKind, record_event
from app.db import write_transaction
from app.domain.errors import DomainError, DomainErrors, ForbiddenError
from app.domain.offices import office_of
from app.domain.runtime import Caller, Runtime
from app.domain.staff_actions import checked_reason
from app.domain.staff_directory import may_act_on
from app.domain.validation import (
    IDSP_DIGITS,
    IDSP_PREFIX,
    bounded,
    clean_company_identifier,
    clean_siren,
    has_control_characters,
)
from app.models import (
    Company,
    CompanyRole,
    CompanyService,
    Delegation,
    DelegationChange,
    DelegationRequest,
    Role,
    ServiceRequest,
    SpecialServiceRequest,
    StaffMember,
)

ADDRESS_LINES = 2
TEXT_MAX_LENGTH = 255
# Which role wins when an account holds one on both sides of a merge.
ROLE_RANK = {
    Role.NONE: 0,
    Role.DELEGATE: 1,
    Role.ALTERNATE_ADMINISTRATOR: 2,
    Role.PRINCIPAL_ADMINISTRATOR: 3,
}


@dataclass(frozen=True)
class EntityDetails:
    name: str
    legal_form: str
    address_lines: list[str]
    postal_code: str
    city: str


def new_idsp() -> str:
    digits = "".join(secrets.choice("0123456789") for _ in range(IDSP_DIGITS))
    return IDSP_PREFIX + digits + luhn.calc_check_digit(digits)


def _text(value: str, field: list[str], errors: list[DomainError], *, required: bool) -> str:
    value = value.strip()
    if (required and not value) or len(value) > TEXT_MAX_LENGTH or has_control_characters(value):
        errors.append(
            DomainError(
                "INVALID_ADDRESS" if field[0] != "name" else "INVALID_NAME",
                f"Give this in at most {TEXT_MAX_LENGTH} characters, without control characters.",
                field,
            )
        )
    return value


async def register_entity(
    rt: Runtime, caller: Caller, member: StaffMember, details: EntityDetails, reason: str
) -> Company:
    """A directory company with a fresh IDSP, in the member's office."""
    bounded(details.address_lines, ADDRESS_LINES, ["addressLines"])
    now = rt.clock.now()
    errors: list[DomainError] = []
    reason = checked_reason(reason, errors)
    name = _text(details.name, ["name"], errors, required=True)
    legal_form = _text(details.legal_form, ["legalForm"], errors, required=False)
    lines = [
        _text(line, ["addressLines", str(index)], errors, required=True)
        for index, line in enumerate(details.address_lines)
    ]
    if not lines:
        errors.append(DomainError("INVALID_ADDRESS", "Give the street address.", ["addressLines"]))
    city = _text(details.city, ["city"], errors, required=True)
    office = office_of(details.postal_code)
    if office is None:
        errors.append(
            DomainError("INVALID_POSTAL_CODE", "A French postal code has 5 digits.", ["postalCode"])
        )
    elif not member.national and office != member.office:
        raise ForbiddenError
    if errors:
        raise DomainErrors(errors)
    company = Company(
        idsp=new_idsp(),
        name=name,
        legal_form=legal_form[:8] or None,
        address_complement=lines[0] if len(lines) == ADDRESS_LINES else None,
        street_name=lines[-1],
        postal_code=details.postal_code.strip(),
        city=city,
        updated_at=now,
    )
    async with write_transaction(rt.sessions) as session:
        session.add(company)
        await session.flush()
        record_event(
            session,
            EventKind.PROVISIONAL_ENTITY_REGISTERED,
            caller=caller,
            at=now,
            company_id=company.id,
            details={"idsp": company.idsp, "reason": reason},
        )
    return company


def link_conflict() -> DomainError:
    return DomainError(
        "LINK_CONFLICT",
        "Both sides hold a live delegation, a pending request or an alternate administrator "
        "for the same purpose; their administrators must resolve it first.",
        ["siren"],
    )


async def link_siren(
    rt: Runtime, caller: Caller, member: StaffMember, *, idsp: str, siren: str, reason: str
) -> Company:
    """The entity gets its SIREN; if the directory already holds it, the two become one."""
    now = rt.clock.now()
    errors: list[DomainError] = []
    reason = checked_reason(reason, errors)
    kind, idsp = clean_company_identifier(idsp, "idsp")
    if kind != "idsp":
        errors.append(DomainError("INVALID_COMPANY_IDENTIFIER", "This is not an IDSP.", ["idsp"]))
    try:
        siren = clean_siren(siren, "siren")
    except DomainError as error:
        errors.append(error)
    if errors:
        raise DomainErrors(errors)
    try:
        async with write_transaction(rt.sessions) as session:
            entity = await session.scalar(select(Company).where(Company.idsp == idsp))
            if entity is None:
                raise DomainError(
                    "COMPANY_NOT_FOUND", "No entity with this IDSP is in the directory.", ["idsp"]
                )
            if not may_act_on(member, entity):
                raise ForbiddenError
            if entity.siren is not None:
                raise DomainError(
                    "IDSP_ALREADY_LINKED", "This entity already has a SIREN.", ["idsp"]
                )
            known = await session.scalar(select(Company).where(Company.siren == siren))
            if known is None:
                entity.siren = siren
                survivor = entity
            else:
                survivor = await _merge(session, entity, known)
            survivor.updated_at = now
            record_event(
                session,
                EventKind.SIREN_LINKED,
                caller=caller,
                at=now,
                company_id=survivor.id,
                details={
                    "idsp": idsp,
                    "siren": siren,
                    "mergedCompanyId": entity.id if survivor is not entity else None,
                    "reason": reason,
                },
            )
    except IntegrityError:
        raise link_conflict() from None
    return survivor


async def _merge(session: AsyncSession, entity: Company, known: Company) -> Company:
    """Move everything attached to the IDSP entity onto the SIRENE company."""
    if known.idsp is not None:
        raise DomainError(
            "SIREN_ALREADY_LINKED", "This SIREN is already linked to another IDSP.", ["siren"]
        )
    principals = await session.scalars(
        select(CompanyRole.company_id).where(
            CompanyRole.company_id.in_([entity.id, known.id]),
            CompanyRole.role == Role.PRINCIPAL_ADMINISTRATOR,
        )
    )
    if len(set(principals)) == 2:
        raise DomainError(
            "BOTH_HAVE_PRINCIPAL_ADMINISTRATOR",
            "Both the entity and the company have a principal administrator; replace or "
            "withdraw one first.",
            ["siren"],
        )
    await _merge_roles(session, entity.id, known.id)
    await _merge_services(session, entity.id, known.id)
    for model in (
        Delegation,
        DelegationChange,
        DelegationRequest,
        ServiceRequest,
        SpecialServiceRequest,
    ):
        await session.execute(
            update(model)
            .where(model.company_id == entity.id)
            .values(company_id=known.id)
            .execution_options(synchronize_session=False)
        )
    idsp = entity.idsp
    entity.idsp = None
    entity.merged_into_company_id = known.id
    await session.flush()  # the IDSP is unique: free it before the company takes it
    known.idsp = idsp
    await session.flush()
    return known


async def _merge_roles(session: AsyncSession, from_id: int, into_id: int) -> None:
    kept = {
        role.account_id: role
        for role in await session.scalars(
            select(CompanyRole).where(CompanyRole.company_id == into_id).with_for_update()
        )
    }
    moving = list(
        await session.scalars(
            select(CompanyRole).where(CompanyRole.company_id == from_id).with_for_update()
        )
    )
    for role in moving:
        existing = kept.get(role.account_id)
        if existing is None:
            role.company_id = into_id
            continue
        if ROLE_RANK[Role(role.role)] > ROLE_RANK[Role(existing.role)]:
            existing.role, existing.since = role.role, role.since
            existing.suspended_at = role.suspended_at
        await session.delete(role)
    await session.flush()


async def _merge_services(session: AsyncSession, from_id: int, into_id: int) -> None:
    held = {
        service.service_code: service
        for service in await session.scalars(
            select(CompanyService).where(CompanyService.company_id == into_id)
        )
    }
    for service in list(
        await session.scalars(select(CompanyService).where(CompanyService.company_id == from_id))
    ):
        existing = held.get(service.service_code)
        if existing is None:
            service.company_id = into_id
        else:
            existing.since = min(existing.since, service.since)
            await session.delete(service)
    await session.flush()
