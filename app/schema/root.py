"""Builds the schema: Query, Mutation, and the execution limits and caches."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from app.resolvers import accounts as account_resolvers
from app.resolvers import api_tokens as token_resolvers
from app.resolvers import bank_accounts as bank_resolvers
from app.resolvers import companies as company_resolvers
from app.resolvers import delegations as delegation_resolvers
from app.resolvers import maintenance as maintenance_resolvers
from app.resolvers import messaging as messaging_resolvers
from app.resolvers import personal_data as personal_resolvers
from app.resolvers import services as service_resolvers
from app.resolvers import special_services as special_resolvers
from app.resolvers.nodes import resolve_node
from app.schema import accounts as account_types
from app.schema import api_tokens as token_types
from app.schema import bank_accounts as bank_types
from app.schema import delegations as delegation_types
from app.schema import messaging as messaging_types
from app.schema import personal_data as personal_types
from app.schema import services as service_types
from app.schema import special_services as special_types
from app.schema.companies import AcknowledgeCompanyReviewPayload, Company
from app.schema.execution import GatewaySchema, ScopedExecutionContext, gateway_extensions
from app.schema.maintenance import MaintenanceGate, ServiceStatus
from app.schema.nodes import Node
from app.schema.scalars import SCALAR_MAP
from app.security.permissions import (
    BankAccountsRead,
    CompaniesRead,
    DelegationsWrite,
    MessagesWrite,
    SessionOnly,
)


@strawberry.type(description="Entry points for reading the professional space.")
class Query:
    viewer: account_types.Account | None = strawberry.field(
        resolver=account_resolvers.viewer,
        description="The authenticated account, or null when the request carries no valid session.",
    )
    node: Node | None = strawberry.field(
        resolver=resolve_node,
        description="Any object by its global ID; null when it does not exist or is not yours.",
    )
    online_services: list[service_types.OnlineService] = strawberry.field(
        resolver=service_resolvers.online_services,
        description="The catalogue of online services and the rights each supports.",
    )
    company: Company | None = strawberry.field(
        resolver=company_resolvers.company,
        permission_classes=[CompaniesRead],
        description="A company the viewer added or holds a role on; null for any other.",
    )
    service_status: ServiceStatus = strawberry.field(
        resolver=maintenance_resolvers.service_status,
        description="Whether the professional space is open, and the maintenance windows in "
        "force or to come. Needs no log-in.",
    )
    authorize: service_types.AuthorizePayload = strawberry.field(
        resolver=service_resolvers.authorize,
        permission_classes=[CompaniesRead],
        description="The decision point for online services: may the viewer exercise this "
        "right on this service for this company?",
    )
    authorize_payment: bank_types.PaymentAuthorization = strawberry.field(
        resolver=bank_resolvers.authorize_payment,
        permission_classes=[CompaniesRead, BankAccountsRead],
        description="The decision point for payment services: may the viewer pay with this "
        "service for this company from this bank account? When allowed, the whole IBAN and "
        "the mandate reference to debit under.",
    )


@strawberry.type(description="Every change to the professional space.")
class Mutation:
    sign_up_expert: account_types.SignUpExpertPayload = strawberry.mutation(
        resolver=account_resolvers.sign_up_expert,
        description="Open an account in expert mode; an activation code is emailed (48 h).",
    )
    sign_up_basic: account_types.SignUpBasicPayload = strawberry.mutation(
        resolver=account_resolvers.sign_up_basic,
        description="Open an account in basic mode for a company with no user yet; a "
        "confirmation link goes to the business email (72 h).",
    )
    confirm_email: account_types.ConfirmEmailPayload = strawberry.mutation(
        resolver=account_resolvers.confirm_email,
        description="Confirm the business email of a basic sign-up; an activation code is then "
        "posted to the company's registered office (valid to the end of the 60th day).",
    )
    activate_account: account_types.ActivateAccountPayload = strawberry.mutation(
        resolver=account_resolvers.activate_account,
        description="Activate an account with its emailed (expert) or posted (basic) code.",
    )
    resend_activation_code: account_types.ResendActivationCodePayload = strawberry.mutation(
        resolver=account_resolvers.resend_activation_code,
        description="Send a pending sign-up a fresh code (or link, or letter); the previous one "
        "stops working. Rate-limited; answers alike for any email.",
    )
    log_in: account_types.LogInPayload = strawberry.mutation(
        resolver=account_resolvers.log_in,
        description="Open a session; returns a bearer token and sets an HttpOnly cookie.",
    )
    log_out: account_types.LogOutPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=account_resolvers.log_out,
        description="Close the current session (or all of them); clears the session cookie.",
    )
    change_password: account_types.ChangePasswordPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=account_resolvers.change_password,
        description="Change the password (needs the current one); other sessions are closed.",
    )
    update_identity: account_types.UpdateIdentityPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=personal_resolvers.update_identity,
        description="Correct the account holder's first and last names.",
    )
    change_login_email: personal_types.ChangeLoginEmailPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=personal_resolvers.change_login_email,
        description="Ask to log in with another address (needs the current password): a link "
        "valid 72 h goes to it and the old address is told. The change happens only when the "
        "link is used; the old address then logs in no more.",
    )
    confirm_login_email_change: personal_types.ConfirmLoginEmailChangePayload = strawberry.mutation(
        resolver=personal_resolvers.confirm_login_email_change,
        description="Use the link sent to the new login email (its page does the same); "
        "needs no log-in.",
    )
    revoke_session: personal_types.RevokeSessionPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=personal_resolvers.revoke_session,
        description="Close one of the account's sessions (viewer.sessions), e.g. a forgotten "
        "browser; closing the current one logs out.",
    )
    update_email_preferences: personal_types.UpdateEmailPreferencesPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=personal_resolvers.update_email_preferences,
        description="Choose the optional emails (general information) the account receives.",
    )
    request_password_reset: account_types.RequestPasswordResetPayload = strawberry.mutation(
        resolver=account_resolvers.request_password_reset,
        description="Email a password-reset link (1 h) if the address is an active account's.",
    )
    reset_password: account_types.ResetPasswordPayload = strawberry.mutation(
        resolver=account_resolvers.reset_password,
        description="Set a new password with a reset link; every session is closed.",
    )
    designate_alternate_administrator: delegation_types.DesignateAlternateAdministratorPayload = (
        strawberry.mutation(
            permission_classes=[DelegationsWrite],
            resolver=delegation_resolvers.designate_alternate_administrator,
            description="Designate the company's alternate administrator (principal only): an "
            "active account that then manages delegations.",
        )
    )
    suspend_alternate_administrator: delegation_types.SuspendAlternateAdministratorPayload = (
        strawberry.mutation(
            permission_classes=[DelegationsWrite],
            resolver=delegation_resolvers.suspend_alternate_administrator,
            description="Suspend the alternate administrator: the role stays, its powers go.",
        )
    )
    reactivate_alternate_administrator: delegation_types.ReactivateAlternateAdministratorPayload = (
        strawberry.mutation(
            permission_classes=[DelegationsWrite],
            resolver=delegation_resolvers.reactivate_alternate_administrator,
            description="Give a suspended alternate administrator its powers back.",
        )
    )
    remove_alternate_administrator: delegation_types.RemoveAlternateAdministratorPayload = (
        strawberry.mutation(
            permission_classes=[DelegationsWrite],
            resolver=delegation_resolvers.remove_alternate_administrator,
            description="Remove the alternate administrator; a delegation they hold remains.",
        )
    )
    grant_delegation: delegation_types.GrantDelegationPayload = strawberry.mutation(
        permission_classes=[DelegationsWrite],
        resolver=delegation_resolvers.grant_delegation,
        description="Grant an active account rights on the company's services (principal or "
        "active alternate). One delegation per company and delegate; the delegate and the "
        "administrators are emailed.",
    )
    update_delegation: delegation_types.UpdateDelegationPayload = strawberry.mutation(
        permission_classes=[DelegationsWrite],
        resolver=delegation_resolvers.update_delegation,
        description="Change a delegation's services and rights or its end date.",
    )
    revoke_delegation: delegation_types.RevokeDelegationPayload = strawberry.mutation(
        permission_classes=[DelegationsWrite],
        resolver=delegation_resolvers.revoke_delegation,
        description="Revoke a delegation: it grants nothing from now on.",
    )
    request_delegation: delegation_types.RequestDelegationPayload = strawberry.mutation(
        permission_classes=[DelegationsWrite],
        resolver=delegation_resolvers.request_delegation,
        description="Ask a company's administrators for a delegation (any active account, e.g. "
        "an accounting firm whose client already has a principal administrator). Requests "
        "lapse after 30 days.",
    )
    accept_delegation_request: delegation_types.AcceptDelegationRequestPayload = (
        strawberry.mutation(
            permission_classes=[DelegationsWrite],
            resolver=delegation_resolvers.accept_delegation_request,
            description="Accept a delegation request: the delegation is granted as asked.",
        )
    )
    decline_delegation_request: delegation_types.DeclineDelegationRequestPayload = (
        strawberry.mutation(
            permission_classes=[DelegationsWrite],
            resolver=delegation_resolvers.decline_delegation_request,
            description="Decline a delegation request; the requester is emailed.",
        )
    )
    create_api_token: token_types.CreateApiTokenPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=token_resolvers.create_api_token,
        description="Create a scoped API token for accounting software; the secret is returned "
        "once. Needs a log-in within the last 15 minutes; the owner is emailed.",
    )
    revoke_api_token: token_types.RevokeApiTokenPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=token_resolvers.revoke_api_token,
        description="Revoke one of the account's API tokens; it stops working at once.",
    )
    request_special_service: special_types.RequestSpecialServicePayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=special_resolvers.request_special_service,
        description="Ask the tax department for a separate-sign-up service (REMBOURSEMENT_TVA_UE, "
        "DECLARER_DAC6, GUICHET_TVA_UE, ECONOMIE_COLLABORATIVE) for a company of which the "
        "viewer is principal administrator; staff decide, and the viewer is emailed.",
    )
    add_company: service_types.AddCompanyPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=company_resolvers.add_company,
        description="Attach a company by SIREN or IDSP (expert mode); no rights yet. Adding it "
        "again changes nothing; past 100 identifiers the payload carries a warning.",
    )
    acknowledge_company_review: AcknowledgeCompanyReviewPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=company_resolvers.acknowledge_company_review,
        description="The principal administrator confirms having checked the delegations and "
        "bank accounts after the tax department appointed them: reviewRequired goes false.",
    )
    add_bank_account: bank_types.AddBankAccountPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=bank_resolvers.add_bank_account,
        description="Add a bank account for paying the company's taxes (principal only, with "
        "a log-in in the last 15 minutes). IBAN in the SEPA area, BIC of the same country; it "
        "gets a mandate reference (RUM). The principal and the business email are emailed.",
    )
    remove_bank_account: bank_types.RemoveBankAccountPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=bank_resolvers.remove_bank_account,
        description="Remove a bank account of the company (principal only, with a log-in in "
        "the last 15 minutes). The principal and the business email are emailed.",
    )
    designate_business_email: messaging_types.DesignateBusinessEmailPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=messaging_resolvers.designate_business_email,
        description="Designate the company's business email (principal only): a link valid "
        "72 h goes to it; the previous address stays in force until it is used.",
    )
    confirm_business_email: messaging_types.ConfirmBusinessEmailPayload = strawberry.mutation(
        resolver=messaging_resolvers.confirm_business_email,
        description="Confirm a designated business email with its link's token (the link's "
        "page does the same); needs no log-in.",
    )
    send_message: messaging_types.SendMessagePayload = strawberry.mutation(
        permission_classes=[MessagesWrite],
        resolver=messaging_resolvers.send_message,
        description="Open a thread with the company's tax office (needs MESSAGERIE and a "
        "confirmed business email). The acknowledgement of receipt, quoting the thread's "
        "reference, goes to the business email. Attachments by the multipart request spec.",
    )
    reply_to_thread: messaging_types.ReplyToThreadPayload = strawberry.mutation(
        permission_classes=[MessagesWrite],
        resolver=messaging_resolvers.reply_to_thread,
        description="Continue an open thread of the company.",
    )
    mark_thread_read: messaging_types.MarkThreadReadPayload = strawberry.mutation(
        permission_classes=[MessagesWrite],
        resolver=messaging_resolvers.mark_thread_read,
        description="Mark every message of a thread read for the viewer.",
    )
    remove_company: service_types.RemoveCompanyPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=company_resolvers.remove_company,
        description="Detach a company the account holds no role on.",
    )
    request_service_access: service_types.RequestServiceAccessPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=service_resolvers.request_service_access,
        description="Ask for standard services on added companies: one request per company, "
        "each with an activation code posted to its registered office (valid 60 days).",
    )
    activate_service_access: service_types.ActivateServiceAccessPayload = strawberry.mutation(
        permission_classes=[SessionOnly],
        resolver=service_resolvers.activate_service_access,
        description="Activate a service request with its posted code: the account becomes the "
        "company's principal administrator for the requested services.",
    )


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        types=[
            Company,
            service_types.ServiceRequest,
            delegation_types.Delegation,
            delegation_types.DelegationRequest,
            token_types.ApiToken,
            bank_types.BankAccount,
            messaging_types.MessageThread,
        ],
        extensions=[*gateway_extensions(introspection=introspection), MaintenanceGate],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=ScopedExecutionContext,
    )
