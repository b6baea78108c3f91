"""Input checks shared by the account operations; each failure names its input field."""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email
from stdnum.fr import siren as siren_number

from app.domain.errors import DomainError

NAME_MAX_LENGTH = 100


def email_key(email: str) -> str:
    """The form under which emails are compared: case never makes two accounts."""
    return email.strip().casefold()


def clean_email(value: str, field: str) -> str:
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise DomainError(
            "INVALID_EMAIL", "Enter a valid email address, such as name@example.fr.", [field]
        ) from None
    return result.normalized


def clean_name(value: str, field: str) -> str:
    name = unicodedata.normalize("NFC", value.strip())
    if not name:
        raise DomainError("NAME_REQUIRED", "This name is required.", [field])
    if len(name) > NAME_MAX_LENGTH or any(unicodedata.category(ch).startswith("C") for ch in name):
        raise DomainError(
            "INVALID_NAME",
            f"Names have at most {NAME_MAX_LENGTH} characters and no control characters.",
            [field],
        )
    return name


def clean_siren(value: str, field: str) -> str:
    compact = siren_number.compact(value)
    if not siren_number.is_valid(compact):
        raise DomainError(
            "INVALID_SIREN",
            "A SIREN has 9 digits and a valid check digit (Luhn); check the number.",
            [field],
        )
    return compact
