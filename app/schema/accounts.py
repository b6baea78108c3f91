"""Professional accounts: the type, its enums, and the account mutations' inputs and payloads."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import strawberry

from app.db import read_session
from app.domain import delegations, history, personal_data
from app.domain.history import HistoryPage
from app.models import Account as AccountModel
from app.schema.api_tokens import ApiToken, account_api_tokens
from app.schema.companies import CompanyConnection, account_companies
from app.schema.delegations import (
    DelegationChangeConnection,
    DelegationConnection,
    delegation_changes,
    delegations_of_viewer,
)
from app.schema.errors import UserError
from app.schema.history import (
    HistoryConnection,
    HistoryFilterArgument,
    before_of,
    company_key,
    domain_filter,
    history_connection,
)
from app.schema.nodes import After, First, Node, page_size, to_global_id
from app.schema.personal_data import AccountSession, EmailPreferences
from app.security.permissions import CompaniesRead, DelegationsRead, SessionOnly


@strawberry.enum(description="How the account was opened.")
class AccountMode(enum.Enum):
    BASIC = strawberry.enum_value(
        "BASIC", description="For one company with no user yet; activated by a posted code."
    )
    EXPERT = strawberry.enum_value(
        "EXPERT", description="Activated by an emailed code; companies are added afterwards."
    )


@strawberry.enum(description="Where the account stands in its lifecycle.")
class AccountStatus(enum.Enum):
    PENDING_EMAIL_CONFIRMATION = strawberry.enum_value(
        "PENDING_EMAIL_CONFIRMATION", description="Basic mode: the business email awaits its link."
    )
    PENDING_ACTIVATION = strawberry.enum_value(
        "PENDING_ACTIVATION", description="Waiting for the activation code (email or letter)."
    )
    ACTIVE = strawberry.enum_value("ACTIVE", description="Activated; can log in.")
    EXPIRED = strawberry.enum_value(
        "EXPIRED", description="Set-up deadline passed; the email may sign up again."
    )


@strawberry.type(description="A professional account of the impots.gouv.fr professional space.")
class Account(Node):
    registration_number: str = strawberry.field(
        description="Human-friendly number with a check character; shown to the user, not secret."
    )
    email: str = strawberry.field(description="Login email address.")
    mode: AccountMode = strawberry.field(description="Basic or expert mode.")
    status: AccountStatus = strawberry.field(description="Lifecycle status.")
    first_name: str = strawberry.field(description="First name of the account holder.")
    last_name: str = strawberry.field(description="Last name of the account holder.")
    created_at: datetime = strawberry.field(description="When sign-up began (UTC).")
    account_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, account: AccountModel, now: datetime) -> Account:
        return cls(
            id=to_global_id("Account", account.id),
            registration_number=account.registration_number,
            email=account.email,
            mode=AccountMode[account.mode],
            status=AccountStatus[account.effective_status(now)],
            first_name=account.first_name,
            last_name=account.last_name,
            created_at=account.created_at,
            account_id=account.id,
        )

    def _own(self, info: strawberry.Info) -> bool:
        """Personal data shows to the account's own session only (never to an API token)."""
        viewer = info.context.viewer
        return (
            viewer is not None
            and viewer.id == self.account_id
            and info.context.caller.api_token_id is None
        )

    @strawberry.field(
        description="Sessions open on the account, newest first (session only; empty for an "
        "API token)."
    )
    async def sessions(self, info: strawberry.Info) -> list[AccountSession]:
        if not self._own(info):
            return []
        runtime = info.context.runtime
        async with read_session(runtime.sessions) as session:
            found = await personal_data.open_sessions(session, self.account_id, runtime.clock.now())
        return [AccountSession.from_model(item, info.context.caller.session_id) for item in found]

    @strawberry.field(description="Which optional emails the account receives (session only).")
    async def email_preferences(self, info: strawberry.Info) -> EmailPreferences | None:
        if not self._own(info):
            return None
        return EmailPreferences(general_information=info.context.viewer.general_information_emails)

    @strawberry.field(
        description="The account's history, newest first: events where it is the actor or the "
        "subject (session only; empty for an API token)."
    )
    async def history(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        filter: HistoryFilterArgument = None,
    ) -> HistoryConnection:
        size = page_size(first)
        if not self._own(info):
            return history_connection(HistoryPage([], 0, has_next=False), None)
        company_pk = company_key(filter.company_id) if filter else None
        runtime = info.context.runtime
        async with read_session(runtime.sessions) as session:
            page = await history.account_history(
                session,
                self.account_id,
                domain_filter(filter, company_pk),
                size,
                before_of(after),
            )
        return history_connection(page, self.account_id)

    @strawberry.field(
        description="Companies added by the account or on which it holds a role.",
        permission_classes=[CompaniesRead],
    )
    async def companies(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
    ) -> CompanyConnection:
        return await account_companies(info, self.account_id, first, after)

    @strawberry.field(
        description="Delegations the account holds, on any company.",
        permission_classes=[DelegationsRead],
    )
    async def delegations_received(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
    ) -> DelegationConnection:
        return await delegations_of_viewer(
            info, self.account_id, first, after, delegations.delegations_received
        )

    @strawberry.field(
        description="Delegations the account granted as an administrator.",
        permission_classes=[DelegationsRead],
    )
    async def delegations_granted(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
    ) -> DelegationConnection:
        return await delegations_of_viewer(
            info, self.account_id, first, after, delegations.delegations_granted
        )

    @strawberry.field(
        description="The change feed: every grant, update, revocation, start and expiry of the "
        "delegations the account holds or manages, in commit order. Keep the last `endCursor` "
        "and pass it as `after` to read exactly what changed since.",
        permission_classes=[DelegationsRead],
    )
    async def delegation_changes(
        self,
        info: strawberry.Info,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the last change already read.")
        ] = None,
        first: First = None,
    ) -> DelegationChangeConnection:
        return await delegation_changes(info, self.account_id, first, after)

    @strawberry.field(
        description="The account's API tokens (sessions only).", permission_classes=[SessionOnly]
    )
    async def api_tokens(self, info: strawberry.Info) -> list[ApiToken]:
        return await account_api_tokens(info, self.account_id)


