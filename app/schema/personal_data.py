"""The user's own data: open sessions, identity, login email, email preferences."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.domain.personal_data import device
from app.models import Session as SessionModel
from app.schema.errors import UserError
from app.schema.nodes import to_global_id


@strawberry.type(description="A session open on the account (a browser or a script logged in).")
class AccountSession:
    id: strawberry.ID = strawberry.field(description="Global ID, for revokeSession.")
    device: str = strawberry.field(description="Browser and system, from the user agent.")
    client_address: str | None = strawberry.field(description="Address it was opened from.")
    created_at: datetime = strawberry.field(description="When it was opened (the log-in).")
    last_used_at: datetime = strawberry.field(description="When it was last used (to the minute).")
    current: bool = strawberry.field(description="Whether it is the session of this request.")

    @classmethod
    def from_model(cls, session: SessionModel, current_id: int | None) -> AccountSession:
        return cls(
            id=to_global_id("Session", session.id),
            device=device(session.user_agent),
            client_address=session.ip,
            created_at=session.created_at,
            last_used_at=session.last_seen_at,
            current=session.id == current_id,
        )


@strawberry.type(description="Which optional emails the account receives.")
class EmailPreferences:
    general_information: bool = strawberry.field(
        description="General-information emails of the tax department (opt-in; off by default). "
        "Account-management emails are always sent."
    )


@strawberry.input(description="Close one of the account's sessions.")
class RevokeSessionInput:
    session_id: strawberry.ID = strawberry.field(description="Global ID of the session.")


@strawberry.type(description="Result of closing a session.")
class RevokeSessionPayload:
    revoked: bool = strawberry.field(description="Whether the session is now closed.")
    user_errors: list[UserError] = strawberry.field(description="Why it was not.")


@strawberry.input(description="Correct the account holder's name.")
class UpdateIdentityInput:
    first_name: str = strawberry.field(description="First name (1 to 100 characters).")
    last_name: str = strawberry.field(description="Last name (1 to 100 characters).")


@strawberry.input(description="Ask to log in with another email address.")
class ChangeLoginEmailInput:
    new_email: str = strawberry.field(
        description="The new address; a link valid 72 h goes there, and the change happens "
        "only when it is used."
    )
    current_password: str = strawberry.field(description="The account's current password.")


@strawberry.type(description="Result of asking to change the login email.")
class ChangeLoginEmailPayload:
    link_sent: bool = strawberry.field(
        description="Whether the confirmation link went to the new address (the old one is told)."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was sent.")


@strawberry.input(description="Use the link sent to the new login email.")
class ConfirmLoginEmailChangeInput:
    token: str = strawberry.field(description="The `token` parameter of the emailed link.")


@strawberry.type(description="Result of confirming a login email change.")
class ConfirmLoginEmailChangePayload:
    changed: bool = strawberry.field(description="Whether the new address is now the login.")
    user_errors: list[UserError] = strawberry.field(description="Why the link did not work.")


@strawberry.input(description="Choose the optional emails the account receives.")
class UpdateEmailPreferencesInput:
    general_information: bool = strawberry.field(
        description="Receive general-information emails of the tax department."
    )


@strawberry.type(description="Result of changing the email preferences.")
class UpdateEmailPreferencesPayload:
    email_preferences: EmailPreferences | None = strawberry.field(
        description="The preferences now in force."
    )
    user_errors: list[UserError] = strawberry.field(description="Always empty.")
