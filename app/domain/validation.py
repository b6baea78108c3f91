"""Input checks shared by the account operations; each failure names its input field."""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email
from stdnum import luhn
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


# IDSP: "P", eight digits and a Luhn check digit over them, e.g. P123456782. It begins with a
# letter, so it can never be read as a SIREN (nine digits), nor a SIREN as an IDSP.
IDSP_PREFIX = "P"
IDSP_DIGITS = 8


def is_valid_idsp(value: str) -> bool:
    digits = value[1:]
    return (
        len(value) == 1 + IDSP_DIGITS + 1
        and value[0] == IDSP_PREFIX
        and digits.isdigit()
        and luhn.is_valid(digits)
    )


def clean_company_identifier(value: str, field: str) -> tuple[str, str]:
    """("siren", SIREN) or ("idsp", IDSP) from what the user typed."""
    compact = "".join(value.split()).upper()
    if compact.startswith(IDSP_PREFIX):
        if is_valid_idsp(compact):
            return "idsp", compact
        raise DomainError(
            "INVALID_COMPANY_IDENTIFIER",
            "An IDSP is the letter P, eight digits and a check digit; check the identifier.",
            [field],
        )
    try:
        return "siren", clean_siren(compact, field)
    except DomainError:
        raise DomainError(
            "INVALID_COMPANY_IDENTIFIER",
            "Enter a SIREN (9 digits with a valid check digit) or an IDSP (P and 9 digits).",
            [field],
        ) from None