@strawberry.input(description="Expert-mode sign-up: an activation code is emailed, valid 48 h.")
class SignUpExpertInput:
    email: str = strawberry.field(description="Login email address; receives the code.")
    password: str = strawberry.field(
        description="20 to 256 characters; a pass-phrase of several unrelated words works best."
    )
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    general_information_emails: bool = strawberry.field(
        default=False,
        description="Opt in to general-information emails of the tax department (off unless "
        "true; account-management emails are always sent). Changed later with "
        "updateEmailPreferences.",
    )


@strawberry.input(
    description="Basic-mode sign-up for a company with no online-service user yet: a link goes "
    "to the business email (72 h), then a code by post to the registered office (60 days)."
)
class SignUpBasicInput:
    email: str = strawberry.field(description="Login email address.")
    password: str = strawberry.field(description="20 to 256 characters; a pass-phrase works best.")
    first_name: str = strawberry.field(description="First name.")
    last_name: str = strawberry.field(description="Last name.")
    siren: str = strawberry.field(description="SIREN of the company (9 digits, spaces allowed).")
    business_email: str = strawberry.field(
        description="The company's business email address; may equal the login email."
    )
    general_information_emails: bool = strawberry.field(
        default=False,
        description="Opt in to general-information emails of the tax department (off unless "
        "true; account-management emails are always sent). Changed later with "
        "updateEmailPreferences.",
    )


SIGN_UP_ANSWERS_ALIKE = (
    "Always null: sign-up answers alike whether or not the email (or the company) is already "
    "registered, so that nobody learns who is. The account shows in activateAccount's payload; "
    "its registration number is in the activation email."
)


