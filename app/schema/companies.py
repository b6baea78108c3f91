"""Companies as seen by the viewer, with their services and administrators."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from datetime import datetime
from typing import Annotated, Any

import strawberry

from app.dataloaders import preload
from app.db import read_session
from app.domain import companies
from app.domain.companies import ListedCompany
from app.domain.history import HistoryPage
from app.domain.messaging import Access, access_of
from app.domain.paging import Page
from app.models import Company as CompanyModel
from app.models import Role
from app.reference.services import BY_CODE
from app.schema.bank_accounts import BankAccount
from app.schema.delegations import (
    AlternateAdministrator,
    DelegationConnection,
    DelegationRequest,
    DelegationStatus,
    delegation_connection,
)
from app.schema.eager import answer_page, eagerly
from app.schema.errors import UserError
from app.schema.history import (
    HistoryConnection,
    HistoryFilterArgument,
    before_of,
    domain_filter,
    history_connection,
)
from app.schema.messaging import (
    BusinessEmail,
    MessageThread,
    MessageThreadConnection,
    MessageThreadEdge,
    MessageThreadStatus,
)
from app.schema.nodes import (
    After,
    First,
    Node,
    PageInfo,
    decode_cursor,
    encode_cursor,
    page_size,
    selected_below,
    to_global_id,
)
from app.schema.planning import answered
from app.schema.services import OnlineService, Right, ServiceRequest, rights_of
from app.security.permissions import BankAccountsRead, DelegationsRead, MessagesRead


async def messaging_access(context: Any, company_id: int, role: str | None) -> Access:  # noqa: ANN401
    """What the viewer may do with the company's threads (loaders only, no statement of its own)."""
    loaders, viewer = context.loaders, context.viewer.id
    suspended = False
    if role == Role.ALTERNATE_ADMINISTRATOR:
        alternate = await loaders.alternates_by_company.load(company_id)
        suspended = alternate is None or alternate.suspended_at is not None
    delegation = None
    if role not in {Role.PRINCIPAL_ADMINISTRATOR, None} and (
        role != Role.ALTERNATE_ADMINISTRATOR or suspended
    ):
        delegation = await loaders.live_delegations_by_company_and_delegate.load(
            (company_id, viewer)
        )
    return access_of(role, suspended, delegation, context.runtime.clock.now())


async def bank_account_view(context: Any, company_id: int, role: str | None) -> bool | None:  # noqa: ANN401
    """True: whole IBANs (the principal); False: masked (an active alternate, a delegate holding
    PAY on a payment service the company holds); None: no bank account at all."""
    if role == Role.PRINCIPAL_ADMINISTRATOR:
        return True
    loaders = context.loaders
    if role == Role.ALTERNATE_ADMINISTRATOR:
        alternate = await loaders.alternates_by_company.load(company_id)
        if alternate is not None and alternate.suspended_at is None:
            return False
    if role in {None, Role.NONE}:
        return None
    delegation = await loaders.live_delegations_by_company_and_delegate.load(
        (company_id, context.viewer.id)
    )
    if delegation is None:
        return None
    now = context.runtime.clock.now()
    held = await loaders.services_by_company.load(company_id)
    pays = any(
        "PAY" in BY_CODE[item.service_code].rights
        and "PAY" in delegation.rights_on(item.service_code, now)
        for item in held
    )
    return False if pays else None


@strawberry.enum(description="The role the viewer holds on a company.")
class CompanyRole(enum.Enum):
    PRINCIPAL_ADMINISTRATOR = strawberry.enum_value(
        "PRINCIPAL_ADMINISTRATOR", description="Runs the company's services; at most one."
    )
    ALTERNATE_ADMINISTRATOR = strawberry.enum_value(
        "ALTERNATE_ADMINISTRATOR", description="Designated by the principal; manages delegations."
    )
    DELEGATE = strawberry.enum_value("DELEGATE", description="Holds delegated rights.")
    NONE = strawberry.enum_value("NONE", description="Company added, no rights yet.")


@strawberry.type(description="A service the company is signed up for, with the viewer's rights.")
class CompanyServiceAccess:
    service: OnlineService = strawberry.field(description="The online service.")
    rights: list[Right] = strawberry.field(description="Rights the viewer holds on it.")
    since: datetime = strawberry.field(description="Since when the company holds the service.")


@strawberry.type(description="The principal administrator of a company, as others see them.")
class CompanyAdministrator:
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    since: datetime = strawberry.field(description="Principal administrator since.")


