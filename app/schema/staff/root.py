"""Builds the staff endpoint's schema: its own Query and Mutation, the shared limits and checks."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from app.resolvers.staff import (
    actions,
    directory,
    identifiers,
    maintenance,
    messaging,
    sessions,
    special_services,
)
from app.schema.execution import GatewaySchema, ScopedExecutionContext, gateway_extensions
from app.schema.scalars import SCALAR_MAP
from app.schema.staff import types


@strawberry.type(description="What the tax department's staff read.")
class StaffQuery:
    me: types.StaffMember | None = strawberry.field(
        resolver=sessions.me,
        description="The staff member behind the session, or null without a staff session.",
    )
    company: types.StaffCompany | None = strawberry.field(
        resolver=directory.company,
        description="A company's file, for staff of its office (or national staff); null when "
        "the directory has no such company, FORBIDDEN for another office's company.",
    )
    special_service_requests: types.StaffSpecialServiceRequestConnection = strawberry.field(
        resolver=special_services.special_service_requests,
        description="Requests for the separate-sign-up services on companies of the member's "
        "office (every office, for national staff), oldest first.",
    )
    account: types.StaffAccount | None = strawberry.field(
        resolver=directory.account,
        description="A professional account by login email, with its roles on companies of the "
        "member's office; null when no account uses the email.",
    )
    message_threads: types.StaffMessageThreadConnection = strawberry.field(
        resolver=messaging.message_threads,
        description="Threads companies opened with the member's office (every office for "
        "national staff), oldest first; open ones unless a status is given.",
    )


@strawberry.type(description="What the tax department's staff do.")
class StaffMutation:
    staff_log_in: types.StaffLogInPayload = strawberry.mutation(
        resolver=sessions.staff_log_in,
        description="Open a staff session with password and TOTP code. A wrong password and a "
        "wrong code answer alike; a code is accepted once.",
    )
    staff_log_out: types.StaffLogOutPayload = strawberry.mutation(
        resolver=sessions.staff_log_out, description="End the current staff session."
    )
    replace_principal_administrator: types.ReplacePrincipalAdministratorPayload = (
        strawberry.mutation(
            resolver=actions.replace_principal_administrator,
            description="Appoint an active account principal administrator of a company of the "
            "member's office, for every service it holds. The previous principal loses the "
            "role; delegations stay as they are; the company is flagged for review until the "
            "new principal acknowledges it. Both are emailed.",
        )
    )
    schedule_maintenance: types.ScheduleMaintenancePayload = strawberry.mutation(
        resolver=maintenance.schedule_maintenance,
        description="Announce a maintenance window (national staff only). During a whole-site "
        "window, public mutations other than logIn and logOut are refused; a window on some "
        "services makes authorize refuse them. This endpoint is never closed.",
    )
    cancel_maintenance: types.CancelMaintenancePayload = strawberry.mutation(
        resolver=maintenance.cancel_maintenance,
        description="Cancel a maintenance window to come or in force (national staff only).",
    )
    decide_special_service_request: types.DecideSpecialServiceRequestPayload = strawberry.mutation(
        resolver=special_services.decide_special_service_request,
        description="Approve (the company gets the service, its principal the rights) or "
        "refuse a special service request of the member's office; the requester is emailed.",
    )
    register_provisional_entity: types.RegisterProvisionalEntityPayload = strawberry.mutation(
        resolver=identifiers.register_provisional_entity,
        description="Register an entity not yet on the SIRENE register, in the member's office: "
        "it gets a fresh IDSP (P, eight digits, a Luhn digit) that professionals add it by.",
    )
    link_siren: types.LinkSirenPayload = strawberry.mutation(
        resolver=identifiers.link_siren,
        description="Give an IDSP entity its SIREN. If the directory already holds that SIREN, "
        "the two become one company under it: roles, services, delegations, requests and the "
        "change feed follow, and both identifiers resolve to it. Refused when both have a "
        "principal administrator.",
    )
    reply_to_thread: types.ReplyToThreadPayload = strawberry.mutation(
        resolver=messaging.reply_to_thread,
        description="Answer an open thread of the member's office. The account that opened it "
        "and the company's business email are told (the text stays in the messaging).",
    )
    send_information_email: types.SendInformationEmailPayload = strawberry.mutation(
        resolver=messaging.send_information_email,
        description="Queue a general-information email to every active account that opted in "
        "(national staff only); each carries an unsubscribe link that needs no log-in and the "
        "RFC 8058 one-click headers.",
    )
    close_thread: types.CloseThreadPayload = strawberry.mutation(
        resolver=messaging.close_thread,
        description="Close a thread of the member's office: nobody may write in it any more.",
    )
    withdraw_access: types.WithdrawAccessPayload = strawberry.mutation(
        resolver=actions.withdraw_access,
        description="Remove an account's principal or alternate administrator role on a company "
        "of the member's office; its delegations stay. The account is emailed.",
    )


def build_staff_schema(*, introspection: bool = True) -> strawberry.Schema:
    return GatewaySchema(
        query=StaffQuery,
        mutation=StaffMutation,
        extensions=gateway_extensions(introspection=introspection),
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=ScopedExecutionContext,
    )
