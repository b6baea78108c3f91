"""Delegations and alternate administrators: types, inputs and payloads."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from app.dataloaders import preload
from app.db import read_session
from app.domain import change_feed
from app.domain.paging import Page
from app.models import Account as AccountModel
from app.models import Delegation as DelegationModel
from app.models import DelegationRequest as DelegationRequestModel
from app.reference.services import BY_CODE
from app.schema.eager import answer_page, eagerly
from app.schema.errors import UserError
from app.schema.nodes import (
    Node,
    PageInfo,
    decode_cursor,
    encode_cursor,
    page_size,
    selected_below,
    to_global_id,
)
from app.schema.planning import answered
from app.schema.services import OnlineService, Right
from app.security.permissions import CompaniesRead

if TYPE_CHECKING:
    from app.schema.companies import Company

CompanyRef = Annotated["Company", strawberry.lazy("app.schema.companies")]


@strawberry.enum(description="Where a delegation stands, from its dates and revocation.")
class DelegationStatus(enum.Enum):
    SCHEDULED = strawberry.enum_value("SCHEDULED", description="Its start date is to come.")
    ACTIVE = strawberry.enum_value("ACTIVE", description="It grants its rights now.")
    EXPIRED = strawberry.enum_value("EXPIRED", description="Its end date has passed.")
    REVOKED = strawberry.enum_value("REVOKED", description="An administrator revoked it.")


@strawberry.type(description="An account named in a delegation.")
class DelegationParty:
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    email: str = strawberry.field(description="Login email address.")

    @classmethod
    def from_model(cls, account: AccountModel) -> DelegationParty:
        return cls(first_name=account.first_name, last_name=account.last_name, email=account.email)


@strawberry.type(description="A delegated service and the rights delegated on it.")
class DelegatedService:
    service: OnlineService = strawberry.field(description="The online service.")
    rights: list[Right] = strawberry.field(description="The rights delegated.")


def delegated_services(services: dict[str, list[str]]) -> list[DelegatedService]:
    return [
        DelegatedService(
            service=OnlineService.from_entry(BY_CODE[code]),
            rights=[Right[right] for right in rights],
        )
        for code, rights in services.items()
    ]


@strawberry.type(description="Rights an administrator handed to another account for one company.")
class Delegation(Node):
    services: list[DelegatedService] = strawberry.field(description="Services and rights.")
    starts_at: datetime = strawberry.field(description="When it starts granting.")
    ends_at: datetime | None = strawberry.field(description="When it stops, if ever.")
    status: DelegationStatus = strawberry.field(description="Where it stands now.")
    created_at: datetime = strawberry.field(description="When it was granted.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")
    company_id: strawberry.Private[int]
    delegate_id: strawberry.Private[int]
    grantor_id: strawberry.Private[int]
    viewer_id: strawberry.Private[int]
    # The parties the delegation's query joined, answered as the resolvers would answer them.
    answers: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_model(cls, delegation: DelegationModel, now: datetime, viewer_id: int) -> Delegation:
        answers = {
            name: DelegationParty.from_model(party)
            for name, party in zip(
                ("delegate", "grantor"), delegation.loaded_parties(), strict=True
            )
            if party is not None
        }
        return cls(
            id=to_global_id("Delegation", delegation.id),
            services=delegated_services(delegation.services),
            starts_at=delegation.starts_at,
            ends_at=delegation.ends_at,
            status=DelegationStatus[delegation.status(now)],
            created_at=delegation.created_at,
            revoked_at=delegation.revoked_at,
            company_id=delegation.company_id,
            delegate_id=delegation.delegate_account_id,
            grantor_id=delegation.grantor_account_id,
            viewer_id=viewer_id,
            answers=answers,
        )

    @strawberry.field(
        description="The company the delegation is for.", permission_classes=[CompaniesRead]
    )
    async def company(self, info: strawberry.Info) -> CompanyRef | None:
        from app.schema.companies import Company

        loaders = info.context.loaders
        company = await loaders.companies_by_id.load(self.company_id)
        role = await loaders.roles_by_account_and_company.load((self.viewer_id, self.company_id))
        return Company.from_model(company, role, self.viewer_id) if company else None

    @strawberry.field(**answered(description="The account that holds the delegated rights."))
    def delegate(self, info: strawberry.Info) -> DelegationParty:
        return self.answers.get("delegate") or eagerly(self._party(info, self.delegate_id))

    @strawberry.field(**answered(description="The administrator who granted it."))
    def grantor(self, info: strawberry.Info) -> DelegationParty:
        return self.answers.get("grantor") or eagerly(self._party(info, self.grantor_id))

    @staticmethod
    async def _party(info: strawberry.Info, account_id: int) -> DelegationParty:
        """A party the delegation's query did not join, through the accounts' loader."""
        return DelegationParty.from_model(
            await info.context.loaders.accounts_by_id.load(account_id)
        )


@strawberry.type(description="An edge of a delegation connection.")
class DelegationEdge:
    cursor: str = strawberry.field(description="Opaque position of this edge.")
    node: Delegation = strawberry.field(description="The delegation.")


@strawberry.type(description="A page of delegations (Relay connection).")
class DelegationConnection:
    edges: list[DelegationEdge] = strawberry.field(description="The delegations of this page.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Number of delegations in all pages.")


@strawberry.type(description="The alternate administrator of a company.")
class AlternateAdministrator:
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    since: datetime = strawberry.field(description="Alternate administrator since.")
    suspended: bool = strawberry.field(description="Suspended: keeps the role, none of its powers.")


@strawberry.input(description="Designate the company's alternate administrator (principal only).")
class DesignateAlternateAdministratorInput:
    company_id: strawberry.ID = strawberry.field(description="Global ID of the company.")
    account_email: str = strawberry.field(description="Login email of an active account.")


@strawberry.input(description="Suspend the company's alternate administrator (principal only).")
class SuspendAlternateAdministratorInput:
    company_id: strawberry.ID = strawberry.field(description="Global ID of the company.")


@strawberry.input(description="Give a suspended alternate administrator its powers back.")
class ReactivateAlternateAdministratorInput:
    company_id: strawberry.ID = strawberry.field(description="Global ID of the company.")


@strawberry.input(description="Remove the company's alternate administrator (principal only).")
class RemoveAlternateAdministratorInput:
    company_id: strawberry.ID = strawberry.field(description="Global ID of the company.")


@strawberry.type(description="Result of designating an alternate administrator.")
class DesignateAlternateAdministratorPayload:
    company: CompanyRef | None = strawberry.field(description="The company.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="Result of suspending the alternate administrator.")
class SuspendAlternateAdministratorPayload:
    company: CompanyRef | None = strawberry.field(description="The company.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="Result of reactivating the alternate administrator.")
class ReactivateAlternateAdministratorPayload:
    company: CompanyRef | None = strawberry.field(description="The company.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="Result of removing the alternate administrator.")
class RemoveAlternateAdministratorPayload:
    company: CompanyRef | None = strawberry.field(description="The company.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.input(description="A service to delegate and the rights delegated on it.")
class DelegatedServiceInput:
    service_code: str = strawberry.field(description="Code of a service the company holds.")
    rights: list[Right] = strawberry.field(description="Rights the service supports.")


@strawberry.input(description="Grant a delegation (principal or active alternate administrator).")
class GrantDelegationInput:
    company_id: strawberry.ID = strawberry.field(description="Global ID of the company.")
    delegate_email: str = strawberry.field(description="Login email of an active account.")
    services: list[DelegatedServiceInput] = strawberry.field(description="What is delegated.")
    starts_at: datetime | None = strawberry.field(
        default=None, description="Start (now when omitted); never in the past."
    )
    ends_at: datetime | None = strawberry.field(
        default=None, description="End, after the start; none for no end."
    )


@strawberry.input(description="Change a delegation's services or end date.")
class UpdateDelegationInput:
    delegation_id: strawberry.ID = strawberry.field(description="Global ID of the delegation.")
    services: list[DelegatedServiceInput] | None = strawberry.field(
        default=None, description="The new services and rights, replacing the old; omit to keep."
    )
    ends_at: datetime | None = strawberry.field(
        default=None, description="The new end date; omit to keep."
    )


@strawberry.input(description="Revoke a delegation; it grants nothing from now on.")
class RevokeDelegationInput:
    delegation_id: strawberry.ID = strawberry.field(description="Global ID of the delegation.")


@strawberry.type(description="Result of granting a delegation.")
class GrantDelegationPayload:
    delegation: Delegation | None = strawberry.field(description="The new delegation.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was granted.")


@strawberry.type(description="Result of changing a delegation.")
class UpdateDelegationPayload:
    delegation: Delegation | None = strawberry.field(description="The changed delegation.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="Result of revoking a delegation.")
class RevokeDelegationPayload:
    delegation: Delegation | None = strawberry.field(description="The revoked delegation.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.enum(description="Where a delegation request stands.")
class DelegationRequestStatus(enum.Enum):
    PENDING = strawberry.enum_value("PENDING", description="Awaiting the administrators.")
    ACCEPTED = strawberry.enum_value("ACCEPTED", description="Accepted: a delegation was granted.")
    DECLINED = strawberry.enum_value("DECLINED", description="Declined by an administrator.")
    EXPIRED = strawberry.enum_value("EXPIRED", description="Unanswered for 30 days.")


@strawberry.type(
    description="A request for a delegation, answered by the company's administrators."
)
class DelegationRequest(Node):
    services: list[DelegatedService] = strawberry.field(description="Services and rights asked.")
    message: str = strawberry.field(description="The requester's message to the administrators.")
    status: DelegationRequestStatus = strawberry.field(description="Where it stands now.")
    created_at: datetime = strawberry.field(description="When it was made.")
    expires_at: datetime = strawberry.field(description="When it lapses unanswered (30 days).")
    company_id: strawberry.Private[int]
    requester_id: strawberry.Private[int]
    viewer_id: strawberry.Private[int]

    @classmethod
    def from_model(
        cls, request: DelegationRequestModel, now: datetime, viewer_id: int
    ) -> DelegationRequest:
        return cls(
            id=to_global_id("DelegationRequest", request.id),
            services=delegated_services(request.services),
            message=request.message,
            status=DelegationRequestStatus[request.effective_status(now)],
            created_at=request.created_at,
            expires_at=request.expires_at,
            company_id=request.company_id,
            requester_id=request.requester_account_id,
            viewer_id=viewer_id,
        )

    @strawberry.field(description="The company asked.", permission_classes=[CompaniesRead])
    async def company(self, info: strawberry.Info) -> CompanyRef | None:
        from app.schema.companies import Company

        loaders = info.context.loaders
        company = await loaders.companies_by_id.load(self.company_id)
        role = await loaders.roles_by_account_and_company.load((self.viewer_id, self.company_id))
        return Company.from_model(company, role, self.viewer_id) if company else None

    @strawberry.field(description="The account asking for the delegation.")
    async def requester(self, info: strawberry.Info) -> DelegationParty:
        account = await info.context.loaders.accounts_by_id.load(self.requester_id)
        return DelegationParty.from_model(account)


@strawberry.input(description="Ask a company's administrators for a delegation.")
class RequestDelegationInput:
    company_identifier: str = strawberry.field(description="SIREN or IDSP of the company.")
    services: list[DelegatedServiceInput] = strawberry.field(description="What is asked.")
    message: str = strawberry.field(
        default="", description="A message to the administrators (at most 1,000 characters)."
    )


@strawberry.type(description="Result of requesting a delegation.")
class RequestDelegationPayload:
    delegation_request: DelegationRequest | None = strawberry.field(description="The request.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was requested.")


@strawberry.input(description="Accept a delegation request: the delegation is granted as asked.")
class AcceptDelegationRequestInput:
    request_id: strawberry.ID = strawberry.field(description="Global ID of the request.")
    starts_at: datetime | None = strawberry.field(
        default=None, description="Start (now when omitted); never in the past."
    )
    ends_at: datetime | None = strawberry.field(default=None, description="End, if any.")


@strawberry.type(description="Result of accepting a delegation request.")
class AcceptDelegationRequestPayload:
    delegation: Delegation | None = strawberry.field(description="The delegation granted.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was granted.")


@strawberry.input(description="Decline a delegation request; the requester is told.")
class DeclineDelegationRequestInput:
    request_id: strawberry.ID = strawberry.field(description="Global ID of the request.")


@strawberry.type(description="Result of declining a delegation request.")
class DeclineDelegationRequestPayload:
    delegation_request: DelegationRequest | None = strawberry.field(description="The request.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.enum(description="What happened to a delegation.")
class DelegationChangeKind(enum.Enum):
    GRANTED = strawberry.enum_value("GRANTED", description="It was granted.")
    UPDATED = strawberry.enum_value("UPDATED", description="Its services, rights or end changed.")
    REVOKED = strawberry.enum_value("REVOKED", description="It was revoked.")
    STARTED = strawberry.enum_value("STARTED", description="Its start date came.")
    EXPIRED = strawberry.enum_value("EXPIRED", description="Its end date came.")


@strawberry.type(description="One entry of the delegation change feed.")
class DelegationChange:
    kind: DelegationChangeKind = strawberry.field(description="What happened.")
    occurred_at: datetime = strawberry.field(description="When it happened.")
    delegation_id: strawberry.Private[int]
    viewer_id: strawberry.Private[int]
    # The delegation, answered for the whole page at once (delegation_changes).
    answers: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @strawberry.field(**answered(description="The delegation as it stands now."))
    def delegation(self, info: strawberry.Info) -> Delegation | None:
        return eagerly(self.answer_delegation(info))  # type: ignore[return-value]

    async def answer_delegation(self, info: strawberry.Info) -> Delegation | None:
        delegation = await info.context.loaders.delegations_by_id.load(self.delegation_id)
        if delegation is None:
            return None
        return Delegation.from_model(delegation, info.context.runtime.clock.now(), self.viewer_id)


@strawberry.type(description="An edge of the change feed; its cursor resumes the feed after it.")
class DelegationChangeEdge:
    cursor: str = strawberry.field(description="Pass it as `after` to read what came next.")
    node: DelegationChange = strawberry.field(description="The change.")


@strawberry.type(description="A page of the delegation change feed, in commit order.")
class DelegationChangeConnection:
    edges: list[DelegationChangeEdge] = strawberry.field(description="The changes of this page.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Number of changes visible to the viewer.")


def delegation_connection(page: Page, now: datetime, viewer: int) -> DelegationConnection:
    edges = [
        DelegationEdge(cursor=encode_cursor(position), node=Delegation.from_model(row, now, viewer))
        for position, row in page.rows
    ]
    return DelegationConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=page.total,
    )


async def delegations_of_viewer(
    info: strawberry.Info,
    account_id: int,
    first: int | None,
    after: str | None,
    read: Callable[..., Awaitable[Page]],
) -> DelegationConnection:
    size = page_size(first)
    async with read_session(info.context.runtime.sessions) as session:
        page = await read(session, account_id, size, decode_cursor(after))
    return delegation_connection(page, info.context.runtime.clock.now(), account_id)


async def delegation_changes(
    info: strawberry.Info, account_id: int, first: int | None, after: str | None
) -> DelegationChangeConnection:
    now = info.context.runtime.clock.now()
    page = await change_feed.changes_for(
        info.context.runtime.sessions, account_id, now, page_size(first), decode_cursor(after)
    )
    edges = [
        DelegationChangeEdge(
            cursor=encode_cursor(position),
            node=DelegationChange(
                kind=DelegationChangeKind[change.kind],
                occurred_at=change.occurred_at,
                delegation_id=change.delegation_id,
                viewer_id=account_id,
            ),
        )
        for position, change in page.rows
    ]
    if "delegation" in selected_below(info, "edges", "node"):
        # One batch for the page, then each change's delegation answered at once.
        changes = [edge.node for edge in edges]
        await preload(
            info.context.loaders.delegations_by_id, [change.delegation_id for change in changes]
        )
        await answer_page(info, changes, [("delegation", DelegationChange.answer_delegation)])
    return DelegationChangeConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else after
        ),
        total_count=page.total,
    )
