"""High-entropy codes, link tokens, session tokens and registration numbers."""

from __future__ import annotations

import hashlib
import secrets

from stdnum.iso7064 import mod_37_36

# Crockford's base 32: no I, L, O or U, so a code read off a letter cannot be mistyped as another.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 4
CODE_GROUP_LENGTH = 4  # 16 characters, 80 bits

REGISTRATION_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
REGISTRATION_LENGTH = 10


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret: enough at rest, since nobody can enumerate 80+ bits."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_code() -> str:
    """A code a person types, e.g. `7KQ2-M9XD-4H1C-PZ3E`."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)


def normalize_code(typed: str) -> str:
    """Forgive case, spaces, dashes and the letters Crockford maps to digits."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    size = CODE_GROUP_LENGTH
    return "-".join(cleaned[i : i + size] for i in range(0, len(cleaned), size))


def new_link_token() -> str:
    """A 256-bit token carried in an emailed link."""
    return secrets.token_urlsafe(32)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def new_registration_number() -> str:
    """Ten random characters and an ISO 7064 MOD 37,36 check character, e.g. `K7Q2M-9XD4H-C`.

    Random, so that nobody can guess the next account's number from their own.
    """
    body = "".join(secrets.choice(REGISTRATION_ALPHABET) for _ in range(REGISTRATION_LENGTH))
    check = mod_37_36.calc_check_digit(body)
    return f"{body[:5]}-{body[5:]}-{check}"


def is_valid_registration_number(number: str) -> bool:
    compact = number.replace("-", "").upper()
    return len(compact) == REGISTRATION_LENGTH + 1 and mod_37_36.is_valid(compact)
