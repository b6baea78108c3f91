"""Types of the staff endpoint. Enums and pieces that show the same thing as on `/graphql`
(account status and mode, roles, delegated services) are the public schema's own."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.file_uploads import Upload

from app.domain.offices import office_of
from app.domain.staff_directory import AccountFile, CompanyFile, Holder
from app.models import Account as AccountModel
from app.models import Company as CompanyModel
from app.models import MessageThread as MessageThreadModel
from app.models import StaffMember as StaffMemberModel
from app.reference.services import BY_CODE
from app.schema.accounts import AccountMode, AccountStatus
from app.schema.companies import CompanyRole
from app.schema.delegations import DelegatedService, DelegationParty, DelegationStatus
from app.schema.delegations import delegated_services as delegated
from app.schema.errors import UserError
from app.schema.history import (
    HistoryConnection,
    HistoryFilterArgument,
    before_of,
    domain_filter,
    history_connection,
)
from app.schema.maintenance import MaintenanceNotice
from app.schema.messaging import MessageConnection, ThreadSummary, message_connection
from app.schema.nodes import After, First, PageInfo, page_size, to_global_id
from app.schema.services import OnlineService
from app.schema.special_services import SpecialServiceRequest


@strawberry.type(description="A member of the tax department's staff.")
class StaffMember:
    email: str = strawberry.field(description="Log-in email.")
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    office: str = strawberry.field(
        description="Département of the member's tax office (e.g. `75`, `2A`, `971`)."
    )
    national: bool = strawberry.field(description="Whether the member acts on every office.")

    @classmethod
    def from_model(cls, member: StaffMemberModel) -> StaffMember:
        return cls(
            email=member.email,
            first_name=member.first_name,
            last_name=member.last_name,
            office=member.office,
            national=member.national,
        )


@strawberry.type(description="A company as its tax office sees it.")
class StaffCompanySummary:
    siren: str | None = strawberry.field(description="SIREN, if it has one.")
    idsp: str | None = strawberry.field(description="IDSP, while it awaits a SIREN (or both).")
    name: str = strawberry.field(description="Name from the directory.")
    office: str | None = strawberry.field(
        description="Département of the registered office, which decides the tax office."
    )

    @classmethod
    def from_model(cls, company: CompanyModel) -> StaffCompanySummary:
        return cls(
            siren=company.siren,
            idsp=company.idsp,
            name=company.name,
            office=office_of(company.postal_code),
        )


@strawberry.type(description="An account holding a role on a company.")
class StaffRoleHolder:
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    email: str = strawberry.field(description="Login email.")
    role: CompanyRole = strawberry.field(description="The role held.")
    since: datetime = strawberry.field(description="Since when the role is held.")
    suspended: bool = strawberry.field(description="A suspended alternate administrator.")

    @classmethod
    def from_holder(cls, holder: Holder) -> StaffRoleHolder:
        return cls(
            first_name=holder.account.first_name,
            last_name=holder.account.last_name,
            email=holder.account.email,
            role=CompanyRole[holder.role.role],
            since=holder.role.since,
            suspended=holder.role.suspended_at is not None,
        )


@strawberry.type(description="A service the company is signed up for.")
class StaffCompanyService:
    service: OnlineService = strawberry.field(description="The online service.")
    since: datetime = strawberry.field(description="Since when the company holds it.")


@strawberry.type(description="A delegation on the company (read-only for staff).")
class StaffDelegation:
    delegate: DelegationParty = strawberry.field(description="Who holds the rights.")
    grantor: DelegationParty = strawberry.field(description="The administrator who granted it.")
    services: list[DelegatedService] = strawberry.field(description="Services and rights.")
    status: DelegationStatus = strawberry.field(description="Where it stands now.")
    starts_at: datetime = strawberry.field(description="Start.")
    ends_at: datetime | None = strawberry.field(description="End, if any.")


@strawberry.type(description="A request awaiting its posted activation code.")
class StaffPendingServiceRequest:
    requester_email: str = strawberry.field(description="The requesting account's email.")
    services: list[OnlineService] = strawberry.field(description="Services asked for.")
    expires_at: datetime = strawberry.field(description="When the posted code stops working.")


@strawberry.type(description="A company's file: its administrators, services and delegations.")
class StaffCompany:
    company: StaffCompanySummary = strawberry.field(description="Identity and office.")
    principal_administrator: StaffRoleHolder | None = strawberry.field(
        description="The principal administrator, if any."
    )
    alternate_administrator: StaffRoleHolder | None = strawberry.field(
        description="The alternate administrator, if any."
    )
    services: list[StaffCompanyService] = strawberry.field(description="Services held.")
    delegations: list[StaffDelegation] = strawberry.field(
        description="Every delegation, whatever its status (staff never change them)."
    )
    pending_service_requests: list[StaffPendingServiceRequest] = strawberry.field(
        description="Service requests awaiting their posted code."
    )
    pending_delegation_requests: int = strawberry.field(
        description="How many delegation requests await the administrators' answer."
    )
    review_required: bool = strawberry.field(
        description="The principal administrator was replaced and has not yet acknowledged "
        "checking the delegations and bank accounts."
    )
    company_id: strawberry.Private[int]

    @strawberry.field(
        description="The company's history, newest first (client addresses are not shown)."
    )
    async def history(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        filter: HistoryFilterArgument = None,
    ) -> HistoryConnection:
        key = (self.company_id, domain_filter(filter, None), page_size(first), before_of(after))
        page = await info.context.loaders.company_histories.load(key)
        return history_connection(page, None)

    @classmethod
    def from_file(cls, file: CompanyFile, now: datetime) -> StaffCompany:
        by_role = {holder.role.role: holder for holder in file.holders}
        principal = by_role.get("PRINCIPAL_ADMINISTRATOR")
        alternate = by_role.get("ALTERNATE_ADMINISTRATOR")
        return cls(
            company=StaffCompanySummary.from_model(file.company),
            principal_administrator=StaffRoleHolder.from_holder(principal) if principal else None,
            alternate_administrator=StaffRoleHolder.from_holder(alternate) if alternate else None,
            services=[
                StaffCompanyService(
                    service=OnlineService.from_entry(BY_CODE[held.service_code]), since=held.since
                )
                for held in file.services
            ],
            delegations=[
                StaffDelegation(
                    delegate=DelegationParty.from_model(delegation.delegate),
                    grantor=DelegationParty.from_model(delegation.grantor),
                    services=delegated(delegation.services),
                    status=DelegationStatus[delegation.status(now)],
                    starts_at=delegation.starts_at,
                    ends_at=delegation.ends_at,
                )
                for delegation in file.delegations
            ],
            pending_service_requests=[
                StaffPendingServiceRequest(
                    requester_email=requester.email,
                    services=[OnlineService.from_entry(BY_CODE[c]) for c in request.service_codes],
                    expires_at=request.expires_at,
                )
                for request, requester in file.pending_service_requests
            ],
            pending_delegation_requests=len(file.pending_delegation_requests),
            review_required=file.company.review_required_since is not None,
            company_id=file.company.id,
        )


@strawberry.type(description="A company on which the account holds a role.")
class StaffAccountRole:
    company: StaffCompanySummary = strawberry.field(description="The company.")
    role: CompanyRole = strawberry.field(description="The role held.")
    since: datetime = strawberry.field(description="Since when.")


@strawberry.type(description="A professional account as its tax office sees it.")
class StaffAccount:
    email: str = strawberry.field(description="Login email.")
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    registration_number: str = strawberry.field(description="Registration number.")
    mode: AccountMode = strawberry.field(description="Basic or expert mode.")
    status: AccountStatus = strawberry.field(description="Lifecycle status.")
    created_at: datetime = strawberry.field(description="When sign-up began.")
    roles: list[StaffAccountRole] = strawberry.field(
        description="Companies of the member's office (every office, for national staff) on "
        "which the account holds a role or that it added."
    )

    @classmethod
    def from_file(cls, file: AccountFile, now: datetime) -> StaffAccount:
        account: AccountModel = file.account
        return cls(
            email=account.email,
            first_name=account.first_name,
            last_name=account.last_name,
            registration_number=account.registration_number,
            mode=AccountMode[account.mode],
            status=AccountStatus[account.effective_status(now)],
            created_at=account.created_at,
            roles=[
                StaffAccountRole(
                    company=StaffCompanySummary.from_model(company),
                    role=CompanyRole[role.role],
                    since=role.since,
                )
                for company, role in file.roles
            ],
        )


@strawberry.input(description="Staff log-in: password and the current code of the TOTP app.")
class StaffLogInInput:
    email: str = strawberry.field(description="Staff log-in email.")
    password: str = strawberry.field(description="Password.")
    otp: str = strawberry.field(description="The 6-digit code the authenticator app shows now.")


@strawberry.type(description="Result of a staff log-in.")
class StaffLogInPayload:
    token: str | None = strawberry.field(
        description="Staff session token for `Authorization: Bearer <token>` on /staff/graphql "
        "only; ends after 15 minutes idle or 8 hours."
    )
    expires_at: datetime | None = strawberry.field(description="Absolute end of the session.")
    member: StaffMember | None = strawberry.field(description="The staff member logged in.")
    user_errors: list[UserError] = strawberry.field(description="Why the log-in failed.")


@strawberry.input(description="End the current staff session.")
class StaffLogOutInput:
    confirm: bool = strawberry.field(
        default=True, description="Unused; present because every input has a field."
    )


@strawberry.type(description="Result of a staff log-out.")
class StaffLogOutPayload:
    user_errors: list[UserError] = strawberry.field(description="Always empty.")


@strawberry.input(description="Appoint another principal administrator of a company.")
class ReplacePrincipalAdministratorInput:
    company_identifier: str = strawberry.field(description="SIREN or IDSP of the company.")
    new_principal_email: str = strawberry.field(description="Login email of an active account.")
    reason: str = strawberry.field(description="Why (10 to 1,000 characters); kept in the history.")


@strawberry.type(description="Result of a replacement of the principal administrator.")
class ReplacePrincipalAdministratorPayload:
    company: StaffCompany | None = strawberry.field(description="The company's file afterwards.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.input(description="Withdraw an account's administrator role on a company.")
class WithdrawAccessInput:
    company_identifier: str = strawberry.field(description="SIREN or IDSP of the company.")
    account_email: str = strawberry.field(description="Login email of the administrator.")
    reason: str = strawberry.field(description="Why (10 to 1,000 characters); kept in the history.")


@strawberry.type(description="Result of a withdrawal.")
class WithdrawAccessPayload:
    company: StaffCompany | None = strawberry.field(description="The company's file afterwards.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.input(description="Announce a maintenance window (national staff).")
class ScheduleMaintenanceInput:
    starts_at: datetime = strawberry.field(description="Start of the window.")
    ends_at: datetime = strawberry.field(description="End of the window, after its start.")
    message: str = strawberry.field(description="What professionals read (1 to 1,000 characters).")
    service_codes: list[str] = strawberry.field(
        description="Online services concerned; an empty list closes the whole site."
    )
    reason: str = strawberry.field(description="Why (10 to 1,000 characters); kept in the history.")


@strawberry.type(description="Result of scheduling a maintenance window.")
class ScheduleMaintenancePayload:
    notice: MaintenanceNotice | None = strawberry.field(description="The notice announced.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was scheduled.")


@strawberry.input(description="Cancel a maintenance window to come or in force (national staff).")
class CancelMaintenanceInput:
    notice_id: strawberry.ID = strawberry.field(description="The notice's `id`.")
    reason: str = strawberry.field(description="Why (10 to 1,000 characters); kept in the history.")


@strawberry.type(description="Result of cancelling a maintenance window.")
class CancelMaintenancePayload:
    notice: MaintenanceNotice | None = strawberry.field(description="The notice, now cancelled.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="A special service request, as the deciding office sees it.")
class StaffSpecialServiceRequest:
    request: SpecialServiceRequest = strawberry.field(description="The request.")
    company: StaffCompanySummary = strawberry.field(description="The company concerned.")
    requester_email: str = strawberry.field(description="The principal administrator who asked.")


@strawberry.type(description="An edge of a special service request connection.")
class StaffSpecialServiceRequestEdge:
    cursor: str = strawberry.field(description="Opaque position of this edge.")
    node: StaffSpecialServiceRequest = strawberry.field(description="The request.")


@strawberry.type(description="A page of special service requests (Relay connection).")
class StaffSpecialServiceRequestConnection:
    edges: list[StaffSpecialServiceRequestEdge] = strawberry.field(description="This page.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Number of requests in all pages.")


@strawberry.input(description="Approve or refuse a special service request.")
class DecideSpecialServiceRequestInput:
    request_id: strawberry.ID = strawberry.field(description="The request's global ID.")
    approve: bool = strawberry.field(description="True grants the service; false refuses it.")
    reason: str = strawberry.field(description="Why (10 to 1,000 characters); kept in the history.")


@strawberry.type(description="Result of a decision on a special service request.")
class DecideSpecialServiceRequestPayload:
    special_service_request: SpecialServiceRequest | None = strawberry.field(
        description="The request, decided."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.input(description="Register an entity that awaits its SIREN; it gets a fresh IDSP.")
class RegisterProvisionalEntityInput:
    name: str = strawberry.field(description="Name of the entity.")
    legal_form: str = strawberry.field(
        description="Legal form code (INSEE), if known; may be empty."
    )
    address_lines: list[str] = strawberry.field(
        description="Street address of the registered office: one or two lines (complement first)."
    )
    postal_code: str = strawberry.field(description="Postal code; decides the tax office.")
    city: str = strawberry.field(description="City.")
    reason: str = strawberry.field(description="Why (10 to 1,000 characters); kept in the history.")


@strawberry.type(description="Result of registering a provisional entity.")
class RegisterProvisionalEntityPayload:
    company: StaffCompany | None = strawberry.field(description="The entity's file, with its IDSP.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was registered.")


@strawberry.input(description="Give an IDSP entity its SIREN.")
class LinkSirenInput:
    idsp: str = strawberry.field(description="The entity's IDSP.")
    siren: str = strawberry.field(description="The SIREN it received.")
    reason: str = strawberry.field(description="Why (10 to 1,000 characters); kept in the history.")


@strawberry.type(description="Result of linking a SIREN.")
class LinkSirenPayload:
    company: StaffCompany | None = strawberry.field(
        description="The company, under its SIREN; both identifiers now resolve to it."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="A thread of a company with the member's tax office.")
class StaffMessageThread(ThreadSummary):
    id: strawberry.ID = strawberry.field(description="Global ID of the thread.")
    awaiting_reply: bool = strawberry.field(
        description="Whether the latest message is the company's (the office owes an answer)."
    )

    @classmethod
    def from_model(cls, thread: MessageThreadModel, *, awaiting_reply: bool) -> StaffMessageThread:
        return cls(
            id=to_global_id("MessageThread", thread.id),
            awaiting_reply=awaiting_reply,
            **cls.summary(thread),
        )

    @strawberry.field(description="The company that opened it.")
    async def company(self, info: strawberry.Info) -> StaffCompanySummary:
        company = await info.context.loaders.companies_by_id.load(self.row.company_id)
        return StaffCompanySummary.from_model(company)

    @strawberry.field(description="The messages, oldest first.")
    async def messages(
        self, info: strawberry.Info, first: First = None, after: After = None
    ) -> MessageConnection:
        return await message_connection(info, self.row, first, after, "/staff")


@strawberry.type(description="An edge of a staff thread connection.")
class StaffMessageThreadEdge:
    cursor: str = strawberry.field(description="Opaque position of this edge.")
    node: StaffMessageThread = strawberry.field(description="The thread.")


@strawberry.type(description="A page of threads, oldest first (Relay connection).")
class StaffMessageThreadConnection:
    edges: list[StaffMessageThreadEdge] = strawberry.field(description="This page.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Number of threads in all pages.")


@strawberry.input(description="Answer a company's thread, for the member's office.")
class ReplyToThreadInput:
    thread_id: strawberry.ID = strawberry.field(description="Global ID of the thread.")
    body: str = strawberry.field(description="Text (1 to 20,000 characters).")
    attachments: list[Upload] = strawberry.field(
        default_factory=list,
        description="Files by the multipart request spec: PDF, PNG or JPEG, at most 10 MiB "
        "each and 5 per message.",
    )


@strawberry.type(description="Result of a staff reply.")
class ReplyToThreadPayload:
    thread: StaffMessageThread | None = strawberry.field(description="The thread; null on error.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was sent.")


@strawberry.input(description="Close a thread of the member's office.")
class CloseThreadInput:
    thread_id: strawberry.ID = strawberry.field(description="Global ID of the thread.")


@strawberry.type(description="Result of closing a thread.")
class CloseThreadPayload:
    thread: StaffMessageThread | None = strawberry.field(description="The thread, now closed.")
    user_errors: list[UserError] = strawberry.field(description="Why it was not closed.")


@strawberry.input(description="A general-information email to the accounts that opted in.")
class SendInformationEmailInput:
    subject: str = strawberry.field(description="Subject (1 to 150 characters).")
    body: str = strawberry.field(description="Text (1 to 20,000 characters).")
    reason: str = strawberry.field(description="Why (10 to 1,000 characters); kept in the history.")


@strawberry.type(description="Result of sending a general-information email.")
class SendInformationEmailPayload:
    recipients: int | None = strawberry.field(
        description="How many opted-in active accounts it was queued for; null on error."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was sent.")