@strawberry.type(description="A company of the directory on which the viewer holds a role.")
class Company(Node):
    siren: str | None = strawberry.field(description="SIREN (9 digits), if it has one.")
    idsp: str | None = strawberry.field(
        description="Temporary identifier (P and 9 digits) of an entity awaiting its SIREN."
    )
    name: str = strawberry.field(description="Name from the directory.")
    registered_office: list[str] = strawberry.field(
        description="Postal address of the registered office, one line per item; letters go here."
    )
    my_role: CompanyRole = strawberry.field(description="The role the viewer holds on it.")
    review_required: bool = strawberry.field(
        description="The tax department replaced the principal administrator: the new one "
        "should check the delegations and bank accounts, then call acknowledgeCompanyReview."
    )
    company_id: strawberry.Private[int]
    viewer_id: strawberry.Private[int]
    # Field answers a page computed for all its companies at once (prefetch), by python name.
    answers: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_model(
        cls, company: CompanyModel | ListedCompany, role: str | None, viewer_id: int
    ) -> Company:
        return cls(
            id=to_global_id("Company", company.id),
            siren=company.siren,
            idsp=company.idsp,
            name=company.name,
            registered_office=company.registered_office_lines(),
            my_role=CompanyRole[role or Role.NONE],
            review_required=company.review_required_since is not None,
            company_id=company.id,
            viewer_id=viewer_id,
        )

    @staticmethod
    async def prefetch(
        info: strawberry.Info, page: list[Company], selected: frozenset[str]
    ) -> None:
        """Loads what the selected fields of a page of companies read, one batch per loader, so
        that each company's fields answer at once (see app/schema/eager.py). Anything not loaded
        here (a suspended alternate's own delegation) is loaded by the field itself, as before:
        this changes what a page costs, never what it answers."""
        loaders = info.context.loaders
        everyone = [company.company_id for company in page]
        held = [company for company in page if company.my_role is not CompanyRole.NONE]
        alternates: set[int] = set()  # an alternate's own companies: is it suspended?
        if selected & {"services", "delegations", "delegationRequests"}:
            alternates = {
                company.company_id
                for company in page
                if company.my_role is CompanyRole.ALTERNATE_ADMINISTRATOR
            }
        if "alternateAdministrator" in selected:
            alternates = {company.company_id for company in held}
        loads = [preload(loaders.alternates_by_company, sorted(alternates))]
        if "services" in selected:
            delegated = [c for c in held if c.my_role is CompanyRole.DELEGATE]
            loads.append(preload(loaders.services_by_company, [c.company_id for c in held]))
            loads.append(
                preload(
                    loaders.live_delegations_by_company_and_delegate,
                    [(c.company_id, c.viewer_id) for c in delegated],
                )
            )
        if "principalAdministrator" in selected:
            loads.append(preload(loaders.principals_by_company, everyone))
        if "pendingServiceRequests" in selected:
            loads.append(
                preload(
                    loaders.pending_requests_by_account_and_company,
                    [(c.viewer_id, c.company_id) for c in page],
                )
            )
        if "delegations" in selected:
            loads.append(preload(loaders.delegations_by_company, everyone))
        if "delegationRequests" in selected:
            managed = {CompanyRole.PRINCIPAL_ADMINISTRATOR, CompanyRole.ALTERNATE_ADMINISTRATOR}
            loads.append(
                preload(
                    loaders.pending_delegation_requests_by_company,
                    [c.company_id for c in page if c.my_role in managed],
                )
            )
        found_alternates = (await asyncio.gather(*loads))[0]  # loads[0]: the alternates
        if "alternateAdministrator" in selected:
            await preload(
                loaders.accounts_by_id,
                [alternate.account_id for alternate in found_alternates if alternate is not None],
            )
        await answer_page(info, page, [ANSWERS[name] for name in selected if name in ANSWERS])

    async def _manages(self, info: strawberry.Info) -> bool:
        """Principal, or alternate administrator not suspended: those who manage delegations."""
        if self.my_role is CompanyRole.PRINCIPAL_ADMINISTRATOR:
            return True
        if self.my_role is not CompanyRole.ALTERNATE_ADMINISTRATOR:
            return False
        alternate = await info.context.loaders.alternates_by_company.load(self.company_id)
        return alternate is not None and alternate.suspended_at is None

    @strawberry.field(
        **answered(description="The company's services on which the viewer holds rights.")
    )
    def services(self, info: strawberry.Info) -> list[CompanyServiceAccess]:
        return eagerly(self.answer_services(info))  # type: ignore[return-value]

    async def answer_services(self, info: strawberry.Info) -> list[CompanyServiceAccess]:
        loaders = info.context.loaders
        if self.my_role is CompanyRole.NONE:
            return []
        held = await loaders.services_by_company.load(self.company_id)
        if await self._manages(info):
            granted = {item.service_code: BY_CODE[item.service_code].rights for item in held}
        else:
            key = (self.company_id, self.viewer_id)
            delegation = await loaders.live_delegations_by_company_and_delegate.load(key)
            now = info.context.runtime.clock.now()
            granted = {
                item.service_code: delegation.rights_on(item.service_code, now)
                for item in held
                if delegation is not None
            }
        return [
            CompanyServiceAccess(
                service=OnlineService.from_entry(BY_CODE[item.service_code]),
                rights=rights_of(tuple(granted[item.service_code])),
                since=item.since,
            )
            for item in held
            if granted.get(item.service_code)
        ]

    @strawberry.field(
        **answered(description="The alternate administrator, or null if there is none.")
    )
    def alternate_administrator(self, info: strawberry.Info) -> AlternateAdministrator | None:
        return eagerly(self.answer_alternate_administrator(info))  # type: ignore[return-value]

    async def answer_alternate_administrator(
        self, info: strawberry.Info
    ) -> AlternateAdministrator | None:
        if self.my_role is CompanyRole.NONE:
            return None
        alternate = await info.context.loaders.alternates_by_company.load(self.company_id)
        if alternate is None:
            return None
        account = await info.context.loaders.accounts_by_id.load(alternate.account_id)
        return AlternateAdministrator(
            first_name=account.first_name,
            last_name=account.last_name,
            since=alternate.since,
            suspended=alternate.suspended_at is not None,
        )

    @strawberry.field(
        description="Delegations on the company: all of them for its administrators, only the "
        "viewer's own for anyone else.",
        permission_classes=[DelegationsRead],
    )
    def delegations(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        status: Annotated[
            DelegationStatus | None, strawberry.argument(description="Only this status.")
        ] = None,
    ) -> DelegationConnection:
        return eagerly(self._delegations(info, first, after, status))  # type: ignore[return-value]

    async def _delegations(
        self,
        info: strawberry.Info,
        first: int | None,
        after: str | None,
        status: DelegationStatus | None,
    ) -> DelegationConnection:
        now = info.context.runtime.clock.now()
        visible = await info.context.loaders.delegations_by_company.load(self.company_id)
        if not await self._manages(info):
            visible = [row for row in visible if row.delegate_account_id == self.viewer_id]
        if status is not None:
            visible = [row for row in visible if row.status(now) == status.value]
        position = decode_cursor(after) or 0
        following = [row for row in visible if row.id > position]
        size = page_size(first)
        page = Page(
            [(row.id, row) for row in following[:size]], len(visible), len(following) > size
        )
        return delegation_connection(page, now, self.viewer_id)

    @strawberry.field(
        description="Pending delegation requests, for its administrators (empty for others).",
        permission_classes=[DelegationsRead],
    )
    def delegation_requests(self, info: strawberry.Info) -> list[DelegationRequest]:
        return eagerly(self._delegation_requests(info))  # type: ignore[return-value]

    async def _delegation_requests(self, info: strawberry.Info) -> list[DelegationRequest]:
        if not await self._manages(info):
            return []
        now = info.context.runtime.clock.now()
        pending = await info.context.loaders.pending_delegation_requests_by_company.load(
            self.company_id
        )
        return [
            DelegationRequest.from_model(request, now, self.viewer_id)
            for request in pending
            if now < request.expires_at
        ]

    def _role(self) -> str | None:
        return None if self.my_role is CompanyRole.NONE else self.my_role.value

    @strawberry.field(
        description="The company's bank accounts for paying taxes: whole IBANs for the "
        "principal administrator, masked for the active alternate and for delegates holding PAY "
        "on a payment service; empty for anyone else.",
        permission_classes=[BankAccountsRead],
    )
    async def bank_accounts(self, info: strawberry.Info) -> list[BankAccount]:
        whole = await bank_account_view(info.context, self.company_id, self._role())
        if whole is None:
            return []
        found = await info.context.loaders.bank_accounts_by_company.load(self.company_id)
        return [BankAccount.from_model(account, whole=whole) for account in found]

    @strawberry.field(
        description="The business email (where the company's notices go), for its "
        "administrators and those who may read its messages; null for others."
    )
    async def business_email(self, info: strawberry.Info) -> BusinessEmail | None:
        if not await self._manages(info) and (
            await messaging_access(info.context, self.company_id, self._role()) < Access.READ
        ):
            return None
        state = await info.context.loaders.business_emails_by_company.load(self.company_id)
        return BusinessEmail(
            address=state.address,
            confirmed_at=state.confirmed_at,
            pending_address=state.pending_address,
            pending_expires_at=state.pending_expires_at,
        )

    @strawberry.field(
        description="Threads with the tax office, newest first: for the principal, an active "
        "alternate and delegates holding CONSULT or DECLARE on MESSAGERIE; empty for others.",
        permission_classes=[MessagesRead],
    )
    async def message_threads(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        status: Annotated[
            MessageThreadStatus | None, strawberry.argument(description="Only this status.")
        ] = None,
    ) -> MessageThreadConnection:
        size = page_size(first)
        access = await messaging_access(info.context, self.company_id, self._role())
        threads = (
            await info.context.loaders.threads_by_company.load(self.company_id)
            if access >= Access.READ
            else []
        )
        if status is not None:
            threads = [row for row in threads if row.status == status.value]
        position = decode_cursor(after)
        following = [row for row in threads if position is None or row.id < position]
        page = following[:size]
        unread = await info.context.loaders.unread_by_thread_and_account.load_many(
            [(row.id, self.viewer_id) for row in page]
        )
        edges = [
            MessageThreadEdge(
                cursor=encode_cursor(row.id),
                node=MessageThread.from_model(row, self.viewer_id, access),
            )
            for row in page
        ]
        return MessageThreadConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(following) > size,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=len(threads),
            unread_count=sum(unread),
        )

    @strawberry.field(
        description="The company's history, newest first, for its principal and active "
        "alternate administrators (sessions only; empty for others)."
    )
    async def history(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        filter: HistoryFilterArgument = None,
    ) -> HistoryConnection:
        size = page_size(first)
        if info.context.caller.api_token_id is not None or not await self._manages(info):
            return history_connection(HistoryPage([], 0, has_next=False), None)
        key = (self.company_id, domain_filter(filter, None), size, before_of(after))
        page = await info.context.loaders.company_histories.load(key)
        return history_connection(page, self.viewer_id)

    @strawberry.field(
        **answered(description="The principal administrator, or null if there is none yet.")
    )
    def principal_administrator(self, info: strawberry.Info) -> CompanyAdministrator | None:
        return eagerly(self.answer_principal_administrator(info))  # type: ignore[return-value]

    async def answer_principal_administrator(
        self, info: strawberry.Info
    ) -> CompanyAdministrator | None:
        found = await info.context.loaders.principals_by_company.load(self.company_id)
        if found is None:
            return None
        account, since = found
        return CompanyAdministrator(
            first_name=account.first_name, last_name=account.last_name, since=since
        )

    @strawberry.field(
        **answered(description="The viewer's service requests on it awaiting their code.")
    )
    def pending_service_requests(self, info: strawberry.Info) -> list[ServiceRequest]:
        return eagerly(self.answer_pending_service_requests(info))  # type: ignore[return-value]

    async def answer_pending_service_requests(self, info: strawberry.Info) -> list[ServiceRequest]:
        now = info.context.runtime.clock.now()
        loader = info.context.loaders.pending_requests_by_account_and_company
        requests = await loader.load((self.viewer_id, self.company_id))
        return [
            ServiceRequest.from_model(request, now)
            for request in requests
            if now < request.expires_at
        ]


