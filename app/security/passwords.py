"""Password policy (length and zxcvbn strength) and argon2id hashing off the event loop."""

from __future__ import annotations

import asyncio
import re
import threading
import unicodedata
from dataclasses import dataclass

import argon2
import zxcvbn
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 20
MAX_LENGTH = 256
# Score 4 (at least 10^10 guesses): score 3 still lets "password1234567890123" through.
MIN_SCORE = 4
# zxcvbn's matching grows quadratically; the first 72 characters tell its strength well enough.
STRENGTH_WINDOW = 72
PERSONAL_TOKEN_MIN_LENGTH = 3
SERVICE_WORDS = ("impot", "dgfip", "espace professionnel", "espacepro")

PASS_PHRASE_ADVICE = (
    "Choose a pass-phrase of several unrelated words that only you would put together, "
    "for example four or five words with spaces, and avoid song lines, quotes and your own name."
)

# zxcvbn keeps the user inputs in a module-level dictionary: one estimate at a time.
_ZXCVBN_LOCK = threading.Lock()


@dataclass(frozen=True)
class PasswordProblem:
    code: str
    message: str


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def personal_tokens(email: str, first_name: str, last_name: str) -> list[str]:
    # The domain is left out: refusing "free" or "orange" would punish whole mail providers.
    local = email.partition("@")[0]
    words = [local, first_name, last_name]
    # "jean-pierre.martin" is also "jean", "pierre" and "martin".
    words += re.split(r"\W+", f"{local} {first_name} {last_name}")
    return sorted({_fold(w) for w in words if len(w) >= PERSONAL_TOKEN_MIN_LENGTH})


def check_password(password: str, personal: list[str]) -> PasswordProblem | None:
    """Why this password is refused, or None. `personal` are the user's own words."""
    if len(password) < MIN_LENGTH:
        return PasswordProblem(
            "PASSWORD_TOO_SHORT",
            f"The password must have at least {MIN_LENGTH} characters. {PASS_PHRASE_ADVICE}",
        )
    if len(password) > MAX_LENGTH:
        return PasswordProblem(
            "PASSWORD_TOO_LONG", f"The password must have at most {MAX_LENGTH} characters."
        )
    folded = _fold(password)
    for word in [*personal, *SERVICE_WORDS]:
        if word and word in folded:
            return PasswordProblem(
                "PASSWORD_CONTAINS_PERSONAL_DATA",
                "The password must not be built on your email address, your name or the "
                f"service's name. {PASS_PHRASE_ADVICE}",
            )
    with _ZXCVBN_LOCK:
        result = zxcvbn.zxcvbn(password[:STRENGTH_WINDOW], user_inputs=personal)
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        hints = " ".join(filter(None, [feedback.get("warning"), *feedback.get("suggestions", [])]))
        return PasswordProblem(
            "PASSWORD_TOO_WEAK",
            f"This password is too easy to guess. {hints} {PASS_PHRASE_ADVICE}".replace("  ", " "),
        )
    return None


class PasswordHasher:
    """argon2id; hashing and verifying run in a worker thread, never on the event loop."""

    def __init__(self, parameters: argon2.Parameters) -> None:
        self._hasher = argon2.PasswordHasher.from_parameters(parameters)
        self._dummy_hash = self._hasher.hash("not a password: only burns the same work")
        self.verifications = 0  # counted so tests can prove unknown emails cost the same work

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Check a password; with no hash (unknown email) check against a dummy one instead."""
        self.verifications += 1
        target = password_hash or self._dummy_hash
        try:
            ok = await asyncio.to_thread(self._hasher.verify, target, password)
        except (VerificationError, InvalidHashError):
            return False
        return ok and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


async def check_password_async(password: str, personal: list[str]) -> PasswordProblem | None:
    return await asyncio.to_thread(check_password, password, personal)
