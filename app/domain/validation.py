"""Input checks shared by the account operations; each failure names its input field."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from typing import TypeVar

from email_validator import EmailNotValidError, validate_email
from stdnum import luhn
from stdnum.fr import siren as siren_number

from app.domain.errors import DomainError

NAME_MAX_LENGTH = 100
T = TypeVar("T")


# Scripts that may share one word (Unicode TS 39 "highly restrictive"): Japanese, Chinese and
# Korean writing mixes them with Latin; any other mixture is a look-alike trap (a Cyrillic
# letter among Latin ones).
_COMPATIBLE_SCRIPTS = (
    frozenset({"LATIN", "CJK", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "CJK", "BOPOMOFO"}),
    frozenset({"LATIN", "CJK", "HANGUL"}),
)


def _scripts(text: str) -> set[str]:
    """The scripts of the letters in `text`, from their Unicode names; digits and marks are
    neutral."""
    found = set()
    for character in text:
        if unicodedata.category(character).startswith("L"):
            found.add(unicodedata.name(character, "UNKNOWN").split(" ")[0])
    return found


def _mixes_scripts(text: str) -> bool:
    scripts = _scripts(text)
    return len(scripts) > 1 and not any(scripts <= allowed for allowed in _COMPATIBLE_SCRIPTS)


def clean_email(value: str, field: str) -> str:
    """The address as the user typed it (NFC, no surrounding spaces), once checked."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise DomainError(
            "INVALID_EMAIL", "Enter a valid email address, such as name@example.fr.", [field]
        ) from None
    typed_domain = unicodedata.normalize("NFC", value.strip().rpartition("@")[2])
    if _mixes_scripts(result.local_part) or any(
        _mixes_scripts(label) for label in result.domain.split(".")
    ):
        raise DomainError(
            "EMAIL_MIXED_SCRIPTS",
            "This address mixes alphabets (for example Latin and Cyrillic letters that look "
            "alike). Type it in one alphabet.",
            [field],
        )
    return f"{result.local_part}@{typed_domain}"


def has_control_characters(text: str, allowed: str = "") -> bool:
    """Control, format, private-use or unassigned characters (Unicode category C), but `allowed`."""
    return any(unicodedata.category(ch).startswith("C") and ch not in allowed for ch in text)


def clean_name(value: str, field: str) -> str:
    name = unicodedata.normalize("NFC", value.strip())
    if not name:
        raise DomainError("NAME_REQUIRED", "This name is required.", [field])
    if len(name) > NAME_MAX_LENGTH or has_control_characters(name):
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


def bounded(
    values: Sequence[T], limit: int, field: Sequence[str], code: str = "TOO_MANY_ITEMS"
) -> None:
    """Refuse an input list longer than `limit` at once, before any other work on it.

    Without this, one request could make the gateway loop over tens of thousands of items
    inside a write transaction, holding the database's write lock all along.
    """
    if len(values) > limit:
        raise DomainError(code, f"At most {limit} items are accepted here.", field)


def checked_text(
    value: str,
    limit: int,
    field: str,
    code: str,
    *,
    required: bool = True,
    allowed: str = "",
) -> str:
    """Free text (NFC, trimmed): 1 (or 0) to `limit` characters, no control characters but
    `allowed` (e.g. line breaks in a message body)."""
    text = unicodedata.normalize("NFC", value.strip())
    if (required and not text) or len(text) > limit or has_control_characters(text, allowed):
        least = 1 if required else 0
        raise DomainError(
            code, f"Write {least} to {limit} characters, without control characters.", [field]
        )
    return text


def collected(errors: list[DomainError], *checks: Callable[[], T]) -> list[T | str]:
    """Run every check, collecting their failures in `errors` so that all wrong fields are told
    at once; a failed check's value is ""."""
    values: list[T | str] = []
    for check in checks:
        try:
            values.append(check())
        except DomainError as error:
            errors.append(error)
            values.append("")
    return values