# The fields a page answers for all its companies (their resolvers' own code, run by prefetch),
# by GraphQL name: (python name, the coroutine the resolver runs).
ANSWERS = {
    "services": ("services", Company.answer_services),
    "alternateAdministrator": ("alternate_administrator", Company.answer_alternate_administrator),
    "principalAdministrator": ("principal_administrator", Company.answer_principal_administrator),
    "pendingServiceRequests": ("pending_service_requests", Company.answer_pending_service_requests),
}


@strawberry.input(description="The principal administrator confirms the post-replacement review.")
class AcknowledgeCompanyReviewInput:
    company_id: strawberry.ID = strawberry.field(description="Global ID of the company.")


@strawberry.type(description="Result of acknowledging a company review.")
class AcknowledgeCompanyReviewPayload:
    company: Company | None = strawberry.field(
        description="The company, no longer flagged for review."
    )
    user_errors: list[UserError] = strawberry.field(description="Always empty.")


@strawberry.type(description="An edge of a company connection.")
class CompanyEdge:
    cursor: str = strawberry.field(description="Opaque position of this edge.")
    node: Company = strawberry.field(description="The company.")


@strawberry.type(description="A page of companies (Relay connection).")
class CompanyConnection:
    edges: list[CompanyEdge] = strawberry.field(description="The companies of this page.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Number of companies in all pages.")


async def account_companies(
    info: strawberry.Info, account_id: int, first: int | None, after: str | None
) -> CompanyConnection:
    size = page_size(first)
    async with read_session(info.context.loaders.reader) as session:
        page = await companies.account_companies(session, account_id, size, decode_cursor(after))
    edges = [
        CompanyEdge(
            cursor=encode_cursor(position), node=Company.from_model(company, role, account_id)
        )
        for position, company, role in page.rows
    ]
    await Company.prefetch(
        info, [edge.node for edge in edges], selected_below(info, "edges", "node")
    )
    return CompanyConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=page.total,
    )
