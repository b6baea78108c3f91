"""The canonical form under which email addresses are compared (never shown to anyone)."""

from __future__ import annotations

import string
import unicodedata

import idna

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _ascii_domain(domain: str) -> str:
    """The IDNA (ASCII) form DNS uses, so that two spellings of one domain compare equal."""
    domain = domain.strip().rstrip(".")
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        return domain.translate(_ASCII_LOWER)


def email_key(email: str) -> str:
    """The form under which emails are compared, never shown.

    The domain in its IDNA form; the local part with only A-Z folded. Full Unicode case folding
    would merge addresses that mail servers keep apart ("ß" and "ss", Greek final and medial sigma).
    """
    local, at, domain = unicodedata.normalize("NFC", email.strip()).rpartition("@")
    if not at:
        return domain.translate(_ASCII_LOWER)
    return f"{local.translate(_ASCII_LOWER)}@{_ascii_domain(domain)}"
