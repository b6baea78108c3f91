"""`UserError` and its stable codes, shared by every mutation payload."""

from __future__ import annotations

import enum

import strawberry
from graphql import GraphQLError


@strawberry.enum(description="Stable codes of expected business failures; clients branch on these.")
class UserErrorCode(enum.Enum):
    INVALID_EMAIL = strawberry.enum_value(
        "INVALID_EMAIL", description="The email address is malformed."
    )
    NAME_REQUIRED = strawberry.enum_value("NAME_REQUIRED", description="A required name is empty.")
    INVALID_NAME = strawberry.enum_value(
        "INVALID_NAME", description="A name is too long or holds control characters."
    )
    PASSWORD_TOO_SHORT = strawberry.enum_value(
        "PASSWORD_TOO_SHORT", description="The password has fewer than 20 characters."
    )
    PASSWORD_TOO_LONG = strawberry.enum_value(
        "PASSWORD_TOO_LONG", description="The password has more than 256 characters."
    )
    PASSWORD_TOO_WEAK = strawberry.enum_value(
        "PASSWORD_TOO_WEAK",
        description="The password is too easy to guess (zxcvbn score below 4 of 4).",
    )
    PASSWORD_CONTAINS_PERSONAL_DATA = strawberry.enum_value(
        "PASSWORD_CONTAINS_PERSONAL_DATA",
        description="The password is built on the user's email, names or the service's name.",
    )
    PASSWORD_UNCHANGED = strawberry.enum_value(
        "PASSWORD_UNCHANGED", description="The new password equals the current one."
    )
    CURRENT_PASSWORD_INCORRECT = strawberry.enum_value(
        "CURRENT_PASSWORD_INCORRECT", description="The current password given is wrong."
    )
    EMAIL_ALREADY_REGISTERED = strawberry.enum_value(
        "EMAIL_ALREADY_REGISTERED",
        description="A live account already uses this login email.",
        deprecation_reason="Sign-up no longer tells a stranger who is registered: it answers "
        "alike and emails the address's owner instead.",
    )
    EMAIL_MIXED_SCRIPTS = strawberry.enum_value(
        "EMAIL_MIXED_SCRIPTS",
        description="The email address mixes alphabets (e.g. Latin and Cyrillic look-alikes).",
    )
    INVALID_SIREN = strawberry.enum_value(
        "INVALID_SIREN", description="Not a SIREN: 9 digits with a valid Luhn check digit."
    )
    COMPANY_NOT_FOUND = strawberry.enum_value(
        "COMPANY_NOT_FOUND", description="No company with this identifier is in the directory."
    )
    COMPANY_ALREADY_HAS_USERS = strawberry.enum_value(
        "COMPANY_ALREADY_HAS_USERS",
        description="Basic mode is only for a company with no online-service user yet (told "
        "when the business email is confirmed; sign-up itself answers alike).",
    )
    COMPANY_SIGNUP_IN_PROGRESS = strawberry.enum_value(
        "COMPANY_SIGNUP_IN_PROGRESS",
        description="Another basic-mode sign-up for this company is under way.",
        deprecation_reason="Basic sign-ups for one company may now run side by side: the first "
        "posted code entered wins.",
    )
    COMPANY_ALREADY_HAS_ADMINISTRATOR = strawberry.enum_value(
        "COMPANY_ALREADY_HAS_ADMINISTRATOR",
        description="The company already has a principal administrator; ask for a delegation.",
    )
    INVALID_COMPANY_IDENTIFIER = strawberry.enum_value(
        "INVALID_COMPANY_IDENTIFIER", description="Neither a SIREN nor an IDSP."
    )
    COMPANY_NOT_ADDED = strawberry.enum_value(
        "COMPANY_NOT_ADDED", description="The company is not on the account; addCompany first."
    )
    COMPANY_HAS_ROLE = strawberry.enum_value(
        "COMPANY_HAS_ROLE", description="The account holds a role on the company."
    )
    COMPANY_REQUIRED = strawberry.enum_value(
        "COMPANY_REQUIRED", description="At least one company is needed."
    )
    TOO_MANY_COMPANIES = strawberry.enum_value(
        "TOO_MANY_COMPANIES", description="More companies than one request accepts (100)."
    )
    TOO_MANY_ITEMS = strawberry.enum_value(
        "TOO_MANY_ITEMS",
        description="An input list is longer than it can meaningfully be (e.g. more services "
        "than the catalogue holds); nothing was read or changed.",
    )
    LETTER_LIMIT_REACHED = strawberry.enum_value(
        "LETTER_LIMIT_REACHED",
        description="No more letters with codes: at most 100 per account and 5 per company in "
        "30 days.",
    )
    SERVICE_REQUEST_COOLDOWN = strawberry.enum_value(
        "SERVICE_REQUEST_COOLDOWN",
        description="The account cancelled a request for this company less than 7 days ago.",
    )
    SERVICE_REQUIRED = strawberry.enum_value(
        "SERVICE_REQUIRED", description="At least one service is needed."
    )
    UNKNOWN_SERVICE = strawberry.enum_value(
        "UNKNOWN_SERVICE", description="No service of the catalogue has this code."
    )
    SERVICE_REQUIRES_SEPARATE_SIGNUP = strawberry.enum_value(
        "SERVICE_REQUIRES_SEPARATE_SIGNUP",
        description="The service has its own sign-up, decided by the tax department.",
    )
    SERVICE_REQUEST_ALREADY_PENDING = strawberry.enum_value(
        "SERVICE_REQUEST_ALREADY_PENDING",
        description="A request of the account for this company awaits its code.",
    )
    SERVICE_REQUEST_NOT_FOUND = strawberry.enum_value(
        "SERVICE_REQUEST_NOT_FOUND", description="No such service request on the account."
    )
    ACCOUNT_NOT_FOUND = strawberry.enum_value(
        "ACCOUNT_NOT_FOUND", description="No active account uses this email address."
    )
    CANNOT_DESIGNATE_SELF = strawberry.enum_value(
        "CANNOT_DESIGNATE_SELF",
        description="The principal administrator cannot be its own alternate.",
    )
    ALTERNATE_ALREADY_DESIGNATED = strawberry.enum_value(
        "ALTERNATE_ALREADY_DESIGNATED",
        description="The company already has an alternate administrator.",
    )
    NO_ALTERNATE_ADMINISTRATOR = strawberry.enum_value(
        "NO_ALTERNATE_ADMINISTRATOR", description="The company has no alternate administrator."
    )
    ALTERNATE_ALREADY_SUSPENDED = strawberry.enum_value(
        "ALTERNATE_ALREADY_SUSPENDED",
        description="The alternate administrator is already suspended.",
    )
    ALTERNATE_NOT_SUSPENDED = strawberry.enum_value(
        "ALTERNATE_NOT_SUSPENDED", description="The alternate administrator is not suspended."
    )
    DUPLICATE_SERVICE = strawberry.enum_value(
        "DUPLICATE_SERVICE", description="A service appears twice in the input."
    )
    SERVICE_NOT_HELD = strawberry.enum_value(
        "SERVICE_NOT_HELD", description="The company is not signed up for this service."
    )
    RIGHTS_REQUIRED = strawberry.enum_value(
        "RIGHTS_REQUIRED", description="At least one right is needed for each service."
    )
    RIGHT_NOT_SUPPORTED = strawberry.enum_value(
        "RIGHT_NOT_SUPPORTED", description="The service does not support this right."
    )
    START_IN_PAST = strawberry.enum_value(
        "START_IN_PAST", description="A delegation cannot start in the past."
    )
    END_BEFORE_START = strawberry.enum_value(
        "END_BEFORE_START", description="The end date is not after the start (or after now)."
    )
    DELEGATION_ALREADY_EXISTS = strawberry.enum_value(
        "DELEGATION_ALREADY_EXISTS",
        description="The account already holds a delegation on the company; use updateDelegation.",
    )
    CANNOT_DELEGATE_TO_SELF = strawberry.enum_value(
        "CANNOT_DELEGATE_TO_SELF", description="Nobody delegates to themselves."
    )
    CANNOT_DELEGATE_TO_PRINCIPAL = strawberry.enum_value(
        "CANNOT_DELEGATE_TO_PRINCIPAL",
        description="The principal administrator already holds every right.",
    )
    CANNOT_EDIT_OWN_DELEGATION = strawberry.enum_value(
        "CANNOT_EDIT_OWN_DELEGATION", description="Nobody changes or revokes their own delegation."
    )
    DELEGATION_UNCHANGED = strawberry.enum_value(
        "DELEGATION_UNCHANGED",
        description="The update gives the same services, rights and end date: nothing to do.",
    )
    DELEGATION_REVOKED = strawberry.enum_value(
        "DELEGATION_REVOKED", description="The delegation was revoked and cannot change."
    )
    MESSAGE_TOO_LONG = strawberry.enum_value(
        "MESSAGE_TOO_LONG", description="The message is longer than 1,000 characters."
    )
    INVALID_MESSAGE = strawberry.enum_value(
        "INVALID_MESSAGE",
        description="The message holds control characters other than line breaks and tabs.",
    )
    COMPANY_HAS_NO_ADMINISTRATOR = strawberry.enum_value(
        "COMPANY_HAS_NO_ADMINISTRATOR",
        description="The company has no administrator to answer yet.",
    )
    DELEGATION_REQUEST_ALREADY_PENDING = strawberry.enum_value(
        "DELEGATION_REQUEST_ALREADY_PENDING",
        description="A request of the account to this company awaits an answer.",
    )
    DELEGATION_REQUEST_NOT_PENDING = strawberry.enum_value(
        "DELEGATION_REQUEST_NOT_PENDING",
        description="The request was already answered or has lapsed.",
    )
    UNKNOWN_SCOPE = strawberry.enum_value(
        "UNKNOWN_SCOPE",
        description="Not a scope: companies:read, delegations:read, delegations:write, "
        "bank-accounts:read, messages:read or messages:write.",
    )
    SCOPE_REQUIRED = strawberry.enum_value(
        "SCOPE_REQUIRED", description="A token needs at least one scope."
    )
    INVALID_EXPIRY = strawberry.enum_value(
        "INVALID_EXPIRY", description="A token expires in the future, within a year."
    )
    RECENT_LOGIN_REQUIRED = strawberry.enum_value(
        "RECENT_LOGIN_REQUIRED",
        description="Log in again: this needs a log-in within the last 15 minutes.",
    )
    API_TOKEN_NOT_FOUND = strawberry.enum_value(
        "API_TOKEN_NOT_FOUND", description="No such API token on the account."
    )
    CODE_INVALID = strawberry.enum_value(
        "CODE_INVALID", description="The code is wrong (or nothing awaits a code for this email)."
    )
    CODE_EXPIRED = strawberry.enum_value(
        "CODE_EXPIRED", description="The code is past its deadline."
    )
    CODE_ALREADY_USED = strawberry.enum_value(
        "CODE_ALREADY_USED", description="The code was already used."
    )
    CODE_ATTEMPTS_EXHAUSTED = strawberry.enum_value(
        "CODE_ATTEMPTS_EXHAUSTED",
        description="Five wrong attempts from this address (or fifty from anywhere): the code "
        "no longer works here; ask for a new one (resendActivationCode).",
    )
    TOKEN_INVALID = strawberry.enum_value("TOKEN_INVALID", description="The link token is unknown.")
    TOKEN_EXPIRED = strawberry.enum_value(
        "TOKEN_EXPIRED", description="The link is past its deadline."
    )
    TOKEN_ALREADY_USED = strawberry.enum_value(
        "TOKEN_ALREADY_USED", description="The link was already used."
    )
    INVALID_CREDENTIALS = strawberry.enum_value(
        "INVALID_CREDENTIALS", description="Wrong email or password (never says which)."
    )
    ACCOUNT_NOT_ACTIVE = strawberry.enum_value(
        "ACCOUNT_NOT_ACTIVE", description="Right password, but the account is not activated."
    )
    REASON_REQUIRED = strawberry.enum_value(
        "REASON_REQUIRED", description="A staff action needs a reason of 10 to 1,000 characters."
    )
    ALREADY_PRINCIPAL_ADMINISTRATOR = strawberry.enum_value(
        "ALREADY_PRINCIPAL_ADMINISTRATOR",
        description="The account already is the company's principal administrator.",
    )
    ACCOUNT_HAS_NO_ROLE = strawberry.enum_value(
        "ACCOUNT_HAS_NO_ROLE",
        description="The account is neither principal nor alternate administrator of the company.",
    )
    SERVICE_NOT_SPECIAL = strawberry.enum_value(
        "SERVICE_NOT_SPECIAL",
        description="Not a separate-sign-up service; use requestServiceAccess for the others.",
    )
    SERVICE_ALREADY_HELD = strawberry.enum_value(
        "SERVICE_ALREADY_HELD", description="The company already holds this service."
    )
    JUSTIFICATION_REQUIRED = strawberry.enum_value(
        "JUSTIFICATION_REQUIRED", description="Explain the need in 10 to 2,000 characters."
    )
    SPECIAL_SERVICE_REQUEST_ALREADY_PENDING = strawberry.enum_value(
        "SPECIAL_SERVICE_REQUEST_ALREADY_PENDING",
        description="A request for this service awaits the tax department's decision.",
    )
    SPECIAL_SERVICE_REQUEST_NOT_FOUND = strawberry.enum_value(
        "SPECIAL_SERVICE_REQUEST_NOT_FOUND", description="No such special service request."
    )
    SPECIAL_SERVICE_REQUEST_ALREADY_DECIDED = strawberry.enum_value(
        "SPECIAL_SERVICE_REQUEST_ALREADY_DECIDED", description="The request was already decided."
    )
    INVALID_ADDRESS = strawberry.enum_value(
        "INVALID_ADDRESS", description="An address line or city is missing, too long or malformed."
    )
    INVALID_POSTAL_CODE = strawberry.enum_value(
        "INVALID_POSTAL_CODE", description="Not a French postal code (5 digits)."
    )
    IDSP_ALREADY_LINKED = strawberry.enum_value(
        "IDSP_ALREADY_LINKED", description="The IDSP entity already has a SIREN."
    )
    SIREN_ALREADY_LINKED = strawberry.enum_value(
        "SIREN_ALREADY_LINKED", description="The SIREN is already linked to another IDSP."
    )
    BOTH_HAVE_PRINCIPAL_ADMINISTRATOR = strawberry.enum_value(
        "BOTH_HAVE_PRINCIPAL_ADMINISTRATOR",
        description="Both sides of a link have a principal administrator; replace one first.",
    )
    LINK_CONFLICT = strawberry.enum_value(
        "LINK_CONFLICT",
        description="Both sides hold a live delegation, a pending request or an alternate "
        "administrator for the same purpose.",
    )
    MAINTENANCE_NOT_FOUND = strawberry.enum_value(
        "MAINTENANCE_NOT_FOUND", description="No such maintenance window to come or in force."
    )
    INVALID_OFFICE = strawberry.enum_value(
        "INVALID_OFFICE", description="Not a département code (01-95, 2A, 2B, 971-978)."
    )
    STAFF_ALREADY_EXISTS = strawberry.enum_value(
        "STAFF_ALREADY_EXISTS", description="A staff member already uses this email."
    )
    STAFF_NOT_FOUND = strawberry.enum_value(
        "STAFF_NOT_FOUND", description="No staff member uses this email."
    )
    LOGIN_TEMPORARILY_LOCKED = strawberry.enum_value(
        "LOGIN_TEMPORARILY_LOCKED",
        description="Too many failed log-ins for this email from this address; wait and retry.",
    )
    INVALID_IBAN = strawberry.enum_value(
        "INVALID_IBAN",
        description="Not a valid IBAN (length, format or check digits).",
    )
    INVALID_BIC = strawberry.enum_value(
        "INVALID_BIC",
        description="Not a valid BIC (8 or 11 characters).",
    )
    IBAN_NOT_SEPA = strawberry.enum_value(
        "IBAN_NOT_SEPA",
        description="The IBAN is of an account outside the SEPA area.",
    )
    BIC_IBAN_MISMATCH = strawberry.enum_value(
        "BIC_IBAN_MISMATCH",
        description="The BIC's country is not the IBAN's.",
    )
    INVALID_HOLDER_NAME = strawberry.enum_value(
        "INVALID_HOLDER_NAME",
        description="The holder name is empty, over 70 characters or holds control characters.",
    )
    INVALID_LABEL = strawberry.enum_value(
        "INVALID_LABEL",
        description="The label is longer than 100 characters or holds control characters.",
    )
    BANK_ACCOUNT_ALREADY_EXISTS = strawberry.enum_value(
        "BANK_ACCOUNT_ALREADY_EXISTS",
        description="The company already has a bank account with this IBAN.",
    )
    TOO_MANY_BANK_ACCOUNTS = strawberry.enum_value(
        "TOO_MANY_BANK_ACCOUNTS",
        description="The company already has the most bank accounts allowed (20).",
    )
    BANK_ACCOUNT_ALREADY_REMOVED = strawberry.enum_value(
        "BANK_ACCOUNT_ALREADY_REMOVED",
        description="The bank account was already removed.",
    )
    BUSINESS_EMAIL_UNCHANGED = strawberry.enum_value(
        "BUSINESS_EMAIL_UNCHANGED",
        description="The address already is the company's business email.",
    )
    TOO_MANY_EMAILS = strawberry.enum_value(
        "TOO_MANY_EMAILS",
        description="The address received too many emails in the last hour; try later.",
    )
    MESSAGING_NOT_AVAILABLE = strawberry.enum_value(
        "MESSAGING_NOT_AVAILABLE",
        description="The company lacks MESSAGERIE or a confirmed business email (see message).",
    )
    INVALID_SUBJECT = strawberry.enum_value(
        "INVALID_SUBJECT",
        description="The subject is empty, too long or holds control characters.",
    )
    INVALID_MESSAGE_BODY = strawberry.enum_value(
        "INVALID_MESSAGE_BODY",
        description="The text is empty, too long or holds control characters.",
    )
    TOO_MANY_ATTACHMENTS = strawberry.enum_value(
        "TOO_MANY_ATTACHMENTS",
        description="More than 5 attachments in one message.",
    )
    ATTACHMENT_TOO_LARGE = strawberry.enum_value(
        "ATTACHMENT_TOO_LARGE",
        description="An attachment is larger than 10 MiB.",
    )
    ATTACHMENT_TYPE_NOT_ALLOWED = strawberry.enum_value(
        "ATTACHMENT_TYPE_NOT_ALLOWED",
        description="An attachment is not a PDF, PNG or JPEG file (judged by its content).",
    )
    THREAD_CLOSED = strawberry.enum_value(
        "THREAD_CLOSED",
        description="The tax office closed the thread.",
    )
    SESSION_ALREADY_CLOSED = strawberry.enum_value(
        "SESSION_ALREADY_CLOSED",
        description="The session is already closed (logged out, revoked or expired).",
    )
    EMAIL_UNCHANGED = strawberry.enum_value(
        "EMAIL_UNCHANGED",
        description="The new login email is the current one.",
    )
    EMAIL_UNAVAILABLE = strawberry.enum_value(
        "EMAIL_UNAVAILABLE",
        description="The new login email now belongs to another account.",
    )


@strawberry.type(description="An expected business failure of a mutation; nothing was changed.")
class UserError:
    code: UserErrorCode = strawberry.field(description="Stable machine-readable code.")
    field: list[str] | None = strawberry.field(
        description='Path of the input field at fault, from the input object (e.g. `["password"]`).'
    )
    message: str = strawberry.field(description="Explanation for a person, with how to fix it.")


# Top-level errors: refusals that are not a business outcome of the operation.


class AuthenticationRequiredError(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "You must be logged in to do this.", extensions={"code": "UNAUTHENTICATED"}
        )


class RateLimitError(GraphQLError):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            "Too many attempts from this address; wait before trying again.",
            extensions={"code": "RATE_LIMITED", "retryAfterSeconds": retry_after_seconds},
        )


class ForbiddenGraphQLError(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "You may not do this, or there is no such object.", extensions={"code": "FORBIDDEN"}
        )


class LimitExceededError(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "LIMIT_EXCEEDED"})


EXPOSED_ERRORS = (
    AuthenticationRequiredError,
    RateLimitError,
    LimitExceededError,
    ForbiddenGraphQLError,
)