@strawberry.type(
    description="Result of an expert-mode sign-up. Without userErrors, the activation code is on "
    "its way to the email address (or, if it already has an account, a notice to its owner)."
)
class SignUpExpertPayload:
    account: Account | None = strawberry.field(
        description="Always null.", deprecation_reason=SIGN_UP_ANSWERS_ALIKE
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was created.")


@strawberry.type(
    description="Result of a basic-mode sign-up. Without userErrors, the confirmation link is on "
    "its way to the business email (or a notice, if the company already has users)."
)
class SignUpBasicPayload:
    account: Account | None = strawberry.field(
        description="Always null.", deprecation_reason=SIGN_UP_ANSWERS_ALIKE
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was created.")


@strawberry.input(
    description="Ask again for the code (or link) of a pending sign-up; the previous one stops "
    "working."
)
class ResendActivationCodeInput:
    email: str = strawberry.field(description="Login email of the pending account.")


@strawberry.type(
    description="Always the same answer: a fresh code, link or letter goes out only if the email "
    "belongs to a pending account (a letter only within the letter limits)."
)
class ResendActivationCodePayload:
    user_errors: list[UserError] = strawberry.field(description="Always empty.")


@strawberry.input(description="The token from the link emailed to the business address.")
class ConfirmEmailInput:
    token: str = strawberry.field(description="The `token` parameter of the emailed link.")


@strawberry.type(description="Result of confirming a business email.")
class ConfirmEmailPayload:
    account: Account | None = strawberry.field(
        description="The account, now waiting for the posted activation code."
    )
    user_errors: list[UserError] = strawberry.field(description="Why the link was refused.")


@strawberry.input(description="The activation code received by email (expert) or post (basic).")
class ActivateAccountInput:
    email: str = strawberry.field(description="Login email of the account.")
    code: str = strawberry.field(description="The code, dashes and case optional.")


@strawberry.type(description="Result of an activation.")
class ActivateAccountPayload:
    account: Account | None = strawberry.field(description="The account, now ACTIVE.")
    user_errors: list[UserError] = strawberry.field(description="Why the code was refused.")


@strawberry.input(description="Log-in with the login email and password.")
class LogInInput:
    email: str = strawberry.field(description="Login email.")
    password: str = strawberry.field(description="Password.")


@strawberry.type(description="Result of a log-in. The token is also set as an HttpOnly cookie.")
class LogInPayload:
    token: str | None = strawberry.field(
        description="Session token for `Authorization: Bearer <token>`; keep it secret."
    )
    expires_at: datetime | None = strawberry.field(
        description="Absolute end of the session; it also ends after 30 minutes idle."
    )
    account: Account | None = strawberry.field(description="The logged-in account.")
    user_errors: list[UserError] = strawberry.field(description="Why the log-in failed.")


@strawberry.input(description="Close the current session, or every session of the account.")
class LogOutInput:
    all_sessions: bool = strawberry.field(
        default=False, description="Also close the account's sessions on other devices."
    )


@strawberry.type(description="Result of a log-out.")
class LogOutPayload:
    user_errors: list[UserError] = strawberry.field(description="Always empty.")


@strawberry.input(
    description="Change the password; the account's other sessions and password-reset links end, "
    "and its API tokens too unless kept."
)
class ChangePasswordInput:
    current_password: str = strawberry.field(description="The current password.")
    new_password: str = strawberry.field(description="The new password (same rules as sign-up).")
    keep_api_tokens: bool = strawberry.field(
        default=False,
        description="Keep the account's API tokens working. By default a new password revokes "
        "them, since whoever knew the old one may have made one.",
    )


@strawberry.type(description="Result of a password change.")
class ChangePasswordPayload:
    account: Account | None = strawberry.field(description="The account.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="Result of correcting the account holder's name.")
class UpdateIdentityPayload:
    account: Account | None = strawberry.field(description="The account, corrected.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.input(description="Ask for a password-reset link (valid 1 h).")
class RequestPasswordResetInput:
    email: str = strawberry.field(description="Login email.")


@strawberry.type(
    description="Always the same answer: a link is emailed only if the email belongs to an "
    "active account."
)
class RequestPasswordResetPayload:
    user_errors: list[UserError] = strawberry.field(description="Always empty.")


@strawberry.input(description="Choose a new password with the emailed reset link.")
class ResetPasswordInput:
    token: str = strawberry.field(description="The `token` parameter of the emailed link.")
    new_password: str = strawberry.field(description="The new password (same rules as sign-up).")


@strawberry.type(
    description="Result of a password reset: every session, API token and other reset link of "
    "the account ends."
)
class ResetPasswordPayload:
    account: Account | None = strawberry.field(description="The account; log in again.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")
